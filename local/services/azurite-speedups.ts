/**
 * Per-request work Azurite does that an answer does not depend on, removed in the local wrapper
 * (azurite-process.ts) so a blob write costs less CPU. Each patch keeps Azurite's behaviour:
 * the same operation is dispatched, the same bytes land in the same extent, the same MD5 and
 * request ids are computed. Installed once, before the blob server is created.
 */
import { createRequire } from 'node:module';
import { randomFillSync } from 'node:crypto';
import { closeSync, fdatasync, open, writeSync } from 'node:fs';
import { Readable } from 'node:stream';

const require = createRequire(import.meta.url);

interface UriTemplate {
  fromUri(uri: string, options?: { strict?: boolean }): Record<string, unknown> | undefined;
}

/** The paths Azurite's dispatcher matches templates against (its `dispatchPattern`). */
const DISPATCH_PATTERNS = new Set(['/', '/container', '/container/blob']);

/**
 * Azurite's dispatcher matches each request against the path template of every operation with
 * the request's method, parsing each template again each time (most of a request's
 * allocations). It matches the templates against one of three fixed patterns
 * (`/container/blob`, `/container`, `/`), so the outcome for a template and a pattern never
 * changes: it is computed once. Any other path is matched as before, with the parsed template.
 */
export function cacheUriTemplates(): void {
  const parse = require('uri-templates') as (template: string) => UriTemplate;
  const utils = require('azurite/dist/src/blob/generated/utils/utils') as {
    isURITemplateMatch: (url: string, template: string) => boolean;
  };
  const parsed = new Map<string, UriTemplate>();
  const outcomes = new Map<string, boolean>();
  const match = (url: string, template: string): boolean => {
    let uriTemplate = parsed.get(template);
    if (!uriTemplate) {
      uriTemplate = parse(template);
      parsed.set(template, uriTemplate);
    }
    const result = uriTemplate.fromUri(url, { strict: true });
    if (result === undefined) return false;
    for (const key of Object.keys(result)) if (result[key] === '') return false;
    return true;
  };
  utils.isURITemplateMatch = (url: string, template: string): boolean => {
    if (!DISPATCH_PATTERNS.has(url)) return match(url, template);
    const key = `${url} ${template}`;
    let outcome = outcomes.get(key);
    if (outcome === undefined) {
      outcome = match(url, template);
      outcomes.set(key, outcome);
    }
    return outcome;
  };
}

/**
 * Azurite's request, context and operation ids are uuid v4s, and uuid@3 asks the system for 16
 * random bytes each time. The same bytes come from a refilled pool instead (each id gets its own
 * slice, which uuid may modify). Must run before Azurite (and so uuid) is loaded.
 */
export function poolUuidRandomBytes(): void {
  const rngPath = require.resolve('uuid/lib/rng', {
    paths: [require.resolve('azurite/package.json')],
  });
  if (require.cache[rngPath]) return; // already loaded: leave it as it is
  const POOL_BYTES = 16 * 256;
  let pool = Buffer.alloc(0);
  let offset = POOL_BYTES;
  const pooledRng = (): Buffer => {
    if (offset + 16 > pool.length) {
      pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
      offset = 0;
    }
    offset += 16;
    return pool.subarray(offset - 16, offset);
  };
  // A pre-loaded module: every later require of uuid's rng gets the pooled generator.
  const Module = require('node:module') as new (id: string) => NodeJS.Module;
  const module = new Module(rngPath);
  module.filename = rngPath;
  module.loaded = true;
  module.exports = pooledRng;
  require.cache[rngPath] = module;
}

interface ExtentChunk {
  id: string;
  offset: number;
  count: number;
}

const openFile = (path: string, flags: string): Promise<number> =>
  new Promise((resolve, reject) => open(path, flags, (error, fd) => (error ? reject(error) : resolve(fd))));

/** Bodies up to this size are held in memory while they are written (block blobs, blocks). */
const READ_BACK_LIMIT = 4 * 1024 * 1024;

/**
 * Reads a body until its end or until it passes `limit`. Past the limit, the chunks read so far
 * and the rest of the stream are handed back as one stream, so nothing is lost.
 */
async function readUpTo(
  stream: NodeJS.ReadableStream,
  limit: number,
): Promise<{ bytes: Buffer } | { stream: Readable }> {
  const chunks: Buffer[] = [];
  let size = 0;
  const iterator = (stream as Readable)[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      chunks.push(chunk);
      size += chunk.length;
      if (size > limit) {
        const rest = async function* (): AsyncGenerator<Buffer> {
          yield* chunks;
          for (;;) {
            const more = await iterator.next();
            if (more.done) return;
            yield typeof more.value === 'string' ? Buffer.from(more.value) : more.value;
          }
        };
        return { stream: Readable.from(rest(), { objectMode: false }) };
      }
    }
  } catch {
    // An aborted request: Azurite writes what arrived and then refuses the length mismatch.
  }
  return { bytes: Buffer.concat(chunks, size) };
}

/**
 * Writes all of `bytes` at the end of the (append-mode) file, synchronously: a body this small
 * goes to the page cache in microseconds, less than handing it to the thread pool costs.
 */
function writeAll(fd: number, bytes: Buffer): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}

const syncFile = (fd: number): Promise<void> =>
  new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));

interface AppendExtent {
  id: string;
  locationId: string;
  fd?: number;
}

