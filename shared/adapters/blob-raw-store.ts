/**
 * Blob storage adapters for the ingest stage: the immutable raw store (write-if-absent) and the
 * landing container that export files are dropped into (read a file, write its report).
 */
import type { ContainerClient } from '@azure/storage-blob';
import { StorageUnavailableError, type RawStore } from '../stages/ingest.js';

export interface BlobAdapterOptions {
  /** Per-call deadline; a write that cannot finish in time counts as storage unavailable. */
  timeoutMs?: number;
}

interface StorageErrorShape {
  name?: string;
  statusCode?: number;
  code?: string;
}

function asStorageError(error: unknown): StorageErrorShape {
  return typeof error === 'object' && error !== null ? error : {};
}

/** 409 BlobAlreadyExists (Azure) or 412 ConditionNotMet: the blob is already there. */
function isAlreadyExists(error: StorageErrorShape): boolean {
  return error.statusCode === 409 || error.statusCode === 412 || error.code === 'BlobAlreadyExists';
}

/** No answer, a timeout, throttling or a server error: the caller should retry later. */
function isUnavailable(error: StorageErrorShape): boolean {
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return true;
  // A RestError without a status never got an answer (connection refused, reset, DNS).
  if (error.statusCode === undefined) return error.name === 'RestError' || /^E[A-Z]+$/.test(error.code ?? '');
  return error.statusCode >= 500 || error.statusCode === 408 || error.statusCode === 429;
}

function unavailable(error: unknown): StorageUnavailableError {
  const shape = asStorageError(error);
  return new StorageUnavailableError(
    `blob storage unavailable (${shape.statusCode ?? shape.code ?? shape.name ?? 'network error'})`,
    { cause: error },
  );
}

export class BlobRawStore implements RawStore {
  private readonly timeoutMs: number;

  constructor(
    private readonly container: ContainerClient,
    options: BlobAdapterOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async putIfAbsent(
    path: string,
    bytes: Buffer,
    metadata: Record<string, string>,
  ): Promise<'created' | 'exists'> {
    try {
      await this.container.getBlockBlobClient(path).upload(bytes, bytes.length, {
        conditions: { ifNoneMatch: '*' },
        metadata,
        blobHTTPHeaders: { blobContentType: 'application/json' },
        abortSignal: AbortSignal.timeout(this.timeoutMs),
      });
      return 'created';
    } catch (error) {
      const shape = asStorageError(error);
      if (isAlreadyExists(shape)) return 'exists';
      if (isUnavailable(shape)) throw unavailable(error);
      throw error;
    }
  }
}

/** The `landing` container: export files in, `<file>.report.json` beside them. */
export class BlobLanding {
  private readonly timeoutMs: number;

  constructor(
    private readonly container: ContainerClient,
    options: BlobAdapterOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Streams the blob; the caller reads it row by row. */
  async openRead(path: string): Promise<NodeJS.ReadableStream> {
    try {
      const response = await this.container.getBlobClient(path).download(0);
      if (!response.readableStreamBody) throw new Error(`blob ${path} has no body`);
      return response.readableStreamBody;
    } catch (error) {
      if (isUnavailable(asStorageError(error))) throw unavailable(error);
      throw error;
    }
  }

  /** Reports are derived data: a retry of the same file overwrites its report. */
  async writeReport(path: string, report: object): Promise<void> {
    const bytes = Buffer.from(JSON.stringify(report, null, 2), 'utf8');
    try {
      await this.container.getBlockBlobClient(path).upload(bytes, bytes.length, {
        blobHTTPHeaders: { blobContentType: 'application/json' },
        abortSignal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      if (isUnavailable(asStorageError(error))) throw unavailable(error);
      throw error;
    }
  }
}
