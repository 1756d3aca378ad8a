/**
 * Child-process entry for Azurite's blob service, made crash-safe.
 *
 * Azurite keeps its blob and extent metadata in LokiJS databases that it saves every 5 seconds,
 * so a `kill -9` loses writes it has already acknowledged. Here every successful write request
 * (PUT, POST, DELETE, PATCH) is answered only after its metadata changes are in a write-ahead
 * journal on disk (azurite-journal.ts): a group commit, so concurrent writes share one write and
 * one fdatasync. The extent files holding the blob bytes those changes point at are fdatasynced
 * first, by the same group commit (azurite-speedups.ts, which also removes per-request work that
 * the answers do not depend on).
 *
 * Takes Azurite's own blob flags (`--blobPort 0 --location <dir> ...`) and prints Azurite's
 * `successfully listens on http://127.0.0.1:<port>` line when ready.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { MetadataJournal, type LokiDatabase } from './azurite-journal.js';
import { cacheUriTemplates, holdSmallBodies, poolUuidRandomBytes } from './azurite-speedups.js';

interface LokiResultset {
  find: (this: LokiResultset, query?: unknown, firstOnly?: boolean) => LokiResultset;
}

interface AzuriteBlobServer {
  start(): Promise<void>;
  close(): Promise<void>;
  getHttpServerAddress(): string;
  httpServer: Server;
  metadataStore: { db: LokiDatabase };
  extentMetadataStore: { db: LokiDatabase };
}

const require = createRequire(import.meta.url);
poolUuidRandomBytes(); // before Azurite loads uuid
const { Resultset } = require('lokijs') as { Resultset: { prototype: LokiResultset } };
const { BlobServerFactory } = require('azurite/dist/src/blob/BlobServerFactory') as {
  BlobServerFactory: new () => { createServer(): Promise<AzuriteBlobServer> };
};

/** Query fields that identify about one document, most selective first. */
const SELECTIVE_FIELDS = ['name', 'blobName'];

/**
 * Azurite looks blobs up with `{ accountName, containerName, name, snapshot }`. LokiJS turns that
 * into an `$and` and uses a binary index for the first field only; every blob shares the account,
 * so each lookup scanned the whole collection (write cost grew with the blob count). Equality
 * filters commute, so we put the field that picks one blob first and its index does the work.
 */
function putSelectiveFieldFirst(resultset: LokiResultset): void {
  const find = resultset.find;
  resultset.find = function findSelectiveFirst(this: LokiResultset, query?: unknown, firstOnly?: boolean) {
    if (typeof query === 'object' && query !== null && !Array.isArray(query)) {
      const fields = query as Record<string, unknown>;
      const first = SELECTIVE_FIELDS.find((field) => typeof fields[field] === 'string');
      const keys = Object.keys(fields);
      if (first && keys.length > 1 && keys[0] !== first) {
        const reordered: Record<string, unknown> = { [first]: fields[first] };
        for (const key of keys) if (key !== first) reordered[key] = fields[key];
        return find.call(this, reordered, firstOnly);
      }
    }
    return find.call(this, query, firstOnly);
  };
}

async function main(): Promise<void> {
  putSelectiveFieldFirst(Resultset.prototype);
  cacheUriTemplates();
  const heldBodies = holdSmallBodies();
  const server = await new BlobServerFactory().createServer();
  await server.start();
  const journal = new MetadataJournal(
    dirname(server.metadataStore.db.filename),
    [server.metadataStore.db, server.extentMetadataStore.db],
    () => heldBodies.syncWritten(),
  );
  await journal.open();
  const inner = server.httpServer.listeners('request')[0] as (
    req: IncomingMessage,
    res: ServerResponse,
  ) => void;
  server.httpServer.removeAllListeners('request');
  server.httpServer.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const method = request.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') {
      inner(request, response);
      return;
    }
    const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
    response.end = ((...args: unknown[]) => {
      if (response.statusCode >= 300) return end(...args);
      journal.commit().then(
        () => end(...args),
        (error: unknown) => {
          console.error(`azurite: could not save its metadata: ${String(error)}`);
          response.destroy();
        },
      );
      return response;
    }) as typeof response.end;
    inner(request, response);
  });
  console.log(`Azurite Blob service successfully listens on ${server.getHttpServerAddress()}`);
  const shutdown = (): void => {
    journal
      .close()
      .then(() => heldBodies.close())
      .then(() => server.close())
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error(`azurite failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
