import { test } from 'node:test';
import assert from 'node:assert/strict';
import functions from '@azure/functions';
import { makeClassify, buildClassifier, type ClassifyDeps } from '../../shared/stages/classify.js';
import { loadLocalClassifierFiles } from '../../shared/domain/classify/load.js';
import {
  MemoryFeedbackStore,
  MemoryLogger,
  MemoryPublisher,
  MemoryQuarantine,
} from '../../shared/adapters/memory.js';
import { MemoryReviewQueue } from '../../shared/domain/review.js';
import { validateClassifiedEvent, type NormalizedEvent } from '../../shared/domain/events.js';
import { hubs } from '../../shared/topology.js';
import { normalizedEvent } from '../fixtures/classify/events.js';

const files = loadLocalClassifierFiles();
const classifier = buildClassifier(files);
const now = new Date('2026-11-20T10:05:00.000Z');

function setup(overrides: Partial<ClassifyDeps> = {}) {
  const publisher = new MemoryPublisher();
  const feedbackStore = new MemoryFeedbackStore();
  const quarantine = new MemoryQuarantine();
  const reviewQueue = new MemoryReviewQueue();
  const logger = new MemoryLogger();
  const deps: ClassifyDeps = {
    publisher,
    feedbackStore,
    quarantine,
    reviewQueue,
    classifier,
    confidenceThreshold: 0.55,
    clock: () => now,
    logger,
    ...overrides,
  };
  return { handler: makeClassify(deps), publisher, feedbackStore, quarantine, reviewQueue, logger };
}

async function stored(store: MemoryFeedbackStore, event: NormalizedEvent) {
  await store.putNormalized(
    event.feedbackId,
    event.revision,
    { feedbackId: event.feedbackId },
    event.normalized,
  );
}

const context = () =>
  new functions.InvocationContext({ invocationId: 'test-invocation', functionName: 'classify' });

void test('classifies a batch, stores the block and publishes with the product key', async () => {
  const { handler, publisher, feedbackStore } = setup();
  const events = [
    normalizedEvent({ text: 'The kettle stopped working after a week.', rating: 1, productKey: 'SKU-A' }),
    normalizedEvent({ text: 'Le chargeur a fondu et a pris feu !', language: 'fr', productKey: 'SKU-B' }),
  ];
  for (const event of events) await stored(feedbackStore, event);
  // One message arrives as a string, as with dataType 'string'.
  await handler([events[0], JSON.stringify(events[1])], context());
  const sent = publisher.sent.get(hubs.classified.name) ?? [];
  assert.equal(sent.length, 2);
  assert.deepEqual(
    sent.map((event) => event.partitionKey),
    ['SKU-A', 'SKU-B'],
  );
  for (const event of sent) assert.equal(validateClassifiedEvent(event.body).ok, true);
  const [first, second] = sent.map(
    (event) =>
      event.body as {
        classification: { severity: string; primaryCategory: string; ownerTeam: string };
        lineage: { classifiedAt: string };
      },
  );
  assert.equal(first!.classification.primaryCategory, 'defect');
  assert.equal(first!.classification.ownerTeam, 'quality_engineering');
  assert.equal(first!.lineage.classifiedAt, now.toISOString());
  assert.equal(second!.classification.severity, 'critical');
  const doc = await feedbackStore.get(events[1]!.feedbackId);
  assert.equal((doc?.classification as { severity: string }).severity, 'critical');
});

void test('an invalid item is quarantined and the batch goes on', async () => {
  const { handler, publisher, quarantine, feedbackStore } = setup();
  const good = normalizedEvent({ text: 'Runs small, order a size up.' });
  await stored(feedbackStore, good);
  const bad = { ...normalizedEvent({ text: 'no language' }), normalized: { text: 'x' } };
  await handler(['{not json', bad, good], context());
  assert.equal(publisher.bodies(hubs.classified.name).length, 1);
  const entries = [...quarantine.entries.values()];
  assert.equal(entries.length, 2);
  assert.ok(entries.every((entry) => entry.stage === 'classify' && entry.id.startsWith('classify:')));
  assert.ok(entries.some((entry) => entry.reason === 'body is not JSON'));
  assert.ok(
    entries.some(
      (entry) => entry.id === `classify:${bad.feedbackId}` && entry.reason === 'invalid normalized event',
    ),
  );
});

void test('an uncertain item goes to the review queue with its candidate labels', async () => {
  const { handler, reviewQueue, feedbackStore, publisher } = setup({ confidenceThreshold: 0.99 });
  const event = normalizedEvent({ text: 'It is a lamp.', rating: 3 });
  await stored(feedbackStore, event);
  await handler([event], context());
  const pending = await reviewQueue.listPending(10);
  assert.equal(pending.length, 1);
  assert.equal(pending[0]!.id, event.feedbackId);
  assert.equal(pending[0]!.text, 'It is a lamp.');
  assert.ok(pending[0]!.candidates.primaryCategory.length > 0);
  const body = publisher.bodies(hubs.classified.name)[0] as { classification: { needsReview: boolean } };
  assert.equal(body.classification.needsReview, true);
});

void test('a superseded revision is not published', async () => {
  const { handler, feedbackStore, publisher } = setup();
  const newer = normalizedEvent({ text: 'Broke after a day.', revision: '2026-11-21T00:00:00.000Z' });
  await stored(feedbackStore, newer);
  await handler([{ ...newer, revision: '2026-11-20T00:00:00.000Z' }], context());
  assert.equal(publisher.bodies(hubs.classified.name).length, 0);
});

void test('a failing publisher or store throws so the host retries', async () => {
  const event = normalizedEvent({ text: 'Wrong colour sent.' });
  const failingPublisher = setup({
    publisher: { publish: () => Promise.reject(new Error('hub unavailable')) },
  });
  await stored(failingPublisher.feedbackStore, event);
  await assert.rejects(failingPublisher.handler([event], context()), /hub unavailable/);
  const failingStore = setup();
  failingStore.feedbackStore.putBlock = () => Promise.reject(new Error('cosmos 503'));
  await assert.rejects(failingStore.handler([event], context()), /cosmos 503/);
});

void test('redelivery of the same batch changes nothing', async () => {
  const { handler, feedbackStore, reviewQueue } = setup({ confidenceThreshold: 0.99 });
  const event = normalizedEvent({ text: 'Okay I guess.' });
  await stored(feedbackStore, event);
  await handler([event], context());
  const first = await feedbackStore.get(event.feedbackId);
  await handler([event], context());
  assert.deepEqual(await feedbackStore.get(event.feedbackId), first);
  assert.equal((await reviewQueue.listPending(10)).length, 1);
});
