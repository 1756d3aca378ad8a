/**
 * Hashed sparse features for the compact model: word unigrams and bigrams (negation-marked)
 * plus character 3- and 4-grams inside each word, so inflections and compounds
 * ("Reißverschluss" / "Reißverschlüsse", "cremallera" / "cremalleras") share evidence across
 * languages without a vocabulary. FNV-1a, no allocation per n-gram.
 */
import { foldText, markNegation, tokenize } from './text.js';

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
  const tokens = featureTokens(text, folded);
  const mask = (1 << config.bits) - 1;
  const out: number[] = [];
  let previousHash = -1;
  for (const token of tokens) {
    const wordHash = hashString(WORD_SEED, token);
    out.push(wordHash & mask);
    if (config.wordBigrams && previousHash >= 0) {
      let bigram = BIGRAM_SEED ^ previousHash;
      bigram = Math.imul(bigram, FNV_PRIME) ^ SEPARATOR;
      bigram = Math.imul(bigram, FNV_PRIME) ^ wordHash;
      out.push(Math.imul(bigram, FNV_PRIME) & mask);
    }
    previousHash = wordHash;
    const padded = ` ${token} `;
    if (padded.length > 5) {
      for (const size of config.charNgrams) {
        for (let start = 0; start + size <= padded.length; start++) {
          out.push(hashRange(CHAR_SEED + size, padded, start, start + size) & mask);
        }
      }
    }
  }
  // An empty text has no features and scores with the biases alone.
  return { indices: Uint32Array.from(out), value: out.length === 0 ? 0 : 1 / Math.sqrt(out.length) };
}
