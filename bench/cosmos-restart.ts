/**
 * Restart time of the local Cosmos emulator with a demo-sized data directory: documents shaped
 * like the pipeline's (feedback records that gain a block per stage, dedupe keys, feature
 * counters, incidents) are written through the SDK, then the emulator is killed (SIGKILL: the
 * next start replays the write-ahead log), started, stopped cleanly (snapshot) and started again.
 * Also reports the write rate over the first and the last tenth of the documents, which shows
 * whether a write costs more as the containers grow.
 *
 * Standalone: node dist/bench/cosmos-restart.js [documents]   (build first; default 40000)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CosmosClient, type Container, type Database } from '@azure/cosmos';
import { ensureCosmosSchema } from '../shared/adapters/cosmos.js';
import { COSMOS_EMULATOR_KEY, startCosmos, type CosmosInstance } from '../local/services/cosmos.js';

const CONCURRENCY = 32;

/** One write the bench makes: create a document, or add a block to a feedback record. */
type Write = { container: string; document: Record<string, unknown> } | { addBlockTo: string };

const hex = (n: number, length: number): string => n.toString(16).padStart(length, '0').slice(-length);
const filler = (n: number, length: number): string =>
  `item ${n}: `
    .concat('The sole started peeling off after three hikes in light rain. ')
    .repeat(10)
    .slice(0, length);

/**
 * The demo's mix, scaled to `total` documents: about 7% feedback records (each later given three
 * blocks, as classify, score and route do), 82% dedupe documents, 10% feature counters, a few
 * incidents.
 */
function demoWrites(total: number): Write[] {
  const writes: Write[] = [];
  const feedback = Math.round(total * 0.07);
  const features = Math.round(total * 0.1);
  const incidents = Math.max(1, Math.round(total * 0.001));
  const dedupe = total - feedback - features - incidents;
  let dedupeWritten = 0;
  for (let i = 0; i < feedback; i++) {
    const id = hex(i * 2654435761, 32);
    writes.push({
      container: 'feedback',
      document: {
        id,
        revision: `20261101T0000${String(i % 60).padStart(2, '0')}000Z`,
        header: { source: 'generic', tenant: 'demo', productId: `P-${i % 12}`, language: 'en' },
        normalized: { text: filler(i, 600), entities: { products: [`P-${i % 12}`] }, spam: false },
      },
    });
    // Documents of other kinds are written between a record's blocks, as the stages interleave.
    for (; dedupeWritten < Math.round(((i + 1) * dedupe) / feedback); dedupeWritten++) {
      const n = writes.length;
      const kind = ['item', 'band', 'band', 'exact', 'customer'][n % 5] ?? 'item';
      const key = `${kind}:${hex(n * 40503, 40)}`;
      writes.push({
        container: 'dedupe',
        document:
          kind === 'item'
            ? {
                id: key,
                key,
                kind,
                signature: Array.from({ length: 64 }, (_, k) => (n * 31 + k) % 65536),
                ttl: 1,
              }
            : {
                id: key,
                key,
                kind,
                members: [{ feedbackId: id, eventTime: '2026-11-01T00:00:00Z' }],
                ttl: 1,
              },
      });
    }
    if (i % 10 < 2 && i >= 10) writes.push({ addBlockTo: hex((i - 10) * 2654435761, 32) });
  }
  for (let i = 0; i < feedback; i++) writes.push({ addBlockTo: hex(i * 2654435761, 32) });
  for (let i = 0; i < feedback; i++) writes.push({ addBlockTo: hex(i * 2654435761, 32) });
  for (let i = 0; i < features; i++) {
    const key = `P-${i % 12}|defect|${hex(i, 8)}`;
    writes.push({ container: 'features', document: { id: key, key, c: { d: i % 30, n: i % 7, t: i % 50 } } });
  }
  for (let i = 0; i < incidents; i++) {
    const key = `P-${i % 12}|defect`;
    writes.push({
      container: 'incidents',
      document: {
        id: `${key}|${i}`,
        key,
        status: 'open',
        outbox: [{ kind: 'card', sent: true }],
        note: filler(i, 300),
      },
    });
  }
  return writes;
}

