/**
 * CosmosDedupeStore against the local Cosmos DB emulator: one index document per scope, exact and
 * near-duplicate links, idempotent replays, and concurrent adds to one scope (ETag retries).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CosmosClient, type Container } from '@azure/cosmos';
import { COSMOS_EMULATOR_KEY, startCosmos } from '../../local/services/cosmos.js';
import { CosmosDedupeStore, recentItemsKey } from '../../shared/adapters/cosmos-dedupe-store.js';
import type { DedupeItem, RecentItems } from '../../shared/domain/normalize/duplicates.js';
import { fingerprintOf } from '../../shared/domain/normalize/similarity.js';
import { cosmosContainers } from '../../shared/topology.js';
import { readFixture } from '../fixtures/normalize/envelopes.js';

const SCOPE = 'shop\u0000sku\u0000JKT-ALP-01';
const options = { threshold: 0.5, windowDays: 14 };

function itemOf(feedbackId: string, text: string, extra: Partial<DedupeItem> = {}): DedupeItem {
  return {
    scope: SCOPE,
    feedbackId,
    revision: '20261120T100000000Z',
    eventTime: '2026-11-20T10:00:00.000Z',
    ...fingerprintOf(text),
    ...extra,
  };
}

void describe('CosmosDedupeStore on the local emulator', () => {
  let dataDir: string;
  let emulator: { endpoint: string; stop(): Promise<void> };
  let container: Container;
  let store: CosmosDedupeStore;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'normalize-cosmos-'));
    emulator = await startCosmos({ dataDir });
    const client = new CosmosClient({
      endpoint: emulator.endpoint,
      key: COSMOS_EMULATOR_KEY,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    const { database } = await client.databases.createIfNotExists({ id: 'normalize-test' });
    const { container: created } = await database.containers.createIfNotExists({
      id: cosmosContainers.dedupe.name,
      partitionKey: { paths: [cosmosContainers.dedupe.partitionKey] },
    });
    container = created;
    store = new CosmosDedupeStore(container);
  });

  after(async () => {
    await emulator?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function indexOf(scope: string): Promise<(RecentItems & { ttl: number }) | undefined> {
    const key = recentItemsKey(scope);
    const { resource } = await container.item(key, key).read<RecentItems & { ttl: number }>();
    return resource;
  }

  void it('records an item in its scope document and links an exact copy to it', async () => {
    const scope = 'shop\u0000sku\u0000exact';
    const first = itemOf('first', 'The kettle lid leaks every time I pour.', {
      scope,
      customerToken: 'cust-1',
    });
    assert.deepEqual(await store.checkAndRecord(first, options), {});
    const copy = itemOf('copy', 'the kettle lid LEAKS every time i pour!', { scope });
    assert.deepEqual(await store.checkAndRecord(copy, options), {
      exactOf: 'first',
      nearDuplicateOf: 'first',
      similarity: 1,
      reason: 'exact',
    });
    const index = await indexOf(scope);
    assert.deepEqual(
      index?.entries.map((entry) => [entry.f, entry.c]),
      [
        ['first', 'cust-1'],
        ['copy', undefined],
      ],
    );
    assert.equal(index?.ttl, 28 * 86_400);
    assert.equal(await indexOf('shop\u0000sku\u0000other'), undefined);
  });

  void it('answers a replay as the first time and leaves the index as it was', async () => {
    const scope = 'shop\u0000sku\u0000replay';
    const first = itemOf('replay-first', 'The speaker crackles at high volume.', { scope });
    const copy = itemOf('replay-copy', 'The speaker crackles at high volume!', { scope });
    await store.checkAndRecord(first, options);
    const verdict = await store.checkAndRecord(copy, options);
    const before = await indexOf(scope);
    assert.deepEqual(await store.checkAndRecord(first, options), {});
    assert.deepEqual(await store.checkAndRecord(copy, options), verdict);
    assert.deepEqual((await indexOf(scope))?.entries, before?.entries);
  });

  void it('loses no entry when workers add to the same scope concurrently', async () => {
    const scope = 'shop\u0000sku\u0000concurrent';
    const text = 'The sleeves of the alpine jacket are far too short for the size.';
    const items = Array.from({ length: 6 }, (_, index) => itemOf(`concurrent-${index}`, text, { scope }));
    const verdicts = await Promise.all(items.map((item) => store.checkAndRecord(item, options)));
    const index = await indexOf(scope);
    assert.deepEqual(
      index?.entries.map((entry) => entry.f).sort(),
      items.map((item) => item.feedbackId).sort(),
    );
    // Exactly one of them is the first; every other links to an item recorded before it.
    assert.equal(verdicts.filter((verdict) => verdict.exactOf === undefined).length, 1);
  });

  void it('links a reworded complaint through the store and not a different one', async () => {
    const groups = (JSON.parse(readFixture('near-duplicates.json')) as { groups: string[][] }).groups;
    const scope = 'shop\u0000sku\u0000near';
    await store.checkAndRecord(itemOf('near-first', groups[4]![0]!, { scope }), options);
    const reworded = itemOf('near-second', groups[4]![2]!, { scope, eventTime: '2026-11-22T10:00:00.000Z' });
    const verdict = await store.checkAndRecord(reworded, options);
    assert.equal(verdict.nearDuplicateOf, 'near-first');
    assert.equal(verdict.reason, 'near');
    const different = itemOf('near-third', groups[3]![0]!, { scope, eventTime: '2026-11-22T10:00:00.000Z' });
    assert.deepEqual(await store.checkAndRecord(different, options), {});
  });
});
