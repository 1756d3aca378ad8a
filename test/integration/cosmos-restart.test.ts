/**
 * The local Cosmos emulator's durability: documents come back after a clean stop (snapshot) and
 * after a kill (write-ahead log) exactly as they were stored, system properties included, so an
 * ETag-conditional write made with an ETag read before the restart still succeeds after it.
 * Also: creates after a restart get fresh resource ids, and a data directory written by the
 * earlier request-logging version is still read.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CosmosClient, type Container, type Database, type ItemDefinition } from '@azure/cosmos';
import { ensureCosmosSchema } from '../../shared/adapters/cosmos.js';
import { COSMOS_EMULATOR_KEY, startCosmos, type CosmosInstance } from '../../local/services/cosmos.js';

const DOCUMENTS = 2_000;

type Stored = ItemDefinition & { key?: string; _etag: string; _ts: number; _rid: string; _self: string };

function clientFor(cosmos: CosmosInstance): CosmosClient {
  return new CosmosClient({
    endpoint: cosmos.endpoint,
    key: COSMOS_EMULATOR_KEY,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
}

/** Every document of the containers the test writes, by container and id. */
async function everything(database: Database): Promise<Map<string, Stored>> {
  const documents = new Map<string, Stored>();
  for (const name of ['dedupe', 'feedback']) {
    const { resources } = await database.container(name).items.readAll<Stored>().fetchAll();
    for (const resource of resources) documents.set(`${name}/${resource.id}`, resource);
  }
  return documents;
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, () => worker()));
}

function assertSameDocuments(actual: Map<string, Stored>, expected: Map<string, Stored>): void {
  assert.equal(actual.size, expected.size);
  for (const [key, document] of expected) assert.deepEqual(actual.get(key), document, key);
}

