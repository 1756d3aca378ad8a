/**
 * Child-process entry for the local Cosmos DB emulator: `@vercel/cosmosdb-server` over plain
 * HTTP on loopback, made durable with a write-ahead log.
 *
 * The npm server keeps everything in memory. Every successful mutating request (create, upsert,
 * replace, patch, delete) is appended to a write-ahead log before its response is sent, and
 * replayed into a fresh server at start-up, so data survives a restart or a kill. The log is
 * compacted into a snapshot (every database, container and document) after each start-up replay
 * and at a clean shutdown: `cosmos-snapshot.jsonl` covers the logs up to its generation, and
 * `cosmos-wal-<generation>.jsonl` holds what came after, so a crash at any point loses nothing.
 *
 * Usage: node cosmos-process.js --port 0 --data-dir .local/cosmos
 * Prints `cosmos emulator ready on 127.0.0.1:<port>` when it accepts connections.
 */
import { createHttpServer } from '@vercel/cosmosdb-server';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface WalEntry {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'data-dir': { type: 'string', default: '.local/cosmos' },
  },
});
const dataDir = values['data-dir'] ?? '.local/cosmos';
mkdirSync(dataDir, { recursive: true });
const snapshotPath = join(dataDir, 'cosmos-snapshot.jsonl');
const walPath = (generation: number): string => join(dataDir, `cosmos-wal-${generation}.jsonl`);
/** Log files and their generations, oldest first (`cosmos-wal.jsonl` from older versions is 0). */
function walFiles(): { generation: number; path: string }[] {
  return readdirSync(dataDir)
    .map((name) => {
      if (name === 'cosmos-wal.jsonl') return { generation: 0, path: join(dataDir, name) };
      const match = /^cosmos-wal-(\d+)\.jsonl$/.exec(name);
      return match ? { generation: Number(match[1]), path: join(dataDir, name) } : undefined;
    })
    .filter((file): file is { generation: number; path: string } => file !== undefined)
    .sort((a, b) => a.generation - b.generation);
}

const server = createHttpServer();
const inner = server.listeners('request')[0] as (req: IncomingMessage, res: ServerResponse) => void;
server.removeAllListeners('request');

const replayedHeaders = [
  'content-type',
  'x-ms-documentdb-partitionkey',
  'x-ms-documentdb-is-upsert',
  'x-ms-documentdb-query',
];
// if-match is not replayed: the original write succeeded, so its replay must too.
let walFd: number | undefined;
/** replaying: writes come from the log itself; serving: writes are logged; closing: writes are refused. */
let state: 'replaying' | 'serving' | 'closing' = 'replaying';

server.on('request', (req: IncomingMessage, res: ServerResponse) => {
  const mutating =
    req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH' || req.method === 'DELETE';
  const isQuery =
    req.headers['x-ms-documentdb-isquery'] === 'true' ||
    req.headers['content-type'] === 'application/query+json';
  if (state === 'closing' && mutating && !isQuery) {
    res
      .writeHead(503, { 'content-type': 'application/json' })
      .end(JSON.stringify({ code: 'ServiceUnavailable' }));
    return;
  }
  if (!mutating || isQuery || state === 'replaying' || walFd === undefined) {
    inner(req, res);
    return;
  }
  const chunks: Buffer[] = [];
  // Tee the body: we record it, and the inner handler reads it as usual.
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  const originalEnd = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    if (res.statusCode < 300 && walFd !== undefined) {
      const headers: Record<string, string> = {};
      for (const name of replayedHeaders) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const entry: WalEntry = {
        method: req.method ?? 'POST',
        url: req.url ?? '/',
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      writeSync(walFd, JSON.stringify(entry) + '\n');
    }
    return originalEnd(...args);
  }) as typeof res.end;
  inner(req, res);
});

function send(port: number, entry: WalEntry): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method: entry.method,
        path: entry.url,
        headers: { ...entry.headers, authorization: 'replay', 'x-ms-date': new Date().toUTCString() },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve());
      },
    );
    request.on('error', reject);
    request.end(entry.body);
  });
}

function readEntries(path: string): WalEntry[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as WalEntry];
      } catch {
        return []; // a torn final line from a kill mid-write: that request was never acknowledged
      }
    });
}

interface SnapshotHeader {
  coversGeneration: number;
}

/** The document an entry writes (`db/coll/id`), or undefined for databases and containers. */
function documentOf(entry: WalEntry): string | undefined {
  const path = entry.url.split('?')[0] ?? '';
  const match = /^\/dbs\/([^/]+)\/colls\/([^/]+)\/docs(?:\/([^/]+))?\/?$/.exec(path);
  if (!match) return undefined;
  if (match[3]) return `${match[1]}/${match[2]}/${decodeURIComponent(match[3])}`;
  try {
    return `${match[1]}/${match[2]}/${String((JSON.parse(entry.body) as { id?: unknown }).id)}`;
  } catch {
    return `${match[1]}/${match[2]}/?`;
  }
}

/**
 * Applies entries with the order that matters kept: writes to one document in log order, and
 * database and container writes as barriers; writes to different documents run in parallel.
 */