/** The parts of Azurite's FSExtentStore used here. */
interface FSExtentStore {
  activeWriteExtents: AppendExtent[];
  generateExtentPath(locationId: string, extentId: string): string;
  appendExtent: (
    this: FSExtentStore,
    data: NodeJS.ReadableStream | Buffer,
    contextId?: string,
  ) => Promise<ExtentChunk>;
  readExtent: (
    this: FSExtentStore,
    chunk?: ExtentChunk,
    contextId?: string,
  ) => Promise<NodeJS.ReadableStream>;
  streamPipe: (
    this: FSExtentStore,
    rs: NodeJS.ReadableStream,
    ws: NodeJS.WritableStream,
    fd?: number,
    contextId?: string,
  ) => Promise<number>;
}

export interface HeldBodies {
  /**
   * Makes every extent write so far durable (fdatasync). The metadata journal calls it before
   * it writes a group of changes, so no journaled blob points at bytes that are not on disk.
   */
  syncWritten(): Promise<void>;
  /** Closes the descriptors used for syncing (at shutdown, after the last sync). */
  close(): void;
}

/**
 * Block blob and block bodies up to 4 MB are held in memory while Azurite writes them:
 *
 * - Azurite pipes a body into its extent file through a new write stream and then reads the
 *   bytes back from the file to compute their MD5. A held body is written to the extent's
 *   descriptor directly, and that one read-back of exactly the chunk just appended is served
 *   from memory: the same bytes, without an open, a read and a close per write. Every other
 *   read goes to disk.
 * - Azurite fdatasyncs the extent after each body. Here the extents written since the last
 *   group commit are fdatasynced once, by the metadata journal's group commit, before it writes
 *   the metadata that points at them (`syncWritten`), so a write is still durable before it is
 *   acknowledged, and concurrent writes share one sync per extent file.
 *
 * Larger bodies and writes to descriptors we cannot place go through Azurite's own path.
 */
export function holdSmallBodies(): HeldBodies {
  const FSExtentStoreModule = require('azurite/dist/src/common/persistence/FSExtentStore') as {
    default: { prototype: FSExtentStore };
  };
  const { default: BufferStream } = require('azurite/dist/src/common/utils/BufferStream') as {
    default: new (buffer: Buffer) => Readable & { buffer: Buffer; offset: number };
  };
  const prototype = FSExtentStoreModule.default.prototype;
  const { appendExtent, readExtent, streamPipe } = prototype;
  const justWritten = new WeakMap<ExtentChunk, Buffer>();
  interface ExtentFile {
    store: FSExtentStore;
    extentId: string;
  }
  /** Extent files written and not yet synced, by path. */
  const unsynced = new Map<string, ExtentFile>();
  /** Our own descriptor per extent file, for syncing (a sync covers the file, not a descriptor). */
  const syncDescriptors = new Map<string, ExtentFile & { fd: number }>();

  prototype.streamPipe = function writeHeld(this: FSExtentStore, rs, ws, fd, contextId) {
    const extent = this.activeWriteExtents.find((candidate) => candidate.fd === fd);
    if (!(rs instanceof BufferStream) || rs.offset !== 0 || typeof fd !== 'number' || !extent)
      return streamPipe.call(this, rs, ws, fd, contextId);
    const path = this.generateExtentPath(extent.locationId, extent.id);
    try {
      writeAll(fd, rs.buffer);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    unsynced.set(path, { store: this, extentId: extent.id });
    return Promise.resolve(rs.buffer.length);
  };
  prototype.appendExtent = async function appendHeld(this: FSExtentStore, data, contextId) {
    if (Buffer.isBuffer(data)) return appendExtent.call(this, data, contextId);
    const body = await readUpTo(data, READ_BACK_LIMIT);
    if ('stream' in body) return appendExtent.call(this, body.stream, contextId);
    const chunk = await appendExtent.call(this, body.bytes, contextId);
    if (chunk.count > 0 && chunk.count === body.bytes.length) justWritten.set(chunk, body.bytes);
    return chunk;
  };
  prototype.readExtent = async function readHeld(this: FSExtentStore, chunk, contextId) {
    const bytes = chunk ? justWritten.get(chunk) : undefined;
    if (!chunk || !bytes) return readExtent.call(this, chunk, contextId);
    justWritten.delete(chunk);
    return Readable.from([bytes], { objectMode: false });
  };

  return {
    async syncWritten() {
      if (unsynced.size === 0) return;
      const files = [...unsynced];
      unsynced.clear();
      try {
        await Promise.all(
          files.map(async ([path, file]) => {
            let descriptor = syncDescriptors.get(path);
            if (!descriptor) {
              // r+: Windows only flushes files opened for writing; nothing is written through it.
              descriptor = { ...file, fd: await openFile(path, 'r+') };
              syncDescriptors.set(path, descriptor);
            }
            await syncFile(descriptor.fd);
          }),
        );
      } catch (error) {
        for (const [path, file] of files) if (!unsynced.has(path)) unsynced.set(path, file); // next time
        throw error;
      }
      // Extents Azurite has moved on from (64 MB reached) are never written again.
      const active = new Set<string>();
      for (const store of new Set([...syncDescriptors.values()].map((file) => file.store)))
        for (const extent of store.activeWriteExtents) active.add(extent.id);
      for (const [path, { fd, extentId }] of syncDescriptors) {
        if (active.has(extentId) || unsynced.has(path)) continue;
        syncDescriptors.delete(path);
        closeSync(fd);
      }
    },
    close() {
      for (const { fd } of syncDescriptors.values()) closeSync(fd);
      syncDescriptors.clear();
    },
  };
}
