/**
 * Put Blob, the raw store's one hot call (a block blob written only if absent, with metadata and
 * a content type), as a single REST request. `BlockBlobClient.upload` builds client objects, runs
 * a dozen pipeline policies, serializers and tracing per call: about as much CPU as the rest of a
 * webhook (docs/sources.md, Benchmark). This sends the request the SDK sends for that call (same
 * URL, headers and body), authorized the same way from the container client's own credential:
 * Shared Key (local: the connection string's key), a bearer token from its TokenCredential (Azure:
 * the managed identity), or a SAS already in the URL. Failed tries are retried as the SDK's
 * default policy retries them: network errors and 500/503, after 0, 4 and 12 s, within the
 * caller's deadline.
 */
import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import { StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import type { AccessToken, TokenCredential } from '@azure/identity';

/** The Blob service version the SDK (12.32) sends; Azurite runs with --skipApiVersionCheck. */
export const BLOB_SERVICE_VERSION = '2026-04-06';
const STORAGE_SCOPE = 'https://storage.azure.com/.default';
const USER_AGENT = `feedback-pipeline (Node/${process.versions.node})`;
/** The SDK's default retry schedule: 4 tries, exponential from 4 s (first retry at once). */
const RETRY_DELAYS_MS = [0, 4_000, 12_000];
/** Network errors the SDK's retry policy retries (matched on the code, name or message). */
const RETRIABLE_ERRORS = [
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOENT',
  'ENOTFOUND',
  'TIMEOUT',
  'EPIPE',
  'REQUEST_SEND_ERROR',
];
/** Metadata names sent here: plain lowercase names sort the same in Shared Key's order and ASCII. */
const METADATA_NAME = /^[a-z][a-z0-9]*$/;

/** An HTTP answer other than success; `code` is the service's x-ms-error-code. */
export class BlobPutError extends Error {
  override name = 'RestError';
  constructor(
    message: string,
    readonly statusCode: number | undefined,
    readonly code: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

class DeadlineError extends Error {
  override name = 'TimeoutError';
}

/** The SDK's path escaping: each segment URI-encoded, then existing %XX kept (escapeURLPath). */
function escapeBlobPath(containerUrl: URL, blobName: string): string {
  const url = new URL(containerUrl.href);
  const segments = blobName.split('/').map((segment) => encodeURIComponent(segment));
  const path = url.pathname;
  url.pathname = path.endsWith('/') ? `${path}${segments.join('/')}` : `${path}/${segments.join('/')}`;
  return encodeURIComponent(url.pathname)
    .replace(/%2F/g, '/')
    .replace(/'/g, '%27')
    .replace(/\+/g, '%20')
    .replace(/%25/g, '%');
}

/** The blob's URL as `ContainerClient.getBlockBlobClient(name).url` gives it (tests compare). */
export function blobUrl(containerUrl: string, blobName: string): string {
  const container = new URL(containerUrl);
  return `${container.origin}${escapeBlobPath(container, blobName)}${container.search}`;
}

/** `/account/path`, then each query parameter as `\nname:value` (names lowercased, sorted). */
function canonicalizedResource(accountName: string, url: string): string {
  const parsed = new URL(url);
  let resource = `/${accountName}${parsed.pathname || '/'}`;
  const query = new Map<string, string>();
  for (const pair of parsed.search.slice(1).split('&')) {
    if (pair === '') continue;
    const [name = '', value = ''] = pair.split('=', 2);
    query.set(name.toLowerCase(), value);
  }
  for (const name of [...query.keys()].sort())
    resource += `\n${name}:${decodeURIComponent(query.get(name) ?? '')}`;
  return resource;
}

function isTokenCredential(credential: unknown): credential is TokenCredential {
  return (
    typeof credential === 'object' &&
    credential !== null &&
    typeof (credential as { getToken?: unknown }).getToken === 'function'
  );
}

/** One token for every call, fetched again shortly before it expires (single flight). */
class TokenCache {
  private token: AccessToken | undefined;
  private refreshing: Promise<AccessToken> | undefined;

  constructor(private readonly credential: TokenCredential) {}

  async get(): Promise<string> {
    const now = Date.now();
    const token = this.token;
    const refreshAt = token ? (token.refreshAfterTimestamp ?? token.expiresOnTimestamp - 5 * 60_000) : 0;
    if (token && now < refreshAt) return token.token;
    this.refreshing ??= this.credential
      .getToken(STORAGE_SCOPE)
      .then((fresh) => {
        if (!fresh) throw new Error(`no token for ${STORAGE_SCOPE}`);
        this.token = fresh;
        return fresh;
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    // A token that is due for refresh but still valid is used while the refresh runs.
    if (token && now < token.expiresOnTimestamp - 30_000) {
      this.refreshing.catch(() => undefined);
      return token.token;
    }
    return (await this.refreshing).token;
  }
}

function isRetriable(error: unknown, status: number | undefined): boolean {
  if (status !== undefined) return status === 500 || status === 503;
  if (!(error instanceof Error) || error instanceof DeadlineError) return false;
  const code = String((error as NodeJS.ErrnoException).code ?? '').toUpperCase();
  const name = error.name.toUpperCase();
  const message = error.message.toUpperCase();
  return RETRIABLE_ERRORS.some((known) => code === known || name.includes(known) || message.includes(known));
}

export interface PutResult {
  status: number;
  errorCode?: string;
}

export class BlobPutter {
  private readonly containerUrl: string;
  private readonly accountName: string | undefined;
  private readonly sharedKey: StorageSharedKeyCredential | undefined;
  private readonly tokens: TokenCache | undefined;
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;

  constructor(container: ContainerClient) {
    this.containerUrl = container.url;
    const credential: unknown = container.credential;
    if (credential instanceof StorageSharedKeyCredential) {
      this.sharedKey = credential;
      this.accountName = credential.accountName;
    } else if (isTokenCredential(credential)) {
      this.tokens = new TokenCache(credential);
    }
    const secure = new URL(this.containerUrl).protocol === 'https:';
    this.agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    this.request = secure ? https.request : http.request;
  }

  /** Whether `put` can send this metadata (anything else goes through the SDK). */
  static canSend(metadata: Record<string, string>): boolean {
    return Object.keys(metadata).every((name) => METADATA_NAME.test(name));
  }

  /**
   * Writes the blob if absent. Resolves with the service's status (201 created, 409/412 already
   * there, anything else as answered after retries); rejects on a network error, or with a
   * TimeoutError once `deadlineMs` has passed.
   */
  async put(
    blobName: string,
    bytes: Buffer,
    metadata: Record<string, string>,
    contentType: string,
    deadlineMs: number,
  ): Promise<PutResult> {
    const url = blobUrl(this.containerUrl, blobName);
    const deadline = Date.now() + deadlineMs;
    for (let attempt = 0; ; attempt += 1) {
      let outcome: { result: PutResult } | { error: Error };
      try {
        const result = await this.send(url, bytes, metadata, contentType, deadline);
        if (attempt >= RETRY_DELAYS_MS.length || !isRetriable(undefined, result.status)) return result;
        outcome = { result };
      } catch (error) {
        if (attempt >= RETRY_DELAYS_MS.length || !(error instanceof Error) || !isRetriable(error, undefined))
          throw error;
        outcome = { error };
      }
      const delay = RETRY_DELAYS_MS[attempt] ?? 0;
      if (Date.now() + delay >= deadline) {
        if ('error' in outcome) throw outcome.error;
        return outcome.result;
      }
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private async send(
    url: string,
    bytes: Buffer,
    metadata: Record<string, string>,
    contentType: string,
    deadline: number,
  ): Promise<PutResult> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(bytes.length),
      'If-None-Match': '*',
      'x-ms-version': BLOB_SERVICE_VERSION,
      'x-ms-blob-type': 'BlockBlob',
      'x-ms-blob-content-type': contentType,
      'x-ms-client-request-id': randomUUID(),
      'x-ms-date': new Date().toUTCString(),
      Accept: 'application/xml',
      'User-Agent': USER_AGENT,
    };
    for (const [name, value] of Object.entries(metadata)) headers[`x-ms-meta-${name}`] = value;
    if (this.sharedKey) headers.Authorization = this.sharedKeyAuthorization(url, headers);
    else if (this.tokens) headers.Authorization = `Bearer ${await this.tokens.get()}`;
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new DeadlineError('blob write deadline passed');
    return new Promise<PutResult>((resolve, reject) => {
      const outgoing = this.request(url, { method: 'PUT', headers, agent: this.agent }, (incoming) => {
        const status = incoming.statusCode ?? 0;
        const errorCode = incoming.headers['x-ms-error-code'];
        incoming.resume(); // the body (an XML error, if any) is not needed
        incoming.on('end', () => {
          clearTimeout(timer);
          resolve({ status, ...(typeof errorCode === 'string' ? { errorCode } : {}) });
        });
        incoming.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
      const timer = setTimeout(
        () => outgoing.destroy(new DeadlineError('blob write deadline passed')),
        remaining,
      );
      outgoing.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      outgoing.end(bytes);
    });
  }

  /** Shared Key for the Blob service, as the SDK's storageSharedKeyCredentialPolicy signs. */
  private sharedKeyAuthorization(url: string, headers: Record<string, string>): string {
    const msHeaders = Object.keys(headers)
      .filter((name) => name.startsWith('x-ms-'))
      .sort();
    const contentLength = headers['Content-Length'] === '0' ? '' : (headers['Content-Length'] ?? '');
    const stringToSign =
      [
        'PUT',
        '', // Content-Encoding
        '', // Content-Language
        contentLength,
        '', // Content-MD5
        headers['Content-Type'] ?? '',
        '', // Date
        '', // If-Modified-Since
        '', // If-Match
        headers['If-None-Match'] ?? '',
        '', // If-Unmodified-Since
        '', // Range
      ].join('\n') +
      '\n' +
      msHeaders.map((name) => `${name}:${(headers[name] ?? '').trimStart()}\n`).join('') +
      canonicalizedResource(this.accountName ?? '', url);
    return `SharedKey ${this.accountName ?? ''}:${this.sharedKey?.computeHMACSHA256(stringToSign) ?? ''}`;
  }
}
