/**
 * The compact local model: two linear heads (sentiment, category) over hashed features,
 * weights quantised to int8 and stored base64 in one versioned JSON artifact with the
 * provenance of its training data. Inference is a sparse dot product: no allocation beyond
 * the feature list, tens of thousands of items per second per core.
 */
import { readFileSync } from 'node:fs';
import { extractFeatures, featuresIntoBuffer, type FeatureConfig, type SparseFeatures } from './features.js';
import { makeValidator } from '../validation.js';

export const MODEL_FORMAT = 'feedback-linear-v1';

export interface HeadArtifact {
  labels: string[];
  bits: number;
  /** weight = int8 * scale */
  scale: number;
  bias: number[];
  /** base64 of Int8Array, feature-major: weights[feature * labels.length + label]. */
  weights: string;
}

export interface TrainingSource {
  name: string;
  path: string;
  licence: string;
  rows: number;
  weight: number;
  use: string;
}

export interface ModelArtifact {
  format: typeof MODEL_FORMAT;
  version: string;
  features: FeatureConfig;
  heads: { sentiment: HeadArtifact; category: HeadArtifact };
  provenance: {
    sources: TrainingSource[];
    /** sha256 of the training examples in order, so a retrain can be checked byte for byte. */
    trainingHash: string;
    seed: number;
    epochs: number;
    notes: string[];
  };
}

const headSchema = {
  type: 'object',
  required: ['labels', 'bits', 'scale', 'bias', 'weights'],
  properties: {
    labels: { type: 'array', items: { type: 'string' }, minItems: 2 },
    bits: { type: 'integer', minimum: 8, maximum: 24 },
    scale: { type: 'number' },
    bias: { type: 'array', items: { type: 'number' } },
    weights: { type: 'string' },
  },
  additionalProperties: false,
} as const;

const validateArtifact = makeValidator<ModelArtifact>({
  type: 'object',
  required: ['format', 'version', 'features', 'heads', 'provenance'],
  properties: {
    format: { const: MODEL_FORMAT },
    version: { type: 'string', minLength: 1 },
    features: {
      type: 'object',
      required: ['bits', 'charNgrams', 'wordBigrams'],
      properties: {
        bits: { type: 'integer', minimum: 8, maximum: 24 },
        charNgrams: { type: 'array', items: { type: 'integer', minimum: 2, maximum: 6 } },
        wordBigrams: { type: 'boolean' },
      },
      additionalProperties: false,
    },
    heads: {
      type: 'object',
      required: ['sentiment', 'category'],
      properties: { sentiment: headSchema, category: headSchema },
      additionalProperties: false,
    },
    provenance: { type: 'object' },
  },
  additionalProperties: false,
});

/** A head as inference reads it: its weights for feature f start at (f & mask) * stride + offset. */
export interface LinearHead {
  labels: string[];
  mask: number;
  scale: number;
  bias: Float64Array;
  /** Feature-major int8 weights, followed by LANES - 1 zeros. */
  weights: Int8Array;
  stride: number;
  offset: number;
}

export interface Prediction {
  label: string;
  /** Probabilities in the order of `labels`. */
  probabilities: number[];
  labels: readonly string[];
  /** The winning probability. */
  confidence: number;
}

/** The probability of one label, 0 when the head does not know it. */
export function probabilityOf(prediction: Prediction, label: string): number {
  const index = prediction.labels.indexOf(label);
  return index < 0 ? 0 : (prediction.probabilities[index] as number);
}

export interface CompactModel {
  version: string;
  artifact: ModelArtifact;
  /** `folded` may be passed when the caller already folded the text. */
  features(text: string, folded?: string): SparseFeatures;
  predictSentiment(features: SparseFeatures): Prediction;
  predictCategory(features: SparseFeatures): Prediction;
  /**
   * Both heads on `tokenizeFolded(...).featureTokens`: the same predictions as `features` and
   * the two `predict` calls, without a feature list per item (the classifier's path).
   */
  predictTokens(tokens: string[]): { sentiment: Prediction; category: Prediction };
}

// Labels summed per pass over the features: four running sums stay in registers, which is
// several times faster than a read-modify-write of an array per weight.
const LANES = 4;

