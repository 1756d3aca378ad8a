/**
 * Partition-key routing the way Event Hubs does it: Bob Jenkins' lookup3 `hashlittle2` over the
 * UTF-8 bytes of the key (both seeds 0), the two 32-bit results XOR-ed and truncated to a signed
 * 16-bit value, then `abs(hash % partitionCount)`. The public Azure SDKs document this algorithm
 * (see README.md); this is an independent implementation checked against their published vectors.
 */

function rotl(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}

/** lookup3 hashlittle2: returns [c, b] (the primary and secondary 32-bit hashes). */
export function lookup3(data: Uint8Array, seedPrimary = 0, seedSecondary = 0): [number, number] {
  let a = (0xdeadbeef + data.length + seedPrimary) >>> 0;
  let b = a;
  let c = (a + seedSecondary) >>> 0;
  const word = (at: number): number =>
    ((data[at] ?? 0) |
      ((data[at + 1] ?? 0) << 8) |
      ((data[at + 2] ?? 0) << 16) |
      ((data[at + 3] ?? 0) << 24)) >>>
    0;

  let at = 0;
  let remaining = data.length;
  while (remaining > 12) {
    a = (a + word(at)) >>> 0;
    b = (b + word(at + 4)) >>> 0;
    c = (c + word(at + 8)) >>> 0;
    // mix(a, b, c)
    a = (a - c) >>> 0;
    a = (a ^ rotl(c, 4)) >>> 0;
    c = (c + b) >>> 0;
    b = (b - a) >>> 0;
    b = (b ^ rotl(a, 6)) >>> 0;
    a = (a + c) >>> 0;
    c = (c - b) >>> 0;
    c = (c ^ rotl(b, 8)) >>> 0;
    b = (b + a) >>> 0;
    a = (a - c) >>> 0;
    a = (a ^ rotl(c, 16)) >>> 0;
    c = (c + b) >>> 0;
    b = (b - a) >>> 0;
    b = (b ^ rotl(a, 19)) >>> 0;
    a = (a + c) >>> 0;
    c = (c - b) >>> 0;
    c = (c ^ rotl(b, 4)) >>> 0;
    b = (b + a) >>> 0;
    at += 12;
    remaining -= 12;
  }
  if (remaining === 0) return [c, b];

  // Tail: up to 12 bytes, little-endian into a, b, c (missing bytes count as zero).
  const tail = new Uint8Array(12);
  tail.set(data.subarray(at, at + remaining));
  const tailWord = (i: number): number =>
    ((tail[i] ?? 0) | ((tail[i + 1] ?? 0) << 8) | ((tail[i + 2] ?? 0) << 16) | ((tail[i + 3] ?? 0) << 24)) >>>
    0;
  a = (a + tailWord(0)) >>> 0;
  b = (b + tailWord(4)) >>> 0;
  c = (c + tailWord(8)) >>> 0;
  // final(a, b, c)
  c = (c ^ b) >>> 0;
  c = (c - rotl(b, 14)) >>> 0;
  a = (a ^ c) >>> 0;
  a = (a - rotl(c, 11)) >>> 0;
  b = (b ^ a) >>> 0;
  b = (b - rotl(a, 25)) >>> 0;
  c = (c ^ b) >>> 0;
  c = (c - rotl(b, 16)) >>> 0;
  a = (a ^ c) >>> 0;
  a = (a - rotl(c, 4)) >>> 0;
  b = (b ^ a) >>> 0;
  b = (b - rotl(a, 14)) >>> 0;
  c = (c ^ b) >>> 0;
  c = (c - rotl(b, 24)) >>> 0;
  return [c, b];
}

/** The service's 16-bit partition-key hash. */
export function partitionKeyHash(partitionKey: string): number {
  const [primary, secondary] = lookup3(Buffer.from(partitionKey, 'utf8'));
  const folded = (primary ^ secondary) & 0xffff;
  return folded >= 0x8000 ? folded - 0x10000 : folded;
}

/** Partition index (0-based) a key routes to. */
export function partitionForKey(partitionKey: string, partitionCount: number): number {
  return Math.abs(partitionKeyHash(partitionKey) % partitionCount);
}
