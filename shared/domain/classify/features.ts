/**
 * Hashed sparse features for the compact model: word unigrams and bigrams (negation-marked)
 * plus character 3- and 4-grams inside each word, so inflections and compounds
 * ("Reißverschluss" / "Reißverschlüsse", "cremallera" / "cremalleras") share evidence across
 * languages without a vocabulary. FNV-1a, no allocation per n-gram.
 */
import { foldText, markNegation, NEGATION_SCOPE, negationWords, tokenize, tokenizeFolded } from './text.js';

export interface FeatureConfig {
  /** Bits of the hash space (the model keeps weights for 2^bits features per class). */
  bits: number;
  charNgrams: number[];
  wordBigrams: boolean;
}

export const defaultFeatureConfig: FeatureConfig = { bits: 16, charNgrams: [3, 4], wordBigrams: true };

export interface SparseFeatures {
  indices: Uint32Array;
  /** The same value for every feature: 1/sqrt(n), so long texts do not dominate. */
  value: number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function hashRange(seed: number, text: string, start: number, end: number): number {
  let hash = seed;
  for (let index = start; index < end; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

function hashString(seed: number, text: string): number {
  return hashRange(seed, text, 0, text.length);
}

const WORD_SEED = FNV_OFFSET;
const BIGRAM_SEED = hashString(FNV_OFFSET, 'bigram');
const CHAR_SEED = hashString(FNV_OFFSET, 'char');
const SEPARATOR = 0x1f;

/** Tokens as features see them: folded, negation-marked. */
export function featureTokens(text: string, folded = foldText(text)): string[] {
  return markNegation(tokenize(folded));
}

/** `folded` may be passed when the caller already folded the text. */
export function extractFeatures(text: string, config: FeatureConfig, folded?: string): SparseFeatures {
  return featuresOfTokens(tokenizeFolded(folded ?? foldText(text)).featureTokens, config);
}

const NEGATION_MARK = 0x7e; // '~', as markNegation writes it
const SPACE = 0x20;

/** Features written into a buffer that the next call overwrites (see `featuresIntoBuffer`). */
export interface FeatureBuffer {
  /** Valid up to `count`. */
  indices: Uint32Array;
  count: number;
  value: number;
}

// Reused across calls (inference is synchronous): the padded token's code units and the feature
// indices. A typed array per item would cost more than hashing the item's features.
let units = new Int32Array(64);
const buffer: FeatureBuffer = { indices: new Uint32Array(1024), count: 0, value: 0 };

/** Features of unmarked feature tokens (`tokenizeFolded(...).featureTokens`), to keep. */
export function featuresOfTokens(tokens: string[], config: FeatureConfig): SparseFeatures {
  const written = featuresIntoBuffer(tokens, config);
  return { indices: written.indices.slice(0, written.count), value: written.value };
}

/**
 * The same features into the shared buffer, for a caller that uses them before the next call
 * (the model's inference). Negation marks and the padding for character n-grams are applied to
 * the code units, not to new strings: the result is the same as hashing `markNegation(tokens)`
 * and ` ${token} `.
 */
export function featuresIntoBuffer(tokens: string[], config: FeatureConfig): FeatureBuffer {
  let scratch = buffer.indices;
  const mask = (1 << config.bits) - 1;
  const sizes = config.charNgrams;
  let count = 0;
  let previousHash = -1;
  let scope = 0;
  for (const token of tokens) {
    let negated = false;
    if (token === '!' || token === '?') scope = 0;
    else if (negationWords.has(token)) scope = NEGATION_SCOPE;
    else if (scope > 0) {
      scope--;
      negated = true;
    }
    // ` ${marked} `, as code units.
    const padded = token.length + (negated ? 3 : 2);
    if (units.length < padded) units = new Int32Array(padded * 2);
    let at = 0;
    units[at++] = SPACE;
    if (negated) units[at++] = NEGATION_MARK;
    for (let index = 0; index < token.length; index++) units[at++] = token.charCodeAt(index);
    units[at] = SPACE;

    let needed = 2;
    if (padded > 5) for (const size of sizes) needed += Math.max(0, padded - size + 1);
    if (scratch.length < count + needed) {
      const grown = new Uint32Array(Math.max(scratch.length * 2, count + needed));
      grown.set(scratch.subarray(0, count));
      scratch = grown;
      buffer.indices = grown;
    }

    let wordHash = WORD_SEED;
    for (let index = 1; index < padded - 1; index++) {
      wordHash ^= units[index] as number;
      wordHash = Math.imul(wordHash, FNV_PRIME);
    }
    wordHash = wordHash >>> 0;
    scratch[count++] = wordHash & mask;
    if (config.wordBigrams && previousHash >= 0) {
      let bigram = BIGRAM_SEED ^ previousHash;
      bigram = Math.imul(bigram, FNV_PRIME) ^ SEPARATOR;
      bigram = Math.imul(bigram, FNV_PRIME) ^ wordHash;
      scratch[count++] = Math.imul(bigram, FNV_PRIME) & mask;
    }
    previousHash = wordHash;
    if (padded > 5) {
      for (const size of sizes) {
        const seed = CHAR_SEED + size;
        for (let start = 0; start + size <= padded; start++) {
          let hash = seed;
          for (let index = start; index < start + size; index++) {
            hash ^= units[index] as number;
            hash = Math.imul(hash, FNV_PRIME);
          }
          scratch[count++] = (hash >>> 0) & mask;
        }
      }
    }
  }
  buffer.count = count;
  // An empty text has no features and scores with the biases alone.
  buffer.value = count === 0 ? 0 : 1 / Math.sqrt(count);
  return buffer;
}
