/** The score stage handler with in-memory ports: parsing, quarantine, outputs, suppression, borrowing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScoredEvent } from '../../shared/domain/events.js';
import {
  CountingFeatureStore,
  featureKeys,
  incidentKeyOf,
  MemoryFeatureStore,
  type CategoryBaseline,
  type FeatureStore,
} from '../../shared/domain/score/index.js';
import { hubs } from '../../shared/topology.js';
import { firedAlerts, makeHarness, testContext } from '../fixtures/score/harness.js';
import { batches, generateSeries, makeClassifiedEvent } from '../fixtures/score/synthetic.js';

const event = (id: string, extra: Partial<Parameters<typeof makeClassifiedEvent>[0]> = {}) =>
  makeClassifiedEvent({
    id,
    productKey: 'SKU-9',
    eventTime: '2026-05-01T10:00:00.000Z',
    category: 'defect',
    customerToken: `c-${id}`,
    ...extra,
  });

void test('scores a batch: JSON strings parse, invalid items are quarantined, the rest is published and stored', async () => {
  const harness = makeHarness({
    catalog: {
      currency: 'EUR',
      products: [{ sku: 'SKU-9', priceCents: 4999, strategic: true, supplier: 'acme' }],
    },
  });
  const good = event('good', { confidence: 0.95 });
  const { normalized, classification: _c, ...header } = good;
  await harness.feedbackStore.putNormalized(good.feedbackId, good.revision, header, normalized);
  const invalid = { ...event('bad'), classification: { primaryCategory: 'defect' } };
  const future = event('future', { eventTime: '2027-03-01T00:00:00.000Z' });
  await harness.handler([JSON.stringify(good), invalid, '{not json', future], testContext());

  assert.equal(harness.quarantine.entries.size, 3);
  const reasons = [...harness.quarantine.entries.values()].map((entry) => [entry.stage, entry.reason]).sort();
  assert.deepEqual(reasons, [
    ['score', 'event time in the future'],
    ['score', 'invalid classified event'],
    ['score', 'not JSON'],
  ]);
  const sent = harness.publisher.sent.get(hubs.scored.name) ?? [];
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.partitionKey, 'SKU-9');
  const scored = sent[0]!.body as ScoredEvent;
  assert.equal(scored.score.decision, 'ticket_candidate');
  assert.equal(scored.score.incidentKey, incidentKeyOf('SKU-9', 'defect'));
  assert.equal(scored.score.whyItMatters.revenueAtRiskCents, 4999);
  assert.equal(scored.score.whyItMatters.strategicProduct, true);
  assert.equal(scored.lineage.scoredAt, '2027-01-01T00:00:00.000Z');
  assert.deepEqual(scored.classification, good.classification, 'earlier blocks untouched');
  const stored = await harness.feedbackStore.get(good.feedbackId);
  assert.deepEqual(stored?.score, scored.score);
});

void test('a failing feature store fails the batch so the trigger retries', async () => {
  const failing: FeatureStore = {
    read: () => Promise.reject(new Error('503 service unavailable')),
    write: () => Promise.reject(new Error('503')),
    setField: () => Promise.reject(new Error('503')),
  };
  const harness = makeHarness({ featureStore: failing });
  await assert.rejects(harness.handler([event('x')], testContext()), /503/);
  assert.equal(harness.publisher.bodies(hubs.scored.name).length, 0);
});

void test('a spike covered by an expected event is an alert suppressed with the configured reason', async () => {
  const harness = makeHarness({
    settings: {
      expectedEvents: {
        version: 'test',
        events: [
          {
            id: 'peak',
            reason: 'expected event: peak-season carrier delays',
            from: '2026-10-01T00:00:00Z',
            to: '2026-11-01T00:00:00Z',
            categories: ['delivery'],
          },
        ],
      },
    },
  });
  const scored = await harness.run(
    generateSeries({
      seed: 3,
      start: '2026-09-01T00:00:00Z',
      days: 36,
      rates: { 'SKU-D': { delivery: 10, praise: 10 } },
      spikes: [
        { productKey: 'SKU-D', category: 'delivery', start: '2026-10-06T10:00:00Z', hours: 3, perHour: 20 },
      ],
    }),
    100,
  );
  assert.equal(firedAlerts(scored).length, 0);
  const suppressed = scored.filter((item) => item.score.decision === 'alert');
  assert.ok(suppressed.length > 0);
  assert.ok(
    suppressed.every(
      (item) => item.score.suppressed?.reason === 'expected event: peak-season carrier delays (peak)',
    ),
  );
});

void test('a new product borrows its category baseline and alerts on a launch-day spike', async () => {
  const store = new MemoryFeatureStore();
  const harness = makeHarness({ featureStore: store });
  await harness.run(
    generateSeries({
      seed: 4,
      start: '2026-09-01T00:00:00Z',
      days: 35,
      rates: { 'OLD-1': { defect: 6 }, 'OLD-2': { defect: 4 }, 'OLD-3': { defect: 8 } },
    }),
    100,
  );
  const category = (await store.read<CategoryBaseline>(featureKeys.category('defect')))?.value;
  assert.deepEqual(Object.keys(category?.products ?? {}).sort(), ['OLD-1', 'OLD-2', 'OLD-3']);
  const launch = generateSeries({
    seed: 5,
    start: '2026-10-05T00:00:00Z',
    days: 1,
    rates: {},
    spikes: [
      { productKey: 'NEW-1', category: 'defect', start: '2026-10-05T09:00:00Z', hours: 4, perHour: 15 },
    ],
  });
  const scored = await harness.run(launch, 100);
  const fired = firedAlerts(scored);
  assert.equal(fired.length, 1);
  assert.equal(fired[0]!.productKey, 'NEW-1');
  assert.equal(fired[0]!.score.provenance.baseline, 'category');
});

void test('grouping by product keeps feature-store operations well under 3 per item', async () => {
  const store = new CountingFeatureStore(new MemoryFeatureStore());
  const harness = makeHarness({ featureStore: store });
  const events = generateSeries({
    seed: 9,
    start: '2026-05-01T00:00:00Z',
    days: 10,
    rates: {
      'A-1': { defect: 20, praise: 40 },
      'A-2': { delivery: 30 },
      'A-3': { sizing_fit: 25, praise: 10 },
    },
  });
  for (const batch of batches(events, 100)) await harness.handler(batch, testContext());
  const perItem = store.total / events.length;
  assert.ok(perItem < 1, `feature-store operations per item ${perItem}`);
});

void test('supplier recurrence aggregates defect evidence across the supplier’s products', async () => {
  const harness = makeHarness({
    catalog: {
      products: [
        { sku: 'SUP-1', supplier: 'acme' },
        { sku: 'SUP-2', supplier: 'acme' },
      ],
    },
  });
  const scored = await harness.run(
    generateSeries({
      seed: 12,
      start: '2026-05-01T00:00:00Z',
      days: 6,
      rates: { 'SUP-1': { defect: 6 }, 'SUP-2': { quality: 4, praise: 5 } },
    }),
    10,
  );
  const last = scored.filter((item) => item.score.decision === 'ticket_candidate').at(-1)!;
  const recurrence = last.score.whyItMatters.supplierRecurrence28d as {
    defectItems: number;
    products: number;
  };
  assert.equal(recurrence.products, 2);
  assert.ok(recurrence.defectItems > 20, `defect items ${recurrence.defectItems}`);
  assert.equal(last.score.whyItMatters.supplier, 'acme');
});
