/**
 * The classify stage's Cosmos adapters against the local emulator: the review queue (idempotent
 * enqueue per revision, listing, resolve with ETags, export as labelled data) and the LLM cache.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CosmosClient, type Database } from '@azure/cosmos';
import { COSMOS_EMULATOR_KEY, startCosmos } from '../../local/services/cosmos.js';
import { CosmosReviewQueue } from '../../shared/adapters/cosmos-review-queue.js';
import { CosmosLlmCache } from '../../shared/adapters/cosmos-llm-cache.js';
import { labelsFromCandidates, toLabelledExample, type NewReviewItem } from '../../shared/domain/review.js';
import { cacheKey } from '../../shared/domain/classify/llm.js';
import { cosmosContainers } from '../../shared/topology.js';

const item = (id: string, revision: string, createdAt: string): NewReviewItem => ({
  id,
  feedbackId: id,
  revision,
  text: 'It is okay I guess, the lid is a bit loose',
  language: 'en',
  candidates: {
    sentiment: { label: 'neutral', score: 0, confidence: 0.4 },
    primaryCategory: 'quality',
    secondaryCategories: [],
    component: 'lid',
    severity: 'medium',
    intent: 'complaint',
  },
  reasons: ['confidence 0.4 under 0.55'],
  createdAt,
});

void describe('classify Cosmos adapters on the local emulator', () => {
  let dataDir: string;
  let emulator: { endpoint: string; stop(): Promise<void> };
  let database: Database;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'classify-cosmos-'));
    emulator = await startCosmos({ dataDir });
    const client = new CosmosClient({
      endpoint: emulator.endpoint,
      key: COSMOS_EMULATOR_KEY,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    ({ database } = await client.databases.createIfNotExists({ id: 'classify-test' }));
    for (const container of [cosmosContainers.reviewQueue, cosmosContainers.llmCache]) {
      await database.containers.createIfNotExists({
        id: container.name,
        partitionKey: { paths: [container.partitionKey] },
      });
    }
  });

  after(async () => {
    await emulator?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  void it('enqueues once per revision, lists oldest first and resolves with the reviewer labels', async () => {
    const queue = new CosmosReviewQueue(database.container(cosmosContainers.reviewQueue.name));
    const a = 'a'.repeat(32);
    const b = 'b'.repeat(32);
    await queue.enqueue(item(b, 'r1', '2026-11-20T10:02:00.000Z'));
    await queue.enqueue(item(a, 'r2', '2026-11-20T10:01:00.000Z'));
    await queue.enqueue(item(a, 'r1', '2026-11-20T10:03:00.000Z'));
    const pending = await queue.listPending(10);
    assert.deepEqual(
      pending.map((entry) => entry.id),
      [a, b],
    );
    assert.equal(pending[0]!.revision, 'r2');

    const labels = {
      ...labelsFromCandidates(pending[0]!.candidates),
      primaryCategory: 'defect',
      sentiment: 'negative' as const,
    };
    const resolved = await queue.resolve(
      a,
      { labels, reviewer: 'reviewer-1', action: 'correct' },
      '2026-11-20T11:00:00.000Z',
    );
    assert.equal(resolved?.status, 'resolved');
    assert.equal(
      await queue.resolve(
        'c'.repeat(32),
        { labels, reviewer: 'x', action: 'confirm' },
        '2026-11-20T11:00:00.000Z',
      ),
      undefined,
    );
    await queue.enqueue(item(a, 'r3', '2026-11-20T12:00:00.000Z'));
    assert.equal((await queue.get(a))?.status, 'resolved');
    assert.deepEqual(
      (await queue.listPending(10)).map((entry) => entry.id),
      [b],
    );
    const exported = (await queue.listResolved(10)).map(toLabelledExample);
    assert.equal(exported.length, 1);
    assert.equal(exported[0]!.primaryCategory, 'defect');
    assert.equal(exported[0]!.text, 'It is okay I guess, the lid is a bit loose');
  });

  void it('caches LLM answers by text, prompt version and deployment', async () => {
    const cache = new CosmosLlmCache(database.container(cosmosContainers.llmCache.name));
    const hash = cacheKey('parcel lost', 'classify-v1', 'gpt-4o-mini');
    assert.notEqual(hash, cacheKey('parcel lost', 'classify-v2', 'gpt-4o-mini'));
    assert.equal(await cache.get(hash), undefined);
    const entry = {
      hash,
      labels: {
        sentiment: 'negative' as const,
        sentimentScore: -0.6,
        primaryCategory: 'delivery',
        secondaryCategories: [],
        component: null,
        severity: 'high' as const,
        intent: 'complaint' as const,
        summary: 'Parcel lost.',
        injectionSuspected: false,
      },
      promptVersion: 'classify-v1',
      deployment: 'gpt-4o-mini',
      usage: { promptTokens: 400, completionTokens: 50, totalTokens: 450 },
      createdAt: '2026-11-20T10:00:00.000Z',
    };
    await cache.put(entry);
    await cache.put(entry);
    assert.deepEqual(await cache.get(hash), entry);
  });
});