describe('local Cosmos emulator restarts', { timeout: 300_000 }, () => {
  let dataDir: string;
  let cosmos: CosmosInstance | undefined;
  let client: CosmosClient | undefined;
  let database: Database;
  let dedupe: Container;
  let feedback: Container;
  /** What the emulator held before the last restart. */
  let expected: Map<string, Stored>;

  async function start(): Promise<void> {
    client?.dispose();
    cosmos = await startCosmos({ dataDir });
    client = clientFor(cosmos);
    database = client.database('feedback');
    dedupe = database.container('dedupe');
    feedback = database.container('feedback');
  }

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cosmos-restart-'));
    cosmos = await startCosmos({ dataDir });
    client = clientFor(cosmos);
    database = await ensureCosmosSchema(client, 'feedback');
    dedupe = database.container('dedupe');
    feedback = database.container('feedback');
    const indexes = Array.from({ length: DOCUMENTS }, (_, i) => i);
    await inParallel(indexes, 16, async (i) => {
      const key = `band:${String(i).padStart(6, '0')}`;
      await dedupe.items.create({
        id: key,
        key,
        members: [{ feedbackId: `f${i}`, eventTime: '2026-11-01' }],
      });
      if (i % 10 === 0)
        await feedback.items.create({ id: `f${i}`, revision: 'r1', normalized: { text: `item ${i}` } });
    });
    // Later writes of every kind: replace with an ETag, patch, upsert and delete.
    await inParallel(indexes, 16, async (i) => {
      const key = `band:${String(i).padStart(6, '0')}`;
      if (i % 7 === 0) await dedupe.item(key, key).delete();
      else if (i % 5 === 0) await dedupe.item(key, key).patch([{ op: 'set', path: '/patched', value: i }]);
      if (i % 10 === 0) {
        const { resource } = await feedback.item(`f${i}`, `f${i}`).read<Stored>();
        await feedback
          .item(`f${i}`, `f${i}`)
          .replace(
            { ...resource!, classification: { label: 'defect' } },
            { accessCondition: { type: 'IfMatch', condition: resource!._etag } },
          );
      }
    });
    await feedback.items.upsert({ id: 'upserted', revision: 'r2' });
  });

  after(async () => {
    client?.dispose();
    await cosmos?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every document, system properties included, across a clean stop', async () => {
    expected = await everything(database);
    assert.equal(expected.size, DOCUMENTS - Math.ceil(DOCUMENTS / 7) + DOCUMENTS / 10 + 1);
    await cosmos!.stop();
    await start();
    assertSameDocuments(await everything(database), expected);
  });

  it('accepts a conditional write with an ETag read before the restart, and refuses a stale one', async () => {
    const kept = expected.get('feedback/f20')!;
    const { resource: written } = await feedback
      .item('f20', 'f20')
      .replace(
        { ...kept, score: { decision: 'alert' } },
        { accessCondition: { type: 'IfMatch', condition: kept._etag } },
      );
    assert.notEqual(written?._etag, kept._etag);
    await assert.rejects(
      feedback
        .item('f20', 'f20')
        .replace({ ...kept }, { accessCondition: { type: 'IfMatch', condition: kept._etag } }),
      (error: { code?: number }) => error.code === 412,
    );
  });

  it('gives documents created after a restart resource ids of their own', async () => {
    const { resource } = await dedupe.items.create({ id: 'band:new', key: 'band:new' });
    assert.ok(resource?._rid);
    const clashes = [...expected.values()].filter((document) => document._rid === resource._rid);
    assert.deepEqual(clashes, []);
    const { resource: first } = await dedupe.item('band:000001', 'band:000001').read<Stored>();
    assert.deepEqual(first, expected.get('dedupe/band:000001'));
  });

  it('keeps every acknowledged write across a kill, including those since the last start', async () => {
    await dedupe.item('band:000003', 'band:000003').delete();
    await dedupe.items.upsert({ id: 'band:000004', key: 'band:000004', members: [] });
    const { resource: feedbackBefore } = await feedback.item('f30', 'f30').read<Stored>();
    expected = await everything(database);
    await cosmos!.kill();
    await start();
    assertSameDocuments(await everything(database), expected);
    const { resource: deleted } = await dedupe.item('band:000003', 'band:000003').read();
    assert.equal(deleted, undefined);
    const { statusCode } = await feedback
      .item('f30', 'f30')
      .replace(
        { ...feedbackBefore!, route: { card: true } },
        { accessCondition: { type: 'IfMatch', condition: feedbackBefore!._etag } },
      );
    assert.equal(statusCode, 200);
  });

  it('reads a data directory written by the earlier version, which logged requests', async () => {
    const legacyDir = mkdtempSync(join(tmpdir(), 'cosmos-legacy-'));
    const request = (
      method: string,
      url: string,
      body: unknown,
      headers: Record<string, string> = {},
    ): string =>
      JSON.stringify({
        method,
        url,
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    writeFileSync(
      join(legacyDir, 'cosmos-snapshot.jsonl'),
      [
        JSON.stringify({ coversGeneration: 1 }),
        request('POST', '/dbs', { id: 'legacy' }),
        request('POST', '/dbs/legacy/colls', { id: 'items', partitionKey: { paths: ['/id'] } }),
        request(
          'POST',
          '/dbs/legacy/colls/items/docs',
          { id: 'a', n: 1 },
          {
            'x-ms-documentdb-is-upsert': 'true',
            'x-ms-documentdb-partitionkey': '["a"]',
          },
        ),
      ].join('\n') + '\n',
    );
    writeFileSync(
      join(legacyDir, 'cosmos-wal-2.jsonl'),
      request('POST', '/dbs/legacy/colls/items/docs', { id: 'b', n: 2 }) + '\n{"torn',
    );
    const legacy = await startCosmos({ dataDir: legacyDir });
    const legacyClient = clientFor(legacy);
    try {
      const { resources } = await legacyClient
        .database('legacy')
        .container('items')
        .items.readAll()
        .fetchAll();
      assert.deepEqual(
        resources.map(({ id, n }) => ({ id, n: n as number })),
        [
          { id: 'a', n: 1 },
          { id: 'b', n: 2 },
        ],
      );
      await legacy.stop();
      const reopened = await startCosmos({ dataDir: legacyDir });
      const reopenedClient = clientFor(reopened);
      const { resources: again } = await reopenedClient
        .database('legacy')
        .container('items')
        .items.readAll()
        .fetchAll();
      assert.deepEqual(again, resources, 'the compacted snapshot keeps the migrated documents as they were');
      reopenedClient.dispose();
      await reopened.stop();
    } finally {
      legacyClient.dispose();
      await legacy.stop();
      rmSync(legacyDir, { recursive: true, force: true });
    }
  });
});
