/**
 * Just enough AMQP 1.0 type-system parsing to move messages without decoding them: find section
 * boundaries, split a batch envelope (format 0x80013700) into its events, and rewrite the
 * message-annotations section of a stored event. Decoding and re-encoding every event with rhea
 * costs ~20 µs each, which alone would eat most of a core at the target throughput.
 */

export const BATCH_MESSAGE_FORMAT = 0x80013700;

const SECTION = {
  header: 0x70,
  deliveryAnnotations: 0x71,
  messageAnnotations: 0x72,
  properties: 0x73,
  applicationProperties: 0x74,
  data: 0x75,
} as const;

export class AmqpFormatError extends Error {}

/** Returns the position just after the encoded value starting at `at`. */
export function skipValue(buf: Buffer, at: number): number {
  if (at >= buf.length) throw new AmqpFormatError('truncated AMQP value');
  const code = buf[at] as number;
  if (code === 0x00) {
    const afterDescriptor = skipValue(buf, at + 1);
    return skipValue(buf, afterDescriptor);
  }
  const width = code >> 4;
  const p = at + 1;
  let end: number;
  switch (width) {
    case 0x4:
      end = p;
      break;
    case 0x5:
      end = p + 1;
      break;
    case 0x6:
      end = p + 2;
      break;
    case 0x7:
      end = p + 4;
      break;
    case 0x8:
      end = p + 8;
      break;
    case 0x9:
      end = p + 16;
      break;
    case 0xa:
    case 0xc:
    case 0xe:
      end = p + 1 + (buf[p] ?? 0);
      break;
    case 0xb:
    case 0xd:
    case 0xf:
      if (p + 4 > buf.length) throw new AmqpFormatError('truncated AMQP value');
      end = p + 4 + buf.readUInt32BE(p);
      break;
    default:
      throw new AmqpFormatError(`unknown AMQP constructor 0x${code.toString(16)}`);
  }
  if (end > buf.length) throw new AmqpFormatError('truncated AMQP value');
  return end;
}

interface Section {
  code: number;
  start: number;
  /** Start of the section's value (after the descriptor). */
  valueStart: number;
  end: number;
}

function sectionCode(buf: Buffer, at: number): { code: number; valueStart: number } {
  if (buf[at] !== 0x00) throw new AmqpFormatError('expected a described section');
  const d = buf[at + 1];
  if (d === 0x53) return { code: buf[at + 2] as number, valueStart: at + 3 };
  if (d === 0x80) {
    const hi = buf.readUInt32BE(at + 2);
    const lo = buf.readUInt32BE(at + 6);
    if (hi !== 0) throw new AmqpFormatError('unexpected section descriptor');
    return { code: lo, valueStart: at + 10 };
  }
  throw new AmqpFormatError('unexpected section descriptor');
}

export function sections(buf: Buffer): Section[] {
  const out: Section[] = [];
  let at = 0;
  while (at < buf.length) {
    const { code, valueStart } = sectionCode(buf, at);
    const end = skipValue(buf, valueStart);
    out.push({ code, start: at, valueStart, end });
    at = end;
  }
  return out;
}

/** Payload bytes of a binary value (vbin8/vbin32). */
function binaryValue(buf: Buffer, at: number): Buffer {
  const code = buf[at];
  if (code === 0xa0) return buf.subarray(at + 2, at + 2 + (buf[at + 1] as number));
  if (code === 0xb0) return buf.subarray(at + 5, at + 5 + buf.readUInt32BE(at + 1));
  throw new AmqpFormatError('expected binary data');
}

function stringValue(buf: Buffer, at: number): string | undefined {
  const code = buf[at];
  if (code === 0xa1 || code === 0xa3) return buf.toString('utf8', at + 2, at + 2 + (buf[at + 1] as number));
  if (code === 0xb1 || code === 0xb3) return buf.toString('utf8', at + 5, at + 5 + buf.readUInt32BE(at + 1));
  return undefined;
}

/** Iterates the entries of an encoded map value: calls back with key/value positions. */
function forEachMapEntry(
  buf: Buffer,
  at: number,
  visit: (keyAt: number, valueAt: number, end: number) => void,
): void {
  const code = buf[at];
  let p: number;
  let count: number;
  if (code === 0xc1) {
    count = buf[at + 2] as number;
    p = at + 3;
  } else if (code === 0xd1) {
    count = buf.readUInt32BE(at + 5);
    p = at + 9;
  } else if (code === 0x40) {
    return;
  } else {
    throw new AmqpFormatError('expected a map');
  }
  for (let i = 0; i < count; i += 2) {
    const valueAt = skipValue(buf, p);
    const end = skipValue(buf, valueAt);
    visit(p, valueAt, end);
    p = end;
  }
}

const PARTITION_KEY = 'x-opt-partition-key';

/** Reads a string-valued message annotation, if present. */
export function readAnnotation(message: Buffer, name: string): string | undefined {
  for (const s of sections(message)) {
    if (s.code !== SECTION.messageAnnotations) continue;
    let found: string | undefined;
    forEachMapEntry(message, s.valueStart, (keyAt, valueAt) => {
      if (found === undefined && stringValue(message, keyAt) === name) found = stringValue(message, valueAt);
    });
    return found;
  }
  return undefined;
}

export interface Envelope {
  /** The individual encoded events. */
  events: Buffer[];
  /** Partition key from the envelope's annotations (the SDK copies it from the first event). */
  partitionKey: string | undefined;
}

