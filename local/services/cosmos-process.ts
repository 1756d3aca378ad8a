/**
 * Child-process entry for the local Cosmos DB emulator: `@vercel/cosmosdb-server`'s in-memory
 * account and routes, served over plain HTTP on loopback, made durable with a write-ahead log.
 *
 * After each successful write, and before its response is sent, the state of every resource it
 * touched (the document as stored, with its `_etag` and `_ts`, or its absence) is appended to the
 * log (see cosmos-state.ts). At start-up the snapshot and the newer logs are loaded straight into
 * the account, so documents come back exactly as they were and in seconds. The log is compacted
 * into a snapshot after each start-up and at a clean shutdown: `cosmos-snapshot.jsonl` covers the
 * logs up to its generation, and `cosmos-wal-<generation>.jsonl` holds what came after, so a
 * crash at any point loses no acknowledged write.
 *
 * Data directories written by the earlier version (which logged requests, not states) are still
 * read: those requests are run through the server's handlers once, then compacted.
 *
 * Usage: node cosmos-process.js --port 0 --data-dir .local/cosmos
 * Prints `cosmos emulator ready on 127.0.0.1:<port>` when it accepts connections.
 */
import accountModule from '@vercel/cosmosdb-server/lib/account/index.js';
import routesModule from '@vercel/cosmosdb-server/lib/routes.js';
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parseArgs } from 'node:util';
import {
  currentState,
  isLoggedWrite,
  restore,
  snapshotEntries,
  touchedResources,
  type Account,
  type StateEntry,
} from './cosmos-state.js';

type Body = Record<string, unknown>;
type RouteHandler = (
  account: Account,
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string>,
) => unknown;
// The package is CommonJS: its exports are the modules' `default` properties.
const route = routesModule.default as (
  req: IncomingMessage,
) => [Record<string, string>, RouteHandler] | undefined;

/** A request as the earlier version logged it. */
interface LegacyRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

interface SnapshotHeader {
  /** 2: state entries; absent: requests (the earlier version). */
  format?: number;
  coversGeneration: number;
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

let account: Account;
let walFd: number | undefined;
/** starting: loading from disk, requests refused; serving: writes are logged; closing: writes refused. */
let state: 'starting' | 'serving' | 'closing' = 'starting';
let currentGeneration = 0;

/** Calls `visit` with each line of a file, reading it in chunks (a log can outgrow one string). */
function forEachLine(path: string, visit: (line: string) => void): void {
  const fd = openSync(path, 'r');
  const chunk = Buffer.alloc(1 << 20);
  const decoder = new StringDecoder('utf8');
  let pending = '';
  try {
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) {
      const lines = (pending + decoder.write(chunk.subarray(0, read))).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach((line) => visit(line));
    }
    pending += decoder.end();
    if (pending !== '') visit(pending);
  } finally {
    closeSync(fd);
  }
}

/** Runs a request the earlier version logged through the server's own handler, in process. */
async function applyLegacyRequest(entry: LegacyRequest): Promise<void> {
  const request = Object.assign(Readable.from([Buffer.from(entry.body)], { objectMode: false }), {
    method: entry.method,
    url: entry.url,
    headers: entry.headers,
  }) as unknown as IncomingMessage;
  const matched = route(request);
  if (!matched) return;
  const response = { statusCode: 200, setHeader: () => undefined } as unknown as ServerResponse;
  try {
    await matched[1](account, request, response, matched[0]);
  } catch {
    // The original request failed the same way and changed nothing.
  }
}

/**
 * Loads one file's entries into the account, in order. A torn last line (a kill mid-append) was
 * never acknowledged and is skipped; the snapshot is written whole, so there it is corruption.
 */
async function load(
  path: string,
  options: { skipFirstLine: boolean; tornLineAllowed: boolean },
): Promise<number> {
  let loaded = 0;
  const legacy: LegacyRequest[] = [];
  let first = true;
  forEachLine(path, (line) => {
    if (first && options.skipFirstLine) return void (first = false);
    if (line.trim() === '') return;
    let entry: StateEntry | LegacyRequest;
    try {
      entry = JSON.parse(line) as StateEntry | LegacyRequest;
    } catch (error) {
      if (options.tornLineAllowed) return;
      throw error;
    }
    if ('method' in entry) legacy.push(entry);
    else restore(account, entry);
    loaded += 1;
  });
  for (const entry of legacy) await applyLegacyRequest(entry);
  return loaded;
}

