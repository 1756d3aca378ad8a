/**
 * Throughput of the classify stage's local path (rules + compact model) on one thread, and of
 * the whole stage handler with in-memory ports. Standalone: `node --import tsx bench/classify.ts`.
 * Texts are generated here from a few written phrases (no reference data needed).
 */
import { pathToFileURL } from 'node:url';
import functions from '@azure/functions';
import { buildClassifier } from '../shared/domain/classify/classifier.js';
import { loadLocalClassifierFiles } from '../shared/domain/classify/load.js';
import type { ClassifyInput } from '../shared/domain/classify/labels.js';
import { makeClassify } from '../shared/stages/classify.js';
import { MemoryReviewQueue } from '../shared/domain/review.js';
import { MemoryFeedbackStore, MemoryPublisher, MemoryQuarantine } from '../shared/adapters/memory.js';
import type { NormalizedEvent } from '../shared/domain/events.js';

const phrases: [string, string][] = [
  ['en', 'The kettle stopped working after two weeks and support never replied.'],
  ['en', 'Love these boots, super comfy and arrived early! Would buy again.'],
  ['en', 'Runs small, ordered my usual size and it is way too tight around the chest.'],
  ['es', 'La cremallera se rompió a la semana, muy mala calidad para el precio que tiene.'],
  ['es', 'Me encanta, funciona perfecto y llegó antes de tiempo.'],
  ['fr', "Le colis est arrivé écrasé et l'écran est fêlé, très déçu."],
  ['fr', 'Toujours pas remboursé après trois semaines, le service client ne répond pas.'],
  ['de', 'Der Akku hat sich aufgebläht und wurde sehr heiß, fast verbrannt.'],
  ['de', 'Passt perfekt, tolle Qualität, schnelle Lieferung. Danke!'],
  ['de', 'Falsche Farbe geliefert und die Anleitung fehlt.'],
];

function inputs(count: number): ClassifyInput[] {
  return Array.from({ length: count }, (_, index) => {
    const [language, text] = phrases[index % phrases.length] as [string, string];
    // Vary the text a little so nothing is trivially repeated.
    return {
      text: `${text} #${index % 97}`,
      language,
      rating: (index % 5) + 1,
      isSpam: false,
      components: [],
    };
  });
}

function measure(count: number, run: (index: number) => void): { wall: number; cpu: number } {
  for (let index = 0; index < Math.min(1000, count); index++) run(index);
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let index = 0; index < count; index++) run(index);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  return { wall: Math.round(count / seconds), cpu: Math.round(count / ((cpu.user + cpu.system) / 1e6)) };
}

function event(index: number, input: ClassifyInput): NormalizedEvent {
  const id = index.toString(16).padStart(32, '0');
  return {
    schemaVersion: 1,
    feedbackId: id,
    revision: 'r1',
    source: 'generic',
    sourceId: `bench-${index}`,
    tenant: 'bench',
    channel: 'review',
    eventTime: '2026-11-27T10:00:00.000Z',
    productKey: `SKU-${index % 50}`,
    lineage: { rawBlob: `raw/generic/bench/${index}.json`, receivedAt: '2026-11-27T10:00:00.000Z' },
    normalized: {
      text: input.text,
      rating: input.rating,
      product: {},
      customer: {},
      language: { code: input.language, confidence: 0.9, mixed: false },
      piiTypes: [],
      spam: { isSpam: false, reasons: [] },
      duplicate: {},
      textHash: id,
      entities: { products: [], components: [], milestones: [], carriers: [], orderTokens: [] },
    },
  };
}

export async function benchClassify(options: { items?: number } = {}): Promise<Record<string, number>> {
  const count = options.items ?? 40_000;
  const files = loadLocalClassifierFiles();
  const classifier = buildClassifier(files);
  const items = inputs(2000);
  const local = measure(count, (index) => {
    classifier.classifyLocal(items[index % items.length] as ClassifyInput);
  });
  const model = measure(count, (index) => {
    const features = files.model.features((items[index % items.length] as ClassifyInput).text);
    files.model.predictSentiment(features);
    files.model.predictCategory(features);
  });

  const batchSize = 100;
  const batches = Math.max(1, Math.floor(Math.min(count, 10_000) / batchSize));
  const events = items.map((input, index) => event(index, input));
  const feedbackStore = new MemoryFeedbackStore();
  for (const item of events)
    await feedbackStore.putNormalized(item.feedbackId, item.revision, {}, item.normalized);
  const handler = makeClassify({
    publisher: new MemoryPublisher(),
    feedbackStore,
    quarantine: new MemoryQuarantine(),
    reviewQueue: new MemoryReviewQueue(),
    classifier,
    confidenceThreshold: 0.55,
    clock: () => new Date('2026-11-27T10:00:00.000Z'),
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const context = new functions.InvocationContext({ invocationId: 'bench', functionName: 'classify' });
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let batch = 0; batch < batches; batch++) {
    const start = (batch * batchSize) % events.length;
    await handler(events.slice(start, start + batchSize), context);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const handled = batches * batchSize;
  return {
    'classify.local.itemsPerSecond': local.wall,
    'classify.local.itemsPerCpuSecond': local.cpu,
    'classify.model.itemsPerSecond': model.wall,
    'classify.model.itemsPerCpuSecond': model.cpu,
    'classify.stage.itemsPerSecond': Math.round(handled / seconds),
    'classify.stage.itemsPerCpuSecond': Math.round(handled / ((cpu.user + cpu.system) / 1e6)),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void benchClassify().then((results) => {
    for (const [name, value] of Object.entries(results)) console.log(`${name.padEnd(40)} ${value}`);
  });
}
