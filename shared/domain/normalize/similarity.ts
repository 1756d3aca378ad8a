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

export const SIGNATURE_SIZE = 64;

/** SHA-256 of the folded words: case, accents, punctuation and spacing do not matter. */
export function textHashOf(foldedWords: readonly string[]): string {
  return hash('sha256', foldedWords.join(' '), 'hex').slice(0, 32);
}
/** 32-bit FNV-1a with a final avalanche (murmur3 fmix32), stable across processes. */
export function hash32(value: string, seed = 0x811c9dc5): number {
  let hash = seed | 0;
  for (let i = 0; i < value.length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 0x01000193);
  return avalanche(hash) >>> 0;
}

function avalanche(value: number): number {
  let hash = value ^ (value >>> 16);
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}

/** Words left by redaction placeholders ("[ORDER:ab12cd34]" folds to "order ab12cd34"). */
const PLACEHOLDER_WORDS = new Set(['email', 'phone', 'card', 'iban', 'address', 'name', 'order', 'tracking']);

/** Very common words carry no signal about which complaint this is. */
const STOP_WORDS = new Set(
  (
    'a an the and or but of to in on at for with is are was were be been it its this that my me i we you he she they ' +
    'el la los las un una y o de del en con por para es son fue mi me yo que se lo al ' +
    'le les une et ou du des au aux avec pour est sont mon ma mes je il elle ce qui que ne pas ' +
    'der die das ein eine und oder von zu im mit fur ist sind war mein meine ich es nicht den dem ' +
    'il lo gli una e o di da con per sono era mio mia io che non ' +
    'o os as um uma e ou do da dos das em com por para sao foi meu minha eu que nao ' +
    'de het een en of van in op met voor is zijn was mijn ik dat niet'
  ).split(' '),
);

export function shinglesOf(foldedWords: readonly string[]): string[] {
  const words = foldedWords.filter((word) => !STOP_WORDS.has(word) && !PLACEHOLDER_WORDS.has(word));
  // Word sets, not word pairs: rewording reorders words far more than it replaces them
  // (measured on test/fixtures/normalize/near-duplicates.json: rewordings ≥ 0.64 with single words,
  // ≥ 0.48 with pairs; different complaints about one product ≤ 0.14 either way).
  if (words.length >= 8) return words;
  const joined = words.join(' ');
  if (joined.length < 4) return joined === '' ? [] : [joined];
  const grams: string[] = [];
  for (let i = 0; i + 4 <= joined.length; i++) grams.push(joined.slice(i, i + 4));
  return grams;
}

/**
 * Classic MinHash: SIGNATURE_SIZE hash functions derived from two base hashes of each shingle
 * (h1 + i·h2, then mixed), minimum per function. One-permutation hashing was measured first and
 * was too noisy on short texts (tens of shingles); this costs ~20 µs for a 500-character text.
 */
export function minhashSignature(shingles: string[]): number[] {
  if (shingles.length === 0) return [];
  // Minima are kept with the sign bit flipped, so signed 32-bit comparisons order them as
  // unsigned ones and the loop stays in small integers. A repeated shingle changes no minimum.
  const mins = new Int32Array(SIGNATURE_SIZE).fill(0x7fffffff);
  for (const shingle of shingles) {
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    for (let i = 0; i < shingle.length; i++) {
      const code = shingle.charCodeAt(i);
      h1 = Math.imul(h1 ^ code, 0x01000193);
      h2 = Math.imul(h2 ^ code, 0x01000193);
    }
    h1 = avalanche(h1);
    h2 = avalanche(h2) | 1;
    let combined = h1;
    for (let i = 0; i < SIGNATURE_SIZE; i++) {
      combined = (combined + h2) | 0;
      let value = Math.imul(combined ^ (combined >>> 15), 0x2c1b3c6d);
      value = value ^ (value >>> 12) ^ 0x80000000;
      if (value < mins[i]!) mins[i] = value;
    }
  }
  const signature = new Array<number>(SIGNATURE_SIZE);
  for (let i = 0; i < SIGNATURE_SIZE; i++) signature[i] = (mins[i]! ^ 0x80000000) >>> 0;
  return signature;
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

export function fingerprintOfWords(foldedWords: readonly string[]): Fingerprint {
  const signature = minhashSignature(shinglesOf(foldedWords));
  return { textHash: textHashOf(foldedWords), signature };
}
