/**
 * Child-process entry for the local Cosmos DB emulator: `@vercel/cosmosdb-server` over plain
 * HTTP on loopback, made durable with a write-ahead log.
 *
 * The npm server keeps everything in memory. Every successful mutating request (create, upsert,
 * replace, patch, delete) is appended to `<data-dir>/cosmos-wal.jsonl` before its response is
 * sent, and replayed into a fresh server at start-up, so data survives a restart or a kill.
 *
 * Usage: node cosmos-process.js --port 0 --data-dir .local/cosmos
 * Prints `cosmos emulator ready on 127.0.0.1:<port>` when it accepts connections.
 */
import { createHttpServer } from '@vercel/cosmosdb-server';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
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
const walPath = join(dataDir, 'cosmos-wal.jsonl');

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

server.on('request', (req: IncomingMessage, res: ServerResponse) => {
  const mutating =
    req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH' || req.method === 'DELETE';
  const isQuery =
    req.headers['x-ms-documentdb-isquery'] === 'true' ||
    req.headers['content-type'] === 'application/query+json';
  if (!mutating || isQuery || walFd === undefined) {
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

async function replay(port: number): Promise<number> {
  if (!existsSync(walPath)) return 0;
  const lines = readFileSync(walPath, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  let applied = 0;
  for (const line of lines) {
    let entry: WalEntry;
    try {
      entry = JSON.parse(line) as WalEntry;
    } catch {
      continue; // a torn final line from a kill mid-write: that request was never acknowledged
    }
    await new Promise<void>((resolve, reject) => {
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
    applied += 1;
  }
  return applied;
}

server.listen(Number(values.port ?? '0'), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  replay(port)
    .then((applied) => {
      walFd = openSync(walPath, 'a');
      console.log(`cosmos emulator replayed ${applied} writes`);
      console.log(`cosmos emulator ready on 127.0.0.1:${port}`);
    })
    .catch((error: unknown) => {
      console.error('cosmos emulator could not replay its log', error);
      process.exit(1);
    });
});

const shutdown = (): void => {
  if (walFd !== undefined) closeSync(walFd);
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