/** Adds the next stage's block with an ETag-conditional replace, re-reading on a conflict. */
async function addBlock(container: Container, id: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const { resource } = await container.item(id, id).read<Record<string, unknown> & { _etag: string }>();
    if (!resource) throw new Error(`feedback ${id} is missing`);
    const block =
      ['classification', 'score', 'route'].find((name) => resource[name] === undefined) ?? 'extra';
    try {
      await container
        .item(id, id)
        .replace(
          { ...resource, [block]: { label: 'defect', at: new Date().toISOString(), detail: filler(1, 120) } },
          { accessCondition: { type: 'IfMatch', condition: resource._etag } },
        );
      return;
    } catch (error) {
      if ((error as { code?: number }).code !== 412 || attempt >= 5) throw error;
    }
  }
}

/** Applies writes with a fixed number in flight, keeping each feedback record's writes in order. */
async function applyWrites(
  database: Database,
  writes: Write[],
  onProgress: (done: number) => void,
): Promise<void> {
  let next = 0;
  let done = 0;
  const pending = new Map<string, Promise<void>>();
  const worker = async (): Promise<void> => {
    while (next < writes.length) {
      const write = writes[next++];
      if (!write) break;
      if ('addBlockTo' in write) {
        await pending.get(write.addBlockTo);
        await addBlock(database.container('feedback'), write.addBlockTo);
      } else {
        const created = database
          .container(write.container)
          .items.create(write.document)
          .then(() => undefined);
        if (write.container === 'feedback') pending.set(String(write.document.id), created);
        await created;
      }
      onProgress(++done);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
}

function clientFor(cosmos: CosmosInstance): CosmosClient {
  return new CosmosClient({
    endpoint: cosmos.endpoint,
    key: COSMOS_EMULATOR_KEY,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
}

async function countDocuments(database: Database): Promise<number> {
  let total = 0;
  for (const name of ['feedback', 'dedupe', 'features', 'incidents']) {
    const { resources } = await database
      .container(name)
      .items.query('SELECT VALUE COUNT(1) FROM c')
      .fetchAll();
    total += Number(resources[0] ?? 0);
  }
  return total;
}

async function timedStart(dataDir: string): Promise<{ cosmos: CosmosInstance; seconds: number }> {
  const started = performance.now();
  const cosmos = await startCosmos({ dataDir });
  return { cosmos, seconds: Number(((performance.now() - started) / 1000).toFixed(2)) };
}

export async function benchCosmosRestart(total = 40_000): Promise<Record<string, number>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-cosmos-restart-'));
  try {
    const writes = demoWrites(total);
    let cosmos = await startCosmos({ dataDir });
    let client = clientFor(cosmos);
    const database = await ensureCosmosSchema(client, 'feedback');
    const tenth = Math.floor(writes.length / 10);
    const marks = new Map<number, number>();
    const started = performance.now();
    await applyWrites(database, writes, (done) => {
      if (done === tenth || done === writes.length - tenth || done === writes.length)
        marks.set(done, performance.now());
    });
    const rate = (from: number, to: number): number =>
      Math.round(tenth / (((marks.get(to) ?? 0) - (marks.get(from) ?? started)) / 1000));
    const firstTenth = Math.round(tenth / (((marks.get(tenth) ?? 0) - started) / 1000));
    const lastTenth = rate(writes.length - tenth, writes.length);
    const documents = await countDocuments(database);
    client.dispose();

    await cosmos.kill();
    const afterCrash = await timedStart(dataDir);
    cosmos = afterCrash.cosmos;
    client = clientFor(cosmos);
    const afterCrashDocuments = await countDocuments(client.database('feedback'));
    client.dispose();

    await cosmos.stop();
    const afterStop = await timedStart(dataDir);
    cosmos = afterStop.cosmos;
    client = clientFor(cosmos);
    const afterStopDocuments = await countDocuments(client.database('feedback'));
    client.dispose();
    const stopStarted = performance.now();
    await cosmos.stop();
    const stopSeconds = Number(((performance.now() - stopStarted) / 1000).toFixed(2));
    if (afterCrashDocuments !== documents || afterStopDocuments !== documents)
      throw new Error(
        `documents lost: ${documents} written, ${afterCrashDocuments} after the kill, ${afterStopDocuments} after the stop`,
      );
    return {
      documents,
      writes: writes.length,
      'writes/s, first tenth': firstTenth,
      'writes/s, last tenth': lastTenth,
      'start after SIGKILL (log replay), s': afterCrash.seconds,
      'start after clean stop (snapshot), s': afterStop.seconds,
      'clean stop, s': stopSeconds,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchCosmosRestart(Number(process.argv[2] ?? 40_000)).then(
    (results) => {
      for (const [name, value] of Object.entries(results)) console.log(`${name.padEnd(45)} ${value}`);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
