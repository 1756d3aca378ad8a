/**
 * Exact and near-duplicate fingerprints.
 *
 * - textHash: SHA-256 of the folded, punctuation-free text, so "Zipper broke!!" and "zipper
 *   broke" are the same text.
 * - signature: MinHash (64 values) over shingles: the set of folded words without stop words for
 *   texts of 8 such words or more, character 4-grams for shorter ones, so a reworded complaint
 *   still shares most of them.
 *
 * Candidates are a product's recent items, compared signature by signature (duplicates.ts): at a
 * bounded 128 items that is cheaper than LSH band buckets and misses no pair (decision 0007).
 */
import { hash } from 'node:crypto';
import { foldedWordsOf } from './fold.js';

/** A multiple of eight: the signature loop computes eight hash functions per pass. */
export const SIGNATURE_SIZE = 64;

/** SHA-256 of the folded words: case, accents, punctuation and spacing do not matter. */
export function textHashOf(foldedWords: readonly string[]): string {
  return textHashOfJoined(foldedWords.join(' '));
}

function textHashOfJoined(joinedWords: string): string {
  return hash('sha256', joinedWords, 'hex').slice(0, 32);
}
/** The final avalanche of murmur3 (fmix32), after the FNV-1a loops of ShingleHashes. */
function avalanche(value: number): number {
  let hash = value ^ (value >>> 16);
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}

/** Words left by redaction placeholders ("[ORDER:ab12cd34]" folds to "order ab12cd34"). */
const PLACEHOLDER_WORDS = ['email', 'phone', 'card', 'iban', 'address', 'name', 'order', 'tracking'];

/** Very common words carry no signal about which complaint this is. */
const STOP_WORDS = (
  'a an the and or but of to in on at for with is are was were be been it its this that my me i we you he she they ' +
  'el la los las un una y o de del en con por para es son fue mi me yo que se lo al ' +
  'le les une et ou du des au aux avec pour est sont mon ma mes je il elle ce qui que ne pas ' +
  'der die das ein eine und oder von zu im mit fur ist sind war mein meine ich es nicht den dem ' +
  'il lo gli una e o di da con per sono era mio mia io che non ' +
  'o os as um uma e ou do da dos das em com por para sao foi meu minha eu que nao ' +
  'de het een en of van in op met voor is zijn was mijn ik dat niet'
).split(' ');

/** Words that are never shingles: stop words and placeholder words, one lookup. */
const SKIPPED_WORDS = new Set([...STOP_WORDS, ...PLACEHOLDER_WORDS]);
/** Longer words are never skipped, so they are not looked up. */
const MAX_SKIPPED_LENGTH = Math.max(...[...SKIPPED_WORDS].map((word) => word.length));

/** Texts with this many words left after stop words are shingled by word, shorter ones by 4-gram. */
const MIN_WORD_SHINGLES = 8;

export function shinglesOf(foldedWords: readonly string[]): string[] {
  const words = foldedWords.filter((word) => !SKIPPED_WORDS.has(word));
  // Word sets, not word pairs: rewording reorders words far more than it replaces them
  // (measured on test/fixtures/normalize/near-duplicates.json: rewordings ≥ 0.64 with single words,
  // ≥ 0.48 with pairs; different complaints about one product ≤ 0.14 either way).
  if (words.length >= MIN_WORD_SHINGLES) return words;
  const joined = words.join(' ');
  if (joined.length < 4) return joined === '' ? [] : [joined];
  const grams: string[] = [];
  for (let i = 0; i + 4 <= joined.length; i++) grams.push(joined.slice(i, i + 4));
  return grams;
}

/**
 * The two base hashes of each distinct shingle, kept in reused buffers: the signature depends on
 * a shingle only through them, so shingles with equal pairs (repeated words) are hashed into the
 * signature once, and no shingle strings are built for word shingles.
 */
class ShingleHashes {
  first = new Int32Array(256);
  second = new Int32Array(256);
  count = 0;
  /** Open-addressing set of the pairs seen: slot → index + 1 in first/second, 0 when free. */
  private slots = new Int32Array(512);

  reset(capacity: number): void {
    this.count = 0;
    if (this.first.length < capacity) {
      this.first = new Int32Array(capacity * 2);
      this.second = new Int32Array(capacity * 2);
    }
    let size = this.slots.length;
    while (size < capacity * 2) size *= 2;
    if (size !== this.slots.length) this.slots = new Int32Array(size);
    else this.slots.fill(0);
  }

  /** Hashes `text[start, end)` and adds the pair unless it is already there. */
  add(text: string, start: number, end: number): void {
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    for (let i = start; i < end; i++) {
      const code = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ code, 0x01000193);
      h2 = Math.imul(h2 ^ code, 0x01000193);
    }
    h1 = avalanche(h1);
    h2 = avalanche(h2) | 1;
    const mask = this.slots.length - 1;
    for (let slot = (h1 ^ h2) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === 0) {
        this.first[this.count] = h1;
        this.second[this.count] = h2;
        this.slots[slot] = ++this.count;
        return;
      }
      if (this.first[entry - 1] === h1 && this.second[entry - 1] === h2) return;
    }
  }
}

const shingleHashes = new ShingleHashes();

/**
 * Hashes the shingles of `shinglesOf(foldedWords)` into `shingleHashes`, without building them.
 * `joined` is `foldedWords.join(' ')` (the text hash needs it too): word shingles are hashed where
 * they sit in it, so the hashing loop reads one flat string instead of words of every string
 * representation (sliced, concatenated, one- or two-byte), which makes V8's property lookups there
 * megamorphic.
 */