/** Splits a batch envelope into its events (one pass over its sections); a plain message is one event. */
export function splitEnvelope(payload: Buffer, format: number): Envelope {
  if (format !== BATCH_MESSAGE_FORMAT) {
    return { events: [payload], partitionKey: readAnnotation(payload, PARTITION_KEY) };
  }
  const events: Buffer[] = [];
  let partitionKey: string | undefined;
  let at = 0;
  while (at < payload.length) {
    const { code, valueStart } = sectionCode(payload, at);
    const end = skipValue(payload, valueStart);
    if (code === SECTION.data) {
      events.push(binaryValue(payload, valueStart));
    } else if (code === SECTION.messageAnnotations) {
      forEachMapEntry(payload, valueStart, (keyAt, valueAt) => {
        if (partitionKey === undefined && stringValue(payload, keyAt) === PARTITION_KEY) {
          partitionKey = stringValue(payload, valueAt);
        }
      });
    }
    at = end;
  }
  return { events, partitionKey };
}

function symbolBytes(name: string): Buffer {
  const b = Buffer.from(name, 'ascii');
  return Buffer.concat([Buffer.from([0xa3, b.length]), b]);
}

const KEY_SEQUENCE = symbolBytes('x-opt-sequence-number');
const KEY_OFFSET = symbolBytes('x-opt-offset');
const KEY_ENQUEUED = symbolBytes('x-opt-enqueued-time');
const KEY_PARTITION = symbolBytes(PARTITION_KEY);
const SYSTEM_KEYS = new Set(['x-opt-sequence-number', 'x-opt-offset', 'x-opt-enqueued-time']);
/** Section descriptor and map32 constructor, size and count of the message-annotations section. */
const ANNOTATIONS_HEAD = 3 + 9;
const SEQUENCE_ENTRY = KEY_SEQUENCE.length + 9;
const ENQUEUED_ENTRY = KEY_ENQUEUED.length + 9;
const TWO_32 = 2 ** 32;

function encodedStringBytes(value: string): number {
  const n = Buffer.byteLength(value, 'utf8');
  return n < 256 ? 2 + n : 5 + n;
}

function writeString(out: Buffer, at: number, value: string): number {
  const n = Buffer.byteLength(value, 'utf8');
  let p = at;
  if (n < 256) {
    out[p++] = 0xa1;
    out[p++] = n;
  } else {
    out[p++] = 0xb1;
    p = out.writeUInt32BE(n, p);
  }
  return p + out.write(value, p, n, 'utf8');
}

/** Writes a non-negative integer below 2^53 as a big-endian 64-bit value. */
function writeUint64(out: Buffer, at: number, value: number): number {
  const p = out.writeUInt32BE(Math.floor(value / TWO_32), at);
  return out.writeUInt32BE(value % TWO_32, p);
}

export interface SystemAnnotations {
  sequenceNumber: number;
  offset: string;
  enqueuedTime: number;
  partitionKey: string | undefined;
}

/**
 * Encodes the event with the service's system annotations in its message-annotations section
 * (added, or merged into the existing one); every other section is copied byte for byte. The
 * result is written once, into a new buffer that starts with `headerBytes` left for the caller.
 */
export function withSystemAnnotations(event: Buffer, system: SystemAnnotations, headerBytes = 0): Buffer {
  const all = sections(event);
  const existing = all.find((s) => s.code === SECTION.messageAnnotations);
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let hasPartitionKey = false;
  if (existing) {
    forEachMapEntry(event, existing.valueStart, (keyAt, _valueAt, end) => {
      const key = stringValue(event, keyAt);
      if (key !== undefined && SYSTEM_KEYS.has(key)) return;
      if (key === PARTITION_KEY) hasPartitionKey = true;
      kept.push(event.subarray(keyAt, end));
      keptBytes += end - keyAt;
    });
  }
  const addPartitionKey = !hasPartitionKey && system.partitionKey !== undefined;
  const partitionKey = system.partitionKey ?? '';
  const mapBytes =
    keptBytes +
    SEQUENCE_ENTRY +
    ENQUEUED_ENTRY +
    KEY_OFFSET.length +
    encodedStringBytes(system.offset) +
    (addPartitionKey ? KEY_PARTITION.length + encodedStringBytes(partitionKey) : 0);
  const count = kept.length * 2 + 6 + (addPartitionKey ? 2 : 0);
  let otherBytes = 0;
  for (const s of all) if (s !== existing) otherBytes += s.end - s.start;
  const out = Buffer.allocUnsafe(headerBytes + otherBytes + ANNOTATIONS_HEAD + mapBytes);
  let p = headerBytes;
  // Sections before message-annotations (header, delivery-annotations) stay in front.
  for (const s of all) if (s.code < SECTION.messageAnnotations) p += event.copy(out, p, s.start, s.end);
  out[p++] = 0x00;
  out[p++] = 0x53;
  out[p++] = SECTION.messageAnnotations;
  out[p++] = 0xd1;
  p = out.writeUInt32BE(mapBytes + 4, p);
  p = out.writeUInt32BE(count, p);
  for (const entry of kept) p += entry.copy(out, p);
  p += KEY_SEQUENCE.copy(out, p);
  out[p++] = 0x81;
  p = writeUint64(out, p, system.sequenceNumber);
  p += KEY_ENQUEUED.copy(out, p);
  out[p++] = 0x83;
  p = writeUint64(out, p, system.enqueuedTime);
  p += KEY_OFFSET.copy(out, p);
  p = writeString(out, p, system.offset);
  if (addPartitionKey) {
    p += KEY_PARTITION.copy(out, p);
    p = writeString(out, p, partitionKey);
  }
  for (const s of all) if (s.code > SECTION.messageAnnotations) p += event.copy(out, p, s.start, s.end);
  return out;
}
