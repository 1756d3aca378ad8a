/**
 * The shared Cosmos stores on the local emulator: the feedback record's revision rules and the
 * quarantine's list, get and replay marks.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CosmosClient, type Database } from '@azure/cosmos';
import { CosmosFeedbackStore, CosmosQuarantine, ensureCosmosSchema } from '../../shared/adapters/cosmos.js';
import { COSMOS_EMULATOR_KEY, startCosmos, type CosmosInstance } from '../../local/services/cosmos.js';

describe('shared Cosmos stores on the local emulator', { timeout: 120000 }, () => {
  let dataDir: string;
  let cosmos: CosmosInstance;
  let client: CosmosClient;
  let database: Database;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cosmos-stores-'));
    cosmos = await startCosmos({ dataDir });
    client = new CosmosClient({
      endpoint: cosmos.endpoint,
      key: COSMOS_EMULATOR_KEY,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    database = await ensureCosmosSchema(client, 'feedback');
  });

  after(async () => {
    client?.dispose();
    await cosmos?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the newest revision and gives later blocks only to the stored revision', async () => {
    const store = new CosmosFeedbackStore(database.container('feedback'));
    const id = '0123456789abcdef0123456789abcdef';
    assert.equal(
      await store.putNormalized(id, '20261101T000000000Z', { n: 1 }, { text: 'first' }),
      'written',
    );
    assert.equal(
      await store.putNormalized(id, '20261101T000000000Z', { n: 1 }, { text: 'first' }),
      'unchanged',
    );
    assert.equal(await store.putNormalized(id, '20261001T000000000Z', { n: 0 }, { text: 'older' }), 'stale');
    assert.equal(
      await store.putBlock(id, '20261101T000000000Z', 'classification', { label: 'x' }),
      'written',
    );
    assert.equal(await store.putBlock(id, '20261001T000000000Z', 'score', { decision: 'alert' }), 'stale');
    assert.equal(
      await store.putNormalized(id, '20261201T000000000Z', { n: 2 }, { text: 'newer' }),
      'written',
    );
    const stored = await store.get(id);
    assert.equal(stored?.revision, '20261201T000000000Z');
    assert.deepEqual(stored?.normalized, { text: 'newer' });
    assert.equal(stored?.classification, undefined, 'a newer revision starts without the old blocks');
    assert.equal(await store.putBlock('f'.repeat(32), 'r', 'route', {}), 'stale');
  });

  it('lets concurrent stages each add their block without losing one', async () => {
    const store = new CosmosFeedbackStore(database.container('feedback'));
    const id = 'abcdefabcdefabcdefabcdefabcdefab';
    await store.putNormalized(id, 'r1', {}, {});
    const results = await Promise.all([
      store.putBlock(id, 'r1', 'classification', { c: 1 }),
      store.putBlock(id, 'r1', 'score', { s: 1 }),
      store.putBlock(id, 'r1', 'route', { r: 1 }),
    ]);
    assert.deepEqual(results, ['written', 'written', 'written']);
    const stored = await store.get(id);
    assert.deepEqual([stored?.classification, stored?.score, stored?.route], [{ c: 1 }, { s: 1 }, { r: 1 }]);
  });

  it('lists, reads and marks quarantine entries as replayed', async () => {
    const quarantine = new CosmosQuarantine(database.container('quarantine'));
    await quarantine.put({
      id: 'q1',
      stage: 'classify',
      reason: 'bad',
      payload: { a: 1 },
      quarantinedAt: '2026-11-01T00:00:00Z',
    });
    await quarantine.put({
      id: 'q2',
      stage: 'score',
      reason: 'bad',
      payload: [],
      quarantinedAt: '2026-11-02T00:00:00Z',
    });
    await quarantine.put({
      id: 'q1',
      stage: 'classify',
      reason: 'bad',
      payload: { a: 1 },
      quarantinedAt: '2026-11-01T00:00:00Z',
    });
    const listed = await quarantine.list(10);
    assert.deepEqual(
      listed.map((entry) => entry.id),
      ['q2', 'q1'],
      'newest first, one entry per id',
    );
    const entry = await quarantine.get('q1');
    assert.ok(entry);
    await quarantine.markReplayed(entry, '2026-11-03T00:00:00Z');
    const replayed = await quarantine.get('q1');
    assert.equal(replayed?.status, 'replayed');
    assert.equal(replayed?.replays, 1);
  });
});