function hashShingles(foldedWords: readonly string[], joined: string): void {
  // Most texts are long enough for word shingles: hash the kept words while counting them (one
  // stop-word lookup per word), and start over with 4-grams only when too few were kept.
  shingleHashes.reset(Math.max(1, foldedWords.length));
  let kept = 0;
  let offset = 0;
  for (const word of foldedWords) {
    const end = offset + word.length;
    if (end - offset > MAX_SKIPPED_LENGTH || !SKIPPED_WORDS.has(word)) {
      kept++;
      shingleHashes.add(joined, offset, end);
    }
    offset = end + 1;
  }
  if (kept >= MIN_WORD_SHINGLES) return;
  // Short texts: character 4-grams of the kept words joined by spaces (a few dozen at most).
  const keptJoined = kept === 0 ? '' : foldedWords.filter((word) => !SKIPPED_WORDS.has(word)).join(' ');
  shingleHashes.reset(Math.max(1, keptJoined.length));
  if (keptJoined.length < 4) {
    if (keptJoined !== '') shingleHashes.add(keptJoined, 0, keptJoined.length);
    return;
  }
  for (let i = 0; i + 4 <= keptJoined.length; i++) shingleHashes.add(keptJoined, i, i + 4);
}

/** The mixing step of every MinHash function, with the sign bit flipped (see signatureOfHashes). */
function mixed(combined: number): number {
  const value = Math.imul(combined ^ (combined >>> 15), 0x2c1b3c6d);
  return (value ^ (value >>> 12) ^ -0x80000000) | 0;
}

/**
 * Classic MinHash: SIGNATURE_SIZE hash functions derived from two base hashes of each shingle
 * (h1 + i·h2, then mixed), minimum per function. One-permutation hashing was measured first and
 * was too noisy on short texts (tens of shingles).
 */
function signatureOfHashes(hashes: ShingleHashes): number[] {
  if (hashes.count === 0) return [];
  // Minima are kept with the sign bit flipped, so signed 32-bit comparisons order them as
  // unsigned ones and the loop stays in small integers. Eight functions per pass over the
  // shingles, each one h2 on from the one before: a shingle's base hashes are read once per eight
  // minima, which stay in registers.
  const signature = new Array<number>(SIGNATURE_SIZE);
  const { first, second, count } = hashes;
  for (let i = 0; i < SIGNATURE_SIZE; i += 8) {
    let min0 = 0x7fffffff;
    let min1 = 0x7fffffff;
    let min2 = 0x7fffffff;
    let min3 = 0x7fffffff;
    let min4 = 0x7fffffff;
    let min5 = 0x7fffffff;
    let min6 = 0x7fffffff;
    let min7 = 0x7fffffff;
    for (let shingle = 0; shingle < count; shingle++) {
      const h2 = second[shingle]!;
      const combined0 = (first[shingle]! + Math.imul(i + 1, h2)) | 0;
      const combined1 = (combined0 + h2) | 0;
      const combined2 = (combined1 + h2) | 0;
      const combined3 = (combined2 + h2) | 0;
      const combined4 = (combined3 + h2) | 0;
      const combined5 = (combined4 + h2) | 0;
      const combined6 = (combined5 + h2) | 0;
      const combined7 = (combined6 + h2) | 0;
      const value0 = mixed(combined0);
      const value1 = mixed(combined1);
      const value2 = mixed(combined2);
      const value3 = mixed(combined3);
      const value4 = mixed(combined4);
      const value5 = mixed(combined5);
      const value6 = mixed(combined6);
      const value7 = mixed(combined7);
      if (value0 < min0) min0 = value0;
      if (value1 < min1) min1 = value1;
      if (value2 < min2) min2 = value2;
      if (value3 < min3) min3 = value3;
      if (value4 < min4) min4 = value4;
      if (value5 < min5) min5 = value5;
      if (value6 < min6) min6 = value6;
      if (value7 < min7) min7 = value7;
    }
    signature[i] = (min0 ^ -0x80000000) >>> 0;
    signature[i + 1] = (min1 ^ -0x80000000) >>> 0;
    signature[i + 2] = (min2 ^ -0x80000000) >>> 0;
    signature[i + 3] = (min3 ^ -0x80000000) >>> 0;
    signature[i + 4] = (min4 ^ -0x80000000) >>> 0;
    signature[i + 5] = (min5 ^ -0x80000000) >>> 0;
    signature[i + 6] = (min6 ^ -0x80000000) >>> 0;
    signature[i + 7] = (min7 ^ -0x80000000) >>> 0;
  }
  return signature;
}

/** MinHash signature of a list of shingles (for tests and tools). */
export function minhashSignature(shingles: readonly string[]): number[] {
  shingleHashes.reset(Math.max(1, shingles.length));
  for (const shingle of shingles) shingleHashes.add(shingle, 0, shingle.length);
  return signatureOfHashes(shingleHashes);
}

/** Estimated Jaccard similarity: the share of equal signature positions. */
export function estimatedJaccard(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || a.length !== b.length) return 0;
  let equal = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) equal++;
  return equal / a.length;
}

export interface Fingerprint {
  textHash: string;
  signature: number[];
}

/** Fingerprint of a text (for tests and tools); the stage passes the words it already folded. */
export function fingerprintOf(text: string): Fingerprint {
  return fingerprintOfWords(foldedWordsOf(text));
}

/** `joinedWords`: `foldedWords.join(' ')`, when the caller already has it. */
export function fingerprintOfWords(foldedWords: readonly string[], joinedWords?: string): Fingerprint {
  const joined = joinedWords ?? foldedWords.join(' ');
  hashShingles(foldedWords, joined);
  return { textHash: textHashOfJoined(joined), signature: signatureOfHashes(shingleHashes) };
}