/** Loads the snapshot and then the newer logs; returns the newest generation they cover. */
async function loadAll(): Promise<{ loaded: number; generation: number }> {
  let covered = -1;
  let loaded = 0;
  if (existsSync(snapshotPath)) {
    forEachLine(snapshotPath, (line) => {
      if (covered === -1) covered = (JSON.parse(line) as SnapshotHeader).coversGeneration;
    });
    loaded += await load(snapshotPath, { skipFirstLine: true, tornLineAllowed: false });
  }
  let generation = covered;
  for (const file of walFiles()) {
    if (file.generation <= covered) continue;
    loaded += await load(file.path, { skipFirstLine: false, tornLineAllowed: true });
    generation = Math.max(generation, file.generation);
  }
  return { loaded, generation: Math.max(generation, 0) };
}

/** Writes every resource as one snapshot covering the logs up to `generation`, then drops those logs. */
function writeSnapshot(generation: number): void {
  const temporary = `${snapshotPath}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    const header: SnapshotHeader = { format: 2, coversGeneration: generation };
    let buffered = JSON.stringify(header) + '\n';
    for (const entry of snapshotEntries(account)) {
      buffered += JSON.stringify(entry) + '\n';
      if (buffered.length > 1 << 20) {
        writeSync(fd, buffered);
        buffered = '';
      }
    }
    writeSync(fd, buffered);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, snapshotPath);
  for (const file of walFiles()) if (file.generation <= generation) rmSync(file.path, { force: true });
}

function isWrite(req: IncomingMessage): boolean {
  const mutating = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method ?? '');
  const isQuery =
    req.headers['x-ms-documentdb-isquery'] === 'true' ||
    req.headers['content-type'] === 'application/query+json';
  return mutating && !isQuery;
}

function pathSegments(req: IncomingMessage): string[] {
  return new URL(req.url ?? '/', 'http://emulator').pathname.split('/').filter((segment) => segment !== '');
}

/** Collects a request's body as the server's handler reads it (only batches need it logged). */
function teeBody(req: IncomingMessage): () => unknown {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => {
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  };
}

/**
 * Appends the state of every resource the write touched; false when there is no log to write to
 * (shutting down), in which case the write must not be acknowledged.
 */
function logWrite(
  req: IncomingMessage,
  params: Record<string, string>,
  responseBody: unknown,
  requestBody: unknown,
): boolean {
  if (walFd === undefined) return false;
  const refs = touchedResources(account, {
    method: req.method ?? '',
    segments: pathSegments(req),
    params,
    partitionKeyHeader: req.headers['x-ms-documentdb-partitionkey'] as string | undefined,
    isBatch: req.headers['x-ms-cosmos-is-batch-request'] === 'true',
    requestBody,
    responseBody,
  });
  const lines = refs.flatMap((ref) => {
    const entry = currentState(account, ref);
    return entry ? [JSON.stringify(entry)] : [];
  });
  if (lines.length > 0) writeSync(walFd, lines.join('\n') + '\n');
  return true;
}

/** The server reports no real query metrics: every figure is zero but the output count. */
const queryMetrics = [
  'totalExecutionTimeInMs',
  'queryCompileTimeInMs',
  'queryLogicalPlanBuildTimeInMs',
  'queryPhysicalPlanBuildTimeInMs',
  'queryOptimizationTimeInMs',
  'VMExecutionTimeInMs',
  'indexLookupTimeInMs',
  'documentLoadTimeInMs',
  'systemFunctionExecuteTimeInMs',
  'userFunctionExecuteTimeInMs',
]
  .map((name) => `${name}=0.00`)
  .concat(
    'retrievedDocumentCount=0',
    'retrievedDocumentSize=0',
    'outputDocumentCount=1',
    'outputDocumentSize=0',
    'writeOutputTimeInMs=0.00',
    'indexUtilizationRatio=0.00',
  )
  .join(';');

/** Sends a handler's result with the headers the server's own request handler sets. */
function respond(req: IncomingMessage, res: ServerResponse, body: Body | undefined): void {
  if (body && res.statusCode > 399 && !body.message) body.message = '';
  if (typeof body?._etag === 'string') res.setHeader('etag', body._etag);
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-location', `https://${req.headers.host ?? ''}${req.url ?? ''}`);
  res.setHeader('connection', 'close');
  res.setHeader('x-ms-activity-id', randomUUID());
  res.setHeader('x-ms-request-charge', '1');
  if (req.headers['x-ms-documentdb-populatequerymetrics'])
    res.setHeader('x-ms-documentdb-query-metrics', queryMetrics);
  if (req.headers['a-im'] && res.statusCode === 200) {
    // Change feed: the server keeps no history, so a conditional read is always "not modified".
    if (req.headers['if-none-match']) res.statusCode = 304;
    res.setHeader('etag', '1');
  }
  res.end(JSON.stringify(body));
}

