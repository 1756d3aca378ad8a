/**
 * Training of the compact model: multinomial logistic regression by SGD over hashed features,
 * seeded shuffling and no wall-clock input, so the same examples give the same artifact.
 */
import { createHash } from 'node:crypto';
import { extractFeatures, type FeatureConfig } from './features.js';
import { encodeHead, MODEL_FORMAT, type ModelArtifact, type TrainingSource } from './model.js';

export interface TrainingExample {
  text: string;
  sentiment?: string;
  category?: string;
  /** Relative trust in the example's labels (silver or lexicon data below 1). */
  weight: number;
  source: string;
}

export interface TrainingOptions {
  features: FeatureConfig;
  sentimentLabels: string[];
  categoryLabels: string[];
  /** Bits of the category head (<= features.bits); fewer classes of evidence need fewer buckets. */
  categoryBits: number;
  seed: number;
  epochs: number;
  learningRate: number;
  l2: number;
  sources: TrainingSource[];
  notes: string[];
  versionPrefix: string;
}

/** mulberry32: a tiny seeded generator, enough for shuffling. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

interface Row {
  indices: Uint32Array;
  value: number;
  label: number;
  weight: number;
}

function trainHead(
  rows: Row[],
  classes: number,
  bits: number,
  options: TrainingOptions,
  random: () => number,
) {
  const mask = (1 << bits) - 1;
  const weights = new Float64Array((1 << bits) * classes);
  const bias = new Float64Array(classes);
  const counts = new Float64Array(classes);
  for (const row of rows) counts[row.label] = (counts[row.label] as number) + row.weight;
  const total = counts.reduce((sum, count) => sum + count, 0);
  // Balanced classes: a rare category counts as much as a common one, within limits.
  const classWeight = Array.from(counts, (count) =>
    count === 0 ? 0 : Math.min(4, Math.max(0.25, total / (classes * count))),
  );
  const order = rows.map((_, index) => index);
  const probabilities = new Float64Array(classes);
  let step = 0;
  const totalSteps = options.epochs * rows.length;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let index = order.length - 1; index > 0; index--) {
      const other = Math.floor(random() * (index + 1));
      [order[index], order[other]] = [order[other] as number, order[index] as number];
    }
    for (const rowIndex of order) {
      const row = rows[rowIndex] as Row;
      const rate = options.learningRate * (1 - step / totalSteps) + options.learningRate * 0.02;
      step++;
      let max = -Infinity;
      for (let label = 0; label < classes; label++) {
        let score = bias[label] as number;
        for (const feature of row.indices)
          score += (weights[(feature & mask) * classes + label] as number) * row.value;
        probabilities[label] = score;
        if (score > max) max = score;
      }
      let sum = 0;
      for (let label = 0; label < classes; label++) {
        probabilities[label] = Math.exp((probabilities[label] as number) - max);
        sum += probabilities[label] as number;
      }
      const scale = rate * row.weight * (classWeight[row.label] as number);
      for (let label = 0; label < classes; label++) {
        const gradient = (probabilities[label] as number) / sum - (label === row.label ? 1 : 0);
        if (gradient === 0) continue;
        bias[label] = (bias[label] as number) - scale * gradient * 0.1;
        for (const feature of row.indices) {
          const at = (feature & mask) * classes + label;
          const current = weights[at] as number;
          // Sparse L2: decay only the weights this example touches.
          weights[at] = current - scale * (gradient * row.value + options.l2 * current);
        }
      }
    }
  }
  return { weights, bias };
}

export function trainingHash(examples: TrainingExample[]): string {
  const hash = createHash('sha256');
  for (const example of examples) {
    hash.update(
      `${example.source}\t${example.sentiment ?? ''}\t${example.category ?? ''}\t${example.weight}\t${example.text}\n`,
    );
  }
  return hash.digest('hex');
}

export function trainModel(examples: TrainingExample[], options: TrainingOptions): ModelArtifact {
  const random = seededRandom(options.seed);
  const sentimentRows: Row[] = [];
  const categoryRows: Row[] = [];
  for (const example of examples) {
    const features = extractFeatures(example.text, options.features);
    if (features.indices.length === 0) continue;
    if (example.sentiment !== undefined) {
      const label = options.sentimentLabels.indexOf(example.sentiment);
      if (label < 0) throw new Error(`unknown sentiment label ${example.sentiment}`);
      sentimentRows.push({ ...features, label, weight: example.weight });
    }
    if (example.category !== undefined) {
      const label = options.categoryLabels.indexOf(example.category);
      if (label < 0) throw new Error(`unknown category ${example.category}`);
      categoryRows.push({ ...features, label, weight: example.weight });
    }
  }
  const sentiment = trainHead(
    sentimentRows,
    options.sentimentLabels.length,
    options.features.bits,
    options,
    random,
  );
  const category = trainHead(
    categoryRows,
    options.categoryLabels.length,
    options.categoryBits,
    options,
    random,
  );
  const hash = trainingHash(examples);
  // The version covers the data and the settings, so a retrain with other settings is a new version.
  const settings = JSON.stringify([
    options.features,
    options.categoryBits,
    options.seed,
    options.epochs,
    options.learningRate,
    options.l2,
  ]);
  const version = createHash('sha256').update(`${hash}\u0000${settings}`).digest('hex').slice(0, 8);
  return {
    format: MODEL_FORMAT,
    version: `${options.versionPrefix}-${version}`,
    features: options.features,
    heads: {
      sentiment: encodeHead(
        options.sentimentLabels,
        options.features.bits,
        sentiment.weights,
        sentiment.bias,
      ),
      category: encodeHead(options.categoryLabels, options.categoryBits, category.weights, category.bias),
    },
    provenance: {
      sources: options.sources,
      trainingHash: hash,
      seed: options.seed,
      epochs: options.epochs,
      notes: [
        ...options.notes,
        `sentiment rows ${sentimentRows.length}, category rows ${categoryRows.length}`,
      ],
    },
  };
}
