/**
 * CosmosFeatureStore against the local Cosmos DB emulator: ETag semantics, the one-property patch,
 * and the score stage on it (concurrent writers lose no count; point operations per item).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CosmosClient, type Container } from '@azure/cosmos';
import { COSMOS_EMULATOR_KEY, startCosmos } from '../../local/services/cosmos.js';
import { CosmosFeatureStore } from '../../shared/adapters/cosmos-feature-store.js';
import {
  countsInDays,
  CountingFeatureStore,
  featureKeys,
  type CategoryBaseline,
  fromStoredFeatures,
  type StoredProductFeatures,
} from '../../shared/domain/score/index.js';
import { cosmosContainers } from '../../shared/topology.js';
import { makeHarness, testContext } from '../fixtures/score/harness.js';
import { batches, generateSeries, makeClassifiedEvent } from '../fixtures/score/synthetic.js';

void describe('CosmosFeatureStore on the local emulator', () => {
  let dataDir: string;
  let emulator: { endpoint: string; stop(): Promise<void> };
  let container: Container;
  let store: CosmosFeatureStore;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'score-cosmos-'));
    emulator = await startCosmos({ dataDir });
    const client = new CosmosClient({
      endpoint: emulator.endpoint,
      key: COSMOS_EMULATOR_KEY,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    const { database } = await client.databases.createIfNotExists({ id: 'score-test' });
    const { container: created } = await database.containers.createIfNotExists({
      id: cosmosContainers.features.name,
      partitionKey: { paths: [cosmosContainers.features.partitionKey] },
    });
    container = created;
    store = new CosmosFeatureStore(container);
  });

  after(async () => {
    await emulator?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  void it('creates once, replaces only with the current ETag', async () => {
    assert.equal(await store.read('product:none'), undefined);
    const created = await store.write('product:etag', { n: 1 }, undefined);
    assert.ok(created.ok);
    assert.deepEqual(await store.write('product:etag', { n: 9 }, undefined), {
      ok: false,
      reason: 'conflict',
    });
    const replaced = await store.write('product:etag', { n: 2 }, created.etag);
    assert.ok(replaced.ok);
    assert.deepEqual(await store.write('product:etag', { n: 3 }, created.etag), {
      ok: false,
      reason: 'conflict',
    });
    const read = await store.read<{ n: number }>('product:etag');
    assert.deepEqual(read, { value: { n: 2 }, etag: replaced.etag });
  });

  void it('sets one product entry on a category document, creating it when missing', async () => {
    await store.setField('category:test', 'products', 'SKU/with~odd', { firstDay: 1, days: { '2': 3 } });
    await store.setField('category:test', 'products', 'SKU-2', { firstDay: 4, days: {} });
    await store.setField('category:test', 'products', 'SKU/with~odd', { firstDay: 1, days: { '2': 5 } });
    const doc = await store.read<CategoryBaseline>('category:test');
    assert.deepEqual(doc?.value.products, {
      'SKU/with~odd': { firstDay: 1, days: { '2': 5 } },
      'SKU-2': { firstDay: 4, days: {} },
    });
  });

  void it('scores concurrently from four handlers without losing a count, at under 3 operations per item', async () => {
    const counting = new CountingFeatureStore(store);
    const items = Array.from({ length: 120 }, (_, i) =>
      makeClassifiedEvent({
        id: `cosmos-${i}`,
        productKey: 'COSMOS-HOT',
        eventTime: new Date(Date.parse('2026-06-01T00:00:00Z') + i * 60_000).toISOString(),
        category: i % 2 === 0 ? 'defect' : 'delivery',
        customerToken: `customer-${i}`,
      }),
    );
    const writers = Array.from({ length: 4 }, () => makeHarness({ featureStore: counting }));
    await Promise.all(
      writers.map(async (writer, w) => {
        for (const batch of batches(
          items.filter((_, i) => i % 4 === w),
          10,
        ))
          await writer.handler(batch, testContext());
      }),
    );
    const state = fromStoredFeatures(
      (await store.read<StoredProductFeatures>(featureKeys.product('COSMOS-HOT')))!.value,
    );
    assert.equal(countsInDays(state, 'defect', 0, 1e6).n + countsInDays(state, 'delivery', 0, 1e6).n, 120);
    // The writers did collide on the product document, so the ETag retries were exercised.
    assert.ok(counting.counts.conflicts > 0, 'no ETag conflict happened');
    const published = writers.reduce(
      (sum, writer) => sum + writer.publisher.bodies('feedback-scored').length,
      0,
    );
    assert.equal(published, 120);

    // One partition's worth of steady traffic: grouped by product, far under 3 operations per item.
    const steady = new CountingFeatureStore(store);
    const harness = makeHarness({ featureStore: steady });
    const events = generateSeries({
      seed: 3,
      start: '2026-07-01T00:00:00Z',
      days: 4,
      rates: { 'C-1': { defect: 20, praise: 30 }, 'C-2': { delivery: 25 } },
    });
    for (const batch of batches(events, 100)) await harness.handler(batch, testContext());
    assert.ok(steady.total / events.length < 3, `operations per item ${steady.total / events.length}`);
  });
});