async function apply(port: number, entries: WalEntry[]): Promise<void> {
  const lastWrite = new Map<string, Promise<void>>();
  let inFlight = new Set<Promise<void>>();
  for (const entry of entries) {
    const document = documentOf(entry);
    if (document === undefined) {
      await Promise.all(inFlight);
      inFlight = new Set();
      lastWrite.clear();
      await send(port, entry);
      continue;
    }
    if (inFlight.size >= 64) await Promise.race(inFlight);
    const previous = lastWrite.get(document) ?? Promise.resolve();
    const write: Promise<void> = previous.then(() => send(port, entry));
    lastWrite.set(document, write);
    inFlight.add(write);
    void write.finally(() => inFlight.delete(write));
  }
  await Promise.all(inFlight);
}

/** Replays the snapshot and then the newer logs. */
async function replay(port: number): Promise<{ applied: number; generation: number }> {
  let covered = -1;
  let applied = 0;
  if (existsSync(snapshotPath)) {
    const [headerLine, ...rest] = readFileSync(snapshotPath, 'utf8').split('\n');
    covered = (JSON.parse(headerLine ?? '{}') as SnapshotHeader).coversGeneration;
    const entries = rest.filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as WalEntry);
    await apply(port, entries);
    applied += entries.length;
  }
  let generation = covered;
  for (const file of walFiles()) {
    if (file.generation <= covered) continue;
    const entries = readEntries(file.path);
    console.log(`cosmos emulator replaying ${entries.length} logged writes`);
    await apply(port, entries);
    applied += entries.length;
    generation = Math.max(generation, file.generation);
  }
  return { applied, generation: Math.max(generation, 0) };
}

async function getJson<T>(port: number, path: string): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    headers: { authorization: 'snapshot', 'x-ms-date': new Date().toUTCString() },
  });
  return (await response.json()) as T;
}

/** Writes every database, container and document as one snapshot covering logs up to `generation`. */
async function snapshot(port: number, generation: number): Promise<void> {
  const lines: string[] = [JSON.stringify({ coversGeneration: generation } satisfies SnapshotHeader)];
  const entry = (method: string, url: string, body: unknown, headers: Record<string, string> = {}): string =>
    JSON.stringify({
      method,
      url,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const strip = (resource: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(resource).filter(([key]) => !key.startsWith('_')));
  const { Databases } = await getJson<{ Databases: { id: string }[] }>(port, '/dbs');
  for (const database of Databases) {
    lines.push(entry('POST', '/dbs', { id: database.id }));
    const { DocumentCollections } = await getJson<{
      DocumentCollections: { id: string; partitionKey?: { paths?: string[] }; defaultTtl?: number }[];
    }>(port, `/dbs/${database.id}/colls`);
    for (const collection of DocumentCollections) {
      lines.push(entry('POST', `/dbs/${database.id}/colls`, strip(collection)));
      const keyPath = (collection.partitionKey?.paths?.[0] ?? '/id').slice(1).split('/');
      const { Documents } = await getJson<{ Documents: Record<string, unknown>[] }>(
        port,
        `/dbs/${database.id}/colls/${collection.id}/docs`,
      );
      for (const document of Documents) {
        const keyValue = keyPath.reduce<unknown>(
          (value, part) => (value as Record<string, unknown> | undefined)?.[part],
          document,
        );
        lines.push(
          entry('POST', `/dbs/${database.id}/colls/${collection.id}/docs`, strip(document), {
            'x-ms-documentdb-is-upsert': 'true',
            'x-ms-documentdb-partitionkey': JSON.stringify([keyValue ?? null]),
          }),
        );
      }
    }
  }
  writeFileSync(`${snapshotPath}.tmp`, lines.join('\n') + '\n');
  renameSync(`${snapshotPath}.tmp`, snapshotPath);
  for (const file of walFiles()) if (file.generation <= generation) rmSync(file.path, { force: true });
}

let currentGeneration = 0;
let listeningPort = 0;

server.listen(Number(values.port ?? '0'), '127.0.0.1', () => {
  const address = server.address();
  listeningPort = typeof address === 'object' && address ? address.port : 0;
  replay(listeningPort)
    .then(async ({ applied, generation }) => {
      // Compact before accepting writes: the next start replays one snapshot, not every write.
      await snapshot(listeningPort, generation);
      currentGeneration = generation + 1;
      walFd = openSync(walPath(currentGeneration), 'a');
      state = 'serving';
      console.log(`cosmos emulator replayed ${applied} writes`);
      console.log(`cosmos emulator ready on 127.0.0.1:${listeningPort}`);
    })
    .catch((error: unknown) => {
      console.error('cosmos emulator could not replay its log', error);
      process.exit(1);
    });
});

const shutdown = (): void => {
  if (state === 'closing') return;
  const wasServing = state === 'serving';
  state = 'closing'; // writes are refused from here on, so the snapshot below is complete
  if (walFd !== undefined) closeSync(walFd);
  walFd = undefined;
  // A clean stop compacts the log, so the next start is quick; a kill just replays more.
  const compacted = wasServing ? snapshot(listeningPort, currentGeneration) : Promise.resolve();
  compacted
    .catch((error: unknown) => console.error('cosmos emulator could not write its snapshot', error))
    .finally(() => {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    });
  setTimeout(() => process.exit(0), 30000).unref();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