async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const write = isWrite(req);
  if (state === 'starting' || (state === 'closing' && write)) {
    res
      .writeHead(503, { 'content-type': 'application/json' })
      .end(JSON.stringify({ code: 'ServiceUnavailable' }));
    return;
  }
  const matched = route(req);
  if (!matched) {
    res.statusCode = 400;
    return respond(req, res, { message: 'no route' });
  }
  if (write && !isLoggedWrite(req.method ?? '', pathSegments(req))) {
    res.statusCode = 501;
    return respond(req, res, { message: 'this write is not supported by the durable local emulator' });
  }
  const [params, handler] = matched;
  const isBatch = req.headers['x-ms-cosmos-is-batch-request'] === 'true';
  const requestBody = write && isBatch ? teeBody(req) : undefined;
  let body: Body | undefined;
  try {
    body = (await handler(account, req, res, params)) as Body | undefined;
  } catch (error) {
    console.error(error);
    res.statusCode = 500;
    body = { message: error instanceof Error ? error.message : String(error) };
  }
  // A batch can apply some operations and still fail, so its documents are always logged.
  if (write && (res.statusCode < 300 || isBatch)) {
    try {
      if (!logWrite(req, params, body, requestBody?.())) {
        res.statusCode = 503;
        body = { code: 'ServiceUnavailable', message: 'the emulator is shutting down' };
      }
    } catch (error) {
      console.error('cosmos emulator could not log a write', error);
      res.statusCode = 500;
      body = { message: 'the write could not be logged' };
    }
  }
  respond(req, res, body);
}

const server = http.createServer((req, res) => {
  serve(req, res).catch((error: unknown) => {
    console.error(error);
    if (!res.writableEnded) res.writeHead(500).end('');
  });
});

server.listen(Number(values.port ?? '0'), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  account = new accountModule.default('127.0.0.1', port);
  const started = performance.now();
  loadAll()
    .then(({ loaded, generation }) => {
      // Compact before accepting writes: the next start reads one snapshot, not every write.
      writeSnapshot(generation);
      currentGeneration = generation + 1;
      walFd = openSync(walPath(currentGeneration), 'a');
      state = 'serving';
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`cosmos emulator loaded ${loaded} logged states in ${seconds} s`);
      console.log(`cosmos emulator ready on 127.0.0.1:${port}`);
    })
    .catch((error: unknown) => {
      console.error('cosmos emulator could not load its data', error);
      process.exit(1);
    });
});

const shutdown = (): void => {
  if (state === 'closing') return;
  const wasServing = state === 'serving';
  state = 'closing'; // writes are refused from here on, so the snapshot below is complete
  if (walFd !== undefined) closeSync(walFd);
  walFd = undefined;
  // A clean stop compacts the log, so the next start reads only the snapshot.
  try {
    if (wasServing) writeSnapshot(currentGeneration);
  } catch (error) {
    console.error('cosmos emulator could not write its snapshot', error);
  }
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 5000).unref();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
