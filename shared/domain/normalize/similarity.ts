/**
 * Exact and near-duplicate fingerprints.
 *
 * - textHash: SHA-256 of the folded, punctuation-free text, so "Zipper broke!!" and "zipper
 *   broke" are the same text.
 * - signature: a bottom-k sketch (the 64 smallest shingle hashes) of the shingles: the set of
 *   folded words without stop words for texts of 8 such words or more, character 4-grams for
 *   shorter ones, so a reworded complaint still shares most of them (decision 0009).
 *
 * Candidates are a product's recent items, compared signature by signature (duplicates.ts): at a
 * bounded 128 items that is cheaper than LSH band buckets and misses no pair (decision 0007).
 */
import { hash } from 'node:crypto';
import { fnv1a } from './chars.js';
import { foldedWordsOf } from './fold.js';

/** Values kept per sketch: texts with at most this many distinct shingles keep them all. */
export const SKETCH_SIZE = 64;

/** SHA-256 of the folded words joined by spaces: case, accents, punctuation and spacing do not matter. */
function textHashOfJoined(joinedWords: string): string {
  return hash('sha256', joinedWords, 'hex').slice(0, 32);
}
/** The final avalanche of murmur3 (fmix32), after FNV-1a in ShingleHashes. */
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
 * The hashes of a text's shingles, in a reused buffer: repeated shingles repeat their hash, and the
 * sketch drops repeats after sorting. No shingle strings are built for word shingles.
 */
class ShingleHashes {
  values = new Uint32Array(256);
  count = 0;

  reset(capacity: number): void {
    this.count = 0;
    if (this.values.length < capacity) this.values = new Uint32Array(capacity * 2);
  }

  /** FNV-1a of `text[start, end)`, then murmur3's final avalanche (fmix32) for even low bits. */
  add(text: string, start: number, end: number): void {
    this.values[this.count++] = avalanche(fnv1a(text, start, end));
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
  let offset = 0;
  for (const word of foldedWords) {
    const end = offset + word.length;
    if (end - offset > MAX_SKIPPED_LENGTH || !SKIPPED_WORDS.has(word)) shingleHashes.add(joined, offset, end);
    offset = end + 1;
  }
  if (shingleHashes.count >= MIN_WORD_SHINGLES) return;
  // Short texts: character 4-grams of the kept words joined by spaces (a few dozen at most).
  const keptJoined =
    shingleHashes.count === 0 ? '' : foldedWords.filter((word) => !SKIPPED_WORDS.has(word)).join(' ');
  shingleHashes.reset(Math.max(1, keptJoined.length));
  if (keptJoined.length < 4) {
    if (keptJoined !== '') shingleHashes.add(keptJoined, 0, keptJoined.length);
    return;
  }
  for (let i = 0; i + 4 <= keptJoined.length; i++) shingleHashes.add(keptJoined, i, i + 4);
}

/**
 * Bottom-k sketch (decision 0009): the SKETCH_SIZE smallest distinct shingle hashes, ascending.
 * A text with at most that many distinct shingles (most feedback) keeps them all, and two texts
 * with at most that many together are compared by their exact Jaccard similarity. The cost is one
 * hash per shingle and a sort, where 64 MinHash functions cost 64 mixes per shingle.
 */
function sketchOfHashes(hashes: ShingleHashes): number[] {
  const sorted = hashes.values.subarray(0, hashes.count).sort();
  const sketch: number[] = [];
  for (let i = 0; i < sorted.length && sketch.length < SKETCH_SIZE; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) sketch.push(sorted[i]!);
  }
  return sketch;
}

/** Bottom-k sketch of a list of shingles (for tests and tools). */
export function sketchOf(shingles: readonly string[]): number[] {
  shingleHashes.reset(Math.max(1, shingles.length));
  for (const shingle of shingles) shingleHashes.add(shingle, 0, shingle.length);
  return sketchOfHashes(shingleHashes);
}

/**
 * Estimated Jaccard similarity of two sets from their sketches: of the SKETCH_SIZE smallest values
 * of both sketches together (a sketch of the union), the share that is in both. Exact when the
 * union of the two sets has at most SKETCH_SIZE elements. The values must be ascending; equal
 * neighbours (truncated values, see packSketch) are matched one to one.
 */
export function estimatedJaccard(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let i = 0;
  let j = 0;
  let union = 0;
  let both = 0;
  while (union < SKETCH_SIZE && (i < a.length || j < b.length)) {
    if (j === b.length || (i < a.length && a[i]! < b[j]!)) i++;
    else if (i === a.length || b[j]! < a[i]!) j++;
    else {
      i++;
      j++;
      both++;
    }
    union++;
  }
  return union === 0 ? 0 : both / union;
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
  return { textHash: textHashOfJoined(joined), signature: sketchOfHashes(shingleHashes) };
}