function decodeHead(head: HeadArtifact): LinearHead {
  const bytes = Buffer.from(head.weights, 'base64');
  const expected = (1 << head.bits) * head.labels.length;
  if (bytes.byteLength !== expected)
    throw new Error(`model head has ${bytes.byteLength} weights, expected ${expected}`);
  // Zero padding after the last row, so predictHead may read whole groups of LANES labels.
  const weights = new Int8Array(expected + LANES - 1);
  weights.set(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (head.bias.length !== head.labels.length) throw new Error('model head bias does not match its labels');
  return {
    labels: head.labels,
    mask: (1 << head.bits) - 1,
    scale: head.scale,
    bias: Float64Array.from(head.bias),
    weights,
    stride: head.labels.length,
    offset: 0,
  };
}

/** Above this the interleaved table is not worth its memory (the shipped model needs 2 MB). */
const MAX_INTERLEAVED_BYTES = 16 * 1024 * 1024;

/**
 * Both heads in one table: row r holds the first head's weights for feature r and the second
 * head's for the same feature, side by side (3 + 13 = 16 bytes for the shipped model). Inference
 * is bound by cache misses on the weights, and this way one miss serves both heads. The row
 * count is the larger head's, so the smaller head's rows repeat.
 */
function interleaveHeads(first: LinearHead, second: LinearHead): [LinearHead, LinearHead] {
  const firstClasses = first.labels.length;
  const secondClasses = second.labels.length;
  const stride = firstClasses + secondClasses;
  const mask = first.mask | second.mask;
  const rows = mask + 1;
  if (rows * stride > MAX_INTERLEAVED_BYTES) return [first, second];
  const weights = new Int8Array(rows * stride + LANES - 1);
  for (let row = 0; row < rows; row++) {
    const from = (row & first.mask) * firstClasses;
    weights.set(first.weights.subarray(from, from + firstClasses), row * stride);
    const fromSecond = (row & second.mask) * secondClasses;
    weights.set(second.weights.subarray(fromSecond, fromSecond + secondClasses), row * stride + firstClasses);
  }
  return [
    { ...first, weights, mask, stride, offset: 0 },
    { ...second, weights, mask, stride, offset: firstClasses },
  ];
}

export function encodeHead(
  labels: string[],
  bits: number,
  weights: Float64Array,
  bias: Float64Array,
): HeadArtifact {
  let maxAbs = 0;
  for (const weight of weights) maxAbs = Math.max(maxAbs, Math.abs(weight));
  const scale = maxAbs === 0 ? 1 : maxAbs / 127;
  const quantised = new Int8Array(weights.length);
  for (let index = 0; index < weights.length; index++) {
    quantised[index] = Math.max(-127, Math.min(127, Math.round((weights[index] as number) / scale)));
  }
  return {
    labels,
    bits,
    scale,
    bias: Array.from(bias, (value) => Math.round(value * 1e6) / 1e6),
    weights: Buffer.from(quantised.buffer).toString('base64'),
  };
}

// Sums of the int8 weights (integers, so exact in any order), reused across calls.
let sums = new Float64Array(16);

/** The head on the first `count` feature indices, each worth `value`. */
function predictHead(head: LinearHead, indices: Uint32Array, count: number, value: number): Prediction {
  const classes = head.labels.length;
  if (sums.length < classes + LANES) sums = new Float64Array(classes + LANES);
  const { weights, mask, stride, offset } = head;
  for (let first = 0; first < classes; first += LANES) {
    let lane0 = 0;
    let lane1 = 0;
    let lane2 = 0;
    let lane3 = 0;
    for (let index = 0; index < count; index++) {
      const base = ((indices[index] as number) & mask) * stride + offset + first;
      // Past the last label these read the next row or the padding (see decodeHead); unused.
      lane0 += weights[base] as number;
      lane1 += weights[base + 1] as number;
      lane2 += weights[base + 2] as number;
      lane3 += weights[base + 3] as number;
    }
    sums[first] = lane0;
    sums[first + 1] = lane1;
    sums[first + 2] = lane2;
    sums[first + 3] = lane3;
  }
  const scores: number[] = [];
  let max = -Infinity;
  for (let label = 0; label < classes; label++) {
    const score = (head.bias[label] as number) + (sums[label] as number) * value * head.scale;
    scores.push(score);
    if (score > max) max = score;
  }
  let sum = 0;
  for (let label = 0; label < classes; label++) {
    const exp = Math.exp((scores[label] as number) - max);
    scores[label] = exp;
    sum += exp;
  }
  let best = 0;
  for (let label = 0; label < classes; label++) {
    scores[label] = (scores[label] as number) / sum;
    if ((scores[label] as number) > (scores[best] as number)) best = label;
  }
  return {
    label: head.labels[best] as string,
    probabilities: scores,
    labels: head.labels,
    confidence: scores[best] as number,
  };
}

export function modelFromArtifact(input: unknown): CompactModel {
  const checked = validateArtifact(input);
  if (!checked.ok) throw new Error(`invalid model artifact: ${checked.error}`);
  const artifact = checked.value;
  const [sentiment, category] = interleaveHeads(
    decodeHead(artifact.heads.sentiment),
    decodeHead(artifact.heads.category),
  );
  return {
    version: artifact.version,
    artifact,
    features: (text, folded) => extractFeatures(text, artifact.features, folded),
    predictSentiment: ({ indices, value }) => predictHead(sentiment, indices, indices.length, value),
    predictCategory: ({ indices, value }) => predictHead(category, indices, indices.length, value),
    predictTokens: (tokens) => {
      const { indices, count, value } = featuresIntoBuffer(tokens, artifact.features);
      return {
        sentiment: predictHead(sentiment, indices, count, value),
        category: predictHead(category, indices, count, value),
      };
    },
  };
}

export function loadModel(path: string): CompactModel {
  return modelFromArtifact(JSON.parse(readFileSync(path, 'utf8')));
}
