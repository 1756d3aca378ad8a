import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFeatures, defaultFeatureConfig } from '../../shared/domain/classify/features.js';
import { trainModel, type TrainingExample } from '../../shared/domain/classify/training.js';
import { modelFromArtifact } from '../../shared/domain/classify/model.js';
import { currentModelPath } from '../../shared/domain/classify/load.js';
import { foldText, tokenizeFolded } from '../../shared/domain/classify/text.js';
import { readFileSync, statSync } from 'node:fs';

const examples: TrainingExample[] = [];
const positives = ['love it', 'great quality', 'works perfectly', 'me encanta', 'super produit', 'sehr gut'];
const negatives = [
  'stopped working',
  'broke after a week',
  'no funciona',
  'ne marche plus',
  'funktioniert nicht',
  'arrived broken',
];
for (let round = 0; round < 20; round++) {
  for (const text of positives)
    examples.push({ text, sentiment: 'positive', category: 'praise', weight: 1, source: 'test' });
  for (const text of negatives)
    examples.push({ text, sentiment: 'negative', category: 'defect', weight: 1, source: 'test' });
}
const options = {
  features: { ...defaultFeatureConfig, bits: 12 },
  sentimentLabels: ['positive', 'neutral', 'negative'],
  categoryLabels: ['defect', 'praise', 'other'],
  categoryBits: 10,
  seed: 3,
  epochs: 4,
  learningRate: 0.4,
  l2: 1e-5,
  sources: [],
  notes: [],
  versionPrefix: 'test',
};

void test('features are deterministic and inflections share character n-grams', () => {
  const a = extractFeatures('Cremallera rota', defaultFeatureConfig);
  const b = extractFeatures('Cremallera rota', defaultFeatureConfig);
  assert.deepEqual(a, b);
  const plural = new Set(extractFeatures('cremalleras', defaultFeatureConfig).indices);
  const shared = [...extractFeatures('cremallera', defaultFeatureConfig).indices].filter((index) =>
    plural.has(index),
  );
  assert.ok(shared.length >= 10);
  assert.equal(extractFeatures('', defaultFeatureConfig).indices.length, 0);
});

void test('training is deterministic and the artifact round-trips', () => {
  const first = trainModel(examples, options);
  const second = trainModel(examples, options);
  assert.deepEqual(first, second);
  const model = modelFromArtifact(JSON.parse(JSON.stringify(first)));
  assert.equal(model.predictSentiment(model.features('love it, great quality')).label, 'positive');
  assert.equal(model.predictSentiment(model.features('broke after a week')).label, 'negative');
  assert.equal(model.predictCategory(model.features('funktioniert nicht')).label, 'defect');
  assert.ok(first.provenance.trainingHash.length === 64);
});

void test('a malformed artifact is rejected', () => {
  assert.throws(() => modelFromArtifact({ format: 'other' }), /invalid model artifact/);
});

void test('the committed model is small and records its training provenance', () => {
  const path = currentModelPath();
  assert.ok(statSync(path).size < 2 * 1024 * 1024);
  const model = modelFromArtifact(JSON.parse(readFileSync(path, 'utf8')));
  const sources = model.artifact.provenance.sources.map((source) => source.name);
  assert.ok(sources.includes('project templates'));
  assert.ok(!sources.some((name) => /uci/i.test(name)));
  for (const source of model.artifact.provenance.sources) assert.ok(source.licence.length > 0);
});

void test('inference on tokens (interleaved heads, shared buffer) equals features and the two heads', () => {
  const model = modelFromArtifact(JSON.parse(readFileSync(currentModelPath(), 'utf8')));
  const texts = [
    '',
    'Der Akku wurde sehr heiß, fast verbrannt!',
    "Le colis est arrivé écrasé, l'écran est fêlé",
    'not good at all ! great 🙂',
    'x'.repeat(2000),
  ];
  for (const text of texts) {
    const features = model.features(text);
    const both = model.predictTokens(tokenizeFolded(foldText(text)).featureTokens);
    assert.deepEqual(both.sentiment, model.predictSentiment(features));
    assert.deepEqual(both.category, model.predictCategory(features));
  }
  // Features kept by the caller are not changed by later calls.
  const first = model.features('cremallera rota');
  const copy = Array.from(first.indices);
  model.features('something else entirely, and longer than the first text');
  assert.deepEqual(Array.from(first.indices), copy);
});
