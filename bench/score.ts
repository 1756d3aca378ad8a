/**
 * Score stage throughput and cost: items scored per second in-process (in-memory feature store,
 * null publisher), and feature-store point operations per item (the request-unit proxy), counted
 * with a wrapper around the store. Batches are shaped like an Event Hubs partition's: 64 events
 * (host.json `maxEventBatchSize`, what the trigger delivers when it is behind) in event-time
 * order from the products that hash to that partition. The feature store serializes every
 * document it is given, as a database client would; the feedback store has no records, so its
 * writes return at once (its cost is the adapter's and is counted as operations, not time).
 *
 * Standalone: node --import tsx bench/score.ts   (or node dist/bench/score.js)
 * Against Cosmos: benchScoreCosmosOps(container) with a container of the `features` shape (/key).
 */
import type { Container } from '@azure/cosmos';
import { pathToFileURL } from 'node:url';
import { MemoryFeedbackStore, MemoryQuarantine } from '../shared/adapters/memory.js';
import { CosmosFeatureStore } from '../shared/adapters/cosmos-feature-store.js';
import type { ClassifiedEvent } from '../shared/domain/events.js';
import {
  CountingFeatureStore,
  MemoryFeatureStore,
  type FeatureStore,
} from '../shared/domain/score/feature-store.js';
import { defaultScoreSettings } from '../shared/domain/score/settings.js';
import type { EventPublisher, FeedbackStore, Logger } from '../shared/stages/ports.js';
import { makeScore } from '../shared/stages/score.js';
import { batches, generateSeries } from '../test/fixtures/score/synthetic.js';

const PARTITIONS = 4;
const BATCH = 64;

const nullLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const nullPublisher: EventPublisher = { publish: () => Promise.resolve() };
const context = { invocationId: 'bench', functionName: 'score' } as unknown as Parameters<
  ReturnType<typeof makeScore>
>[1];

/** Counts feedback-store point operations (putBlock and get). */
class CountingFeedbackStore implements FeedbackStore {
  operations = 0;
  constructor(private readonly inner: FeedbackStore) {}
  get(feedbackId: string) {
    this.operations += 1;
    return this.inner.get(feedbackId);
  }
  putNormalized(...args: Parameters<FeedbackStore['putNormalized']>) {
    return this.inner.putNormalized(...args);
  }
  putBlock(...args: Parameters<FeedbackStore['putBlock']>) {
    this.operations += 1;
    return this.inner.putBlock(...args);
  }
}

/** Events of `products` products over `days` days, split into per-partition batches. */
export function benchStream(
  products: number,
  days: number,
  seed = 1,
  batchSize = BATCH,
): ClassifiedEvent[][] {
  const rates: Record<string, Record<string, number>> = {};
  for (let p = 0; p < products; p++) {
    const scale = 1 + (p % 5);
    rates[`BENCH-${p}`] = { defect: 3 * scale, delivery: 2 * scale, praise: 5 * scale, sizing_fit: scale };
  }
  const events = generateSeries({
    seed,
    start: '2026-04-01T00:00:00Z',
    days,
    rates,
    spamRate: 0.02,
    duplicateRate: 0.01,
  });
  const partitions: ClassifiedEvent[][] = Array.from({ length: PARTITIONS }, () => []);
  for (const event of events) partitions[Number(event.productKey.slice(6)) % PARTITIONS]!.push(event);
  // Interleave the partitions' batches the way four consumers would see them.
  const perPartition = partitions.map((list) => batches(list, batchSize));
  const out: ClassifiedEvent[][] = [];
  for (let i = 0; i < Math.max(...perPartition.map((list) => list.length)); i++) {
    for (const list of perPartition) if (list[i]) out.push(list[i]!);
  }
  return out;
}

async function run(
  stream: ClassifiedEvent[][],
  featureStore: FeatureStore,
): Promise<{ seconds: number; cpuSeconds: number; items: number; feedbackOps: number }> {
  const feedbackStore = new CountingFeedbackStore(new MemoryFeedbackStore());
  const handler = makeScore({
    publisher: nullPublisher,
    feedbackStore,
    featureStore,
    quarantine: new MemoryQuarantine(),
    catalog: { products: [] },
    settings: defaultScoreSettings,
    clock: () => new Date('2026-06-01T00:00:00Z'),
    logger: nullLogger,
  });
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  let items = 0;
  for (const batch of stream) {
    await handler(batch, context);
    items += batch.length;
  }
  const cpu = process.cpuUsage(cpuStarted);
  return {
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    items,
    feedbackOps: feedbackStore.operations,
  };
}

export async function benchScore(options: { batchSize?: number } = {}): Promise<Record<string, number>> {
  const stream = benchStream(40, 35, 1, options.batchSize);
  await run(stream.slice(0, 50), new MemoryFeatureStore()); // warm-up
  const counting = new CountingFeatureStore(new MemoryFeatureStore());
  const result = await run(stream, counting);
  return {
    'score.inMemory.items': result.items,
    'score.inMemory.itemsPerSecond': Math.round(result.items / result.seconds),
    // Less sensitive to other processes on a busy machine than the wall-clock rate.
    'score.inMemory.itemsPerCpuSecond': Math.round(result.items / result.cpuSeconds),
    'score.featureStore.opsPerItem': Number((counting.total / result.items).toFixed(3)),
    'score.feedbackStore.opsPerItem': Number((result.feedbackOps / result.items).toFixed(3)),
    'score.cosmos.opsPerItem': Number(((counting.total + result.feedbackOps) / result.items).toFixed(3)),
  };
}

/** Point operations per item against a real container (e.g. the local Cosmos emulator). */
export async function benchScoreCosmosOps(
  container: Container,
  size: { products?: number; days?: number } = {},
): Promise<Record<string, number>> {
  const stream = benchStream(size.products ?? 12, size.days ?? 32, 2);
  const counting = new CountingFeatureStore(new CosmosFeatureStore(container));
  const result = await run(stream, counting);
  return {
    'score.cosmos.items': result.items,
    'score.cosmos.itemsPerSecond': Math.round(result.items / result.seconds),
    'score.cosmos.featureOpsPerItem': Number((counting.total / result.items).toFixed(3)),
    'score.cosmos.conflicts': counting.counts.conflicts,
    'score.cosmos.opsPerItemWithRecord': Number(
      ((counting.total + result.feedbackOps) / result.items).toFixed(3),
    ),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void benchScore().then((results) => {
    for (const [name, value] of Object.entries(results)) console.log(`${name.padEnd(45)} ${value}`);
  });
}
