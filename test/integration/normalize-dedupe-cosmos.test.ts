/**
 * CosmosDedupeStore against the local Cosmos DB emulator: point reads and writes on `dedupe`,
 * idempotent records, concurrent appends to one band document (ETag retries), and near-duplicate
 * linking through the store.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CosmosClient, type Container } from '@azure/cosmos';
import { COSMOS_EMULATOR_KEY, startCosmos } from '../../local/services/cosmos.js';
import { CosmosDedupeStore } from '../../shared/adapters/cosmos-dedupe-store.js';
import { findDuplicate, type DedupeRecord } from '../../shared/domain/normalize/duplicates.js';
import { fingerprintOf } from '../../shared/domain/normalize/similarity.js';
import { cosmosContainers } from '../../shared/topology.js';
import { readFixture } from '../fixtures/normalize/envelopes.js';

const SCOPE = 'generic\u0000shop\u0000JKT-ALP-01';

function recordOf(feedbackId: string, text: string, extra: Partial<DedupeRecord> = {}): DedupeRecord {
  return {
    scope: SCOPE,
    feedbackId,
    eventTime: '2026-11-20T10:00:00.000Z',
    ...fingerprintOf(text),
    windowDays: 14,
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

  void it('records an item and finds it by exact hash, band and customer', async () => {
    const entry = recordOf('first', 'The kettle lid leaks every time I pour.', { customerToken: 'cust-1' });
    await store.record(entry);
    assert.deepEqual(await store.findExact(SCOPE, entry.textHash), {
      feedbackId: 'first',
      eventTime: entry.eventTime,
    });
    assert.equal(await store.findExact('other-scope', entry.textHash), undefined);
    const members = await store.findBandMembers(SCOPE, entry.bands);
    assert.equal(members.length, entry.bands.length);
    assert.ok(members.every((member) => member.feedbackId === 'first'));
    assert.deepEqual(await store.findCustomerItems(SCOPE, 'cust-1'), [
      { feedbackId: 'first', eventTime: entry.eventTime },
    ]);
    const [item] = await store.getItems(['first', 'missing']);
    assert.deepEqual(item, { feedbackId: 'first', eventTime: entry.eventTime, signature: entry.signature });
    const { resource } = await container.item(`item:first`, `item:first`).read<{ ttl: number }>();
    assert.equal(resource?.ttl, 28 * 86_400);
  });

  void it('is idempotent and keeps the first item of an exact text', async () => {
    const entry = recordOf('idem', 'The speaker crackles at high volume.');
    await store.record(entry);
    await store.record(entry);
    await store.record(
      recordOf('later-copy', 'The speaker crackles at high volume!', {
        eventTime: '2026-11-21T10:00:00.000Z',
      }),
    );
    assert.equal((await store.findExact(SCOPE, entry.textHash))?.feedbackId, 'idem');
    const members = await store.findBandMembers(SCOPE, entry.bands.slice(0, 1));
    assert.deepEqual(members.map((member) => member.feedbackId).sort(), ['idem', 'later-copy']);
  });

  void it('keeps every member when items append to the same band concurrently', async () => {
    const text = 'The sleeves of the alpine jacket are far too short for the size.';
    const entries = Array.from({ length: 6 }, (_, index) => recordOf(`concurrent-${index}`, text));
    await Promise.all(entries.map((entry) => store.record(entry)));
    const members = await store.findBandMembers(SCOPE, entries[0]!.bands.slice(0, 1));
    assert.deepEqual(
      members.map((member) => member.feedbackId).sort(),
      entries.map((entry) => entry.feedbackId).sort(),
    );
  });

  void it('links a reworded complaint through the store and not a different one', async () => {
    const groups = (JSON.parse(readFixture('near-duplicates.json')) as { groups: string[][] }).groups;
    const scope = 'generic\u0000shop\u0000near';
    const options = { threshold: 0.5, windowDays: 14 };
    const first = recordOf('near-first', groups[4]![0]!, { scope });
    await store.record(first);
    const reworded = recordOf('near-second', groups[4]![2]!, {
      scope,
      eventTime: '2026-11-22T10:00:00.000Z',
    });
    const verdict = await findDuplicate(store, reworded, options);
    assert.equal(verdict.nearDuplicateOf, 'near-first');
    assert.equal(verdict.reason, 'near');
    const different = recordOf('near-third', groups[3]![0]!, {
      scope,
      eventTime: '2026-11-22T10:00:00.000Z',
    });
    assert.deepEqual(await findDuplicate(store, different, options), {});
  });
});
