/**
 * The score stage on synthetic event-time series (seeded), through the real handler with
 * in-memory ports: spikes alert fast, steady and seasonal noise stay quiet, replays are
 * identical, and concurrent writers lose no count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScoredEvent } from '../../shared/domain/events.js';
import {
  countsInDays,
  featureKeys,
  incidentKeyOf,
  MemoryFeatureStore,
  fromStoredFeatures,
  type StoredProductFeatures,
} from '../../shared/domain/score/index.js';
import { firedAlerts, makeHarness, testContext } from '../fixtures/score/harness.js';
import { batches, generateSeries, makeClassifiedEvent, mulberry32 } from '../fixtures/score/synthetic.js';

const hourProfile = [2, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 8, 8, 8, 7, 7, 7, 8, 9, 9, 7, 5, 3];
const spikeStart = '2026-10-06T10:00:00.000Z';
const spikeSeries = () =>
  generateSeries({
    seed: 7,
    start: '2026-09-01T00:00:00Z',
    days: 36,
    rates: { 'SKU-1': { defect: 12, delivery: 8, praise: 20, sizing_fit: 5 } },
    hourProfile,
    spamRate: 0.02,
    duplicateRate: 0.01,
    spikes: [{ productKey: 'SKU-1', category: 'defect', start: spikeStart, hours: 3, perHour: 20 }],
  });
const blocks = (scored: ScoredEvent[]) => scored.map((event) => [event.feedbackId, event.score]);

void test('a steady baseline with an injected spike alerts once, within the first hour of the spike', async () => {
  const harness = makeHarness();
  const scored = await harness.run(spikeSeries(), 50);
  const fired = firedAlerts(scored);
  assert.equal(fired.length, 1, fired.map((event) => event.score.reasons.join('; ')).join('\n'));
  const alert = fired[0]!;
  assert.equal(alert.score.incidentKey, incidentKeyOf('SKU-1', 'defect'));
  assert.equal(alert.score.anomaly?.kind, 'volume_spike');
  const delay = Date.parse(alert.eventTime) - Date.parse(spikeStart);
  assert.ok(delay >= 0 && delay < 3_600_000, `alert at ${alert.eventTime}`);
  assert.ok(alert.score.anomaly.observed >= 2 * alert.score.anomaly.expected);
  assert.equal(alert.score.ownerTeam, 'quality_engineering');
  // Later significant items of the same episode are evidence, not new alerts.
  const evidence = scored.filter((event) => event.score.decision === 'alert' && event.score.suppressed);
  assert.ok(evidence.length > 0);
  assert.ok(
    evidence.every((event) =>
      event.score.suppressed!.reason.startsWith(`open incident ${alert.score.incidentKey}`),
    ),
  );
});

void test('30 days of steady noise raise no alert at the default sensitivity', async () => {
  for (const seed of [11, 12]) {
    const harness = makeHarness();
    const scored = await harness.run(
      generateSeries({
        seed,
        start: '2026-03-01T00:00:00Z',
        days: 30,
        rates: {
          'LOW-1': { defect: 2, delivery: 3, praise: 4 },
          'MID-1': { defect: 12, delivery: 8, sizing_fit: 5, praise: 20 },
          'HIGH-1': { defect: 60, delivery: 90, praise: 150 },
        },
        hourProfile,
        spamRate: 0.02,
        duplicateRate: 0.01,
      }),
      100,
    );
    const alerts = scored.filter((event) => event.score.decision === 'alert');
    assert.equal(alerts.length, 0, alerts.map((event) => event.score.reasons.join('; ')).join('\n'));
  }
});

void test('a weekly seasonal pattern does not alert', async () => {
  const harness = makeHarness();
  const scored = await harness.run(
    generateSeries({
      seed: 21,
      start: '2026-01-05T00:00:00Z',
      days: 49,
      rates: { 'SEASONAL-1': { defect: 10, delivery: 15, praise: 30 } },
      hourProfile,
      // Weekends three times the weekday volume.
      weekdayProfile: [3, 1, 1, 1, 1, 1.2, 3],
    }),
    100,
  );
  const alerts = scored.filter((event) => event.score.decision === 'alert');
  assert.equal(alerts.length, 0, alerts.map((event) => event.score.reasons.join('; ')).join('\n'));
});

void test('replaying the whole series gives identical state and decisions', async () => {
  const events = spikeSeries();
  const first = makeHarness();
  const original = await first.run(events, 50);
  const snapshot = (first.featureStore as MemoryFeatureStore).snapshot();

  // A fresh store with different batch boundaries.
  const second = makeHarness();
  const rerun = await second.run(events, 7);
  assert.deepEqual((second.featureStore as MemoryFeatureStore).snapshot(), snapshot);
  assert.deepEqual(blocks(rerun), blocks(original));

  // Redelivering everything to the same store changes nothing.
  const replayed = await first.run(events, 100);
  assert.deepEqual((first.featureStore as MemoryFeatureStore).snapshot(), snapshot);
  assert.deepEqual(blocks(replayed), blocks(original));
});

void test('many parallel updates to one product lose no count, through ETag conflicts', async () => {
  const store = new MemoryFeatureStore({ yieldBetweenOperations: true });
  const rand = mulberry32(5);
  let injected = 0;
  store.injectConflict = () => {
    const conflict = rand() < 0.2;
    if (conflict) injected += 1;
    return conflict;
  };
  const items = Array.from({ length: 400 }, (_, i) =>
    makeClassifiedEvent({
      id: `parallel-${i}`,
      productKey: 'HOT-1',
      eventTime: new Date(Date.parse('2026-06-01T00:00:00Z') + i * 60_000).toISOString(),
      category: i % 3 === 0 ? 'delivery' : 'defect',
      customerToken: `customer-${i}`,
    }),
  );
  const writers = Array.from({ length: 8 }, () => makeHarness({ featureStore: store }));
  await Promise.all(
    writers.map(async (writer, w) => {
      for (const batch of batches(
        items.filter((_, i) => i % 8 === w),
        10,
      ))
        await writer.handler(batch, testContext());
    }),
  );
  const state = fromStoredFeatures(
    (await store.read<StoredProductFeatures>(featureKeys.product('HOT-1')))!.value,
  );
  const counted = countsInDays(state, 'defect', 0, 1e6).n + countsInDays(state, 'delivery', 0, 1e6).n;
  assert.equal(counted, 400);
  // One marker (" <key><tag>") per counted item.
  const markers = Object.values(state.hours).reduce(
    (sum, bucket) => sum + (bucket.seen?.match(/ /g)?.length ?? 0),
    0,
  );
  assert.equal(markers, 400);
  assert.ok(injected > 0, 'conflicts were exercised');
  const published = writers.reduce(
    (sum, writer) => sum + writer.publisher.bodies('feedback-scored').length,
    0,
  );
  assert.equal(published, 400);
});
