/**
 * Builds signed webhook requests for every source the way each sender signs them, plus an
 * in-memory RawStore, for stage tests, the fuzz test, the benchmark and the dev-host tests.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import functions from '@azure/functions';
import type { HttpRequest as HttpRequestType, HttpResponseInit } from '@azure/functions';
import type { Source } from '../../shared/domain/record.js';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  signGenericBody,
  verifyShopify,
  verifyZendeskSignature,
} from '../../shared/domain/ingest/signatures.js';
import { extractShopify } from '../../shared/domain/ingest/shopify.js';
import { extractJudgeme } from '../../shared/domain/ingest/judgeme.js';
import { extractZendesk } from '../../shared/domain/ingest/zendesk.js';
import { StorageUnavailableError, type RawStore } from '../../shared/stages/ingest.js';

const { HttpRequest, InvocationContext } = functions;

export const TEST_SECRETS = {
  shopify: ['test-shopify-secret-one'],
  judgeme: ['test-judgeme-secret-one'],
  zendesk: ['test-zendesk-secret-one'],
  generic: ['test-generic-secret-one'],
} satisfies Record<Source, string[]>;

export const hmacBase64 = (secret: string, ...parts: (string | Buffer)[]): string => {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest('base64');
};

export const hmacHex = (secret: string, ...parts: (string | Buffer)[]): string => {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest('hex');
};

export interface SignOptions {
  secret?: string;
  /** Signing time; defaults to now. */
  at?: Date;
  /** Extra or overriding headers (set a header to '' to drop it). */
  headers?: Record<string, string>;
  /** Shopify topic, default returns/request. */
  topic?: string;
  /** Judge.me digest encoding, default hex. */
  encoding?: 'hex' | 'base64';
}

/** The headers a sender would put on this body. */
export function signedHeaders(
  source: Source,
  body: Buffer | string,
  options: SignOptions = {},
): Record<string, string> {
  const secret = options.secret ?? TEST_SECRETS[source][0]!;
  const at = options.at ?? new Date();
  let headers: Record<string, string>;
  switch (source) {
    case 'shopify':
      headers = {
        'X-Shopify-Hmac-Sha256': hmacBase64(secret, body),
        'X-Shopify-Topic': options.topic ?? 'returns/request',
        'X-Shopify-Shop-Domain': 'example-shop.myshopify.com',
        'X-Shopify-Webhook-Id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
        'X-Shopify-API-Version': '2026-04',
        'X-Shopify-Triggered-At': at.toISOString(),
      };
      break;
    case 'judgeme':
      headers = {
        'JUDGEME-HMAC-SHA256':
          options.encoding === 'base64' ? hmacBase64(secret, body) : hmacHex(secret, body),
      };
      break;
    case 'zendesk': {
      const timestamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
      headers = {
        'X-Zendesk-Webhook-Signature': hmacBase64(secret, timestamp, body),
        'X-Zendesk-Webhook-Signature-Timestamp': timestamp,
        'X-Zendesk-Webhook-Id': '01HTESTWEBHOOK0000000000000',
      };
      break;
    }
    case 'generic': {
      const timestamp = String(Math.floor(at.getTime() / 1000));
      headers = {
        'X-Feedback-Signature': signGenericBody(secret, timestamp, body),
        'X-Feedback-Timestamp': timestamp,
      };
      break;
    }
  }
  const merged: Record<string, string> = {
    'Content-Type': 'application/json',
    ...headers,
    ...options.headers,
  };
  for (const [name, value] of Object.entries(merged)) if (value === '') delete merged[name];
  return merged;
}

export interface RequestParts {
  method?: string;
  source: string;
  body: Buffer | string;
  headers: Record<string, string>;
  query?: string;
}

export function webhookRequest(parts: RequestParts): HttpRequestType {
  const bytes = typeof parts.body === 'string' ? Buffer.from(parts.body, 'utf8') : parts.body;
  return new HttpRequest({
    method: parts.method ?? 'POST',
    url: `http://127.0.0.1:7071/api/webhooks/${encodeURIComponent(parts.source)}${parts.query ?? ''}`,
    headers: parts.headers,
    body: { bytes },
    params: { source: parts.source },
  });
}

/** A request signed the way `source` signs, for `body`. */
export function signedRequest(
  source: Source,
  body: unknown,
  options: SignOptions & { query?: string } = {},
): HttpRequestType {
  const raw = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return webhookRequest({
    source,
    body: raw,
    headers: signedHeaders(source, raw, options),
    ...(options.query ? { query: options.query } : {}),
  });
}

export function testContext(): InstanceType<typeof InvocationContext> {
  return new InvocationContext({ invocationId: 'test-invocation', functionName: 'ingest' });
}

/** An in-memory RawStore with the same if-absent semantics as the blob adapter. */
export class MemoryRawStore implements RawStore {
  readonly blobs = new Map<string, { bytes: Buffer; metadata: Record<string, string> }>();
  /** Set to make every write fail as if storage were unreachable. */
  unavailable = false;
  putIfAbsent(path: string, bytes: Buffer, metadata: Record<string, string>): Promise<'created' | 'exists'> {
    if (this.unavailable) return Promise.reject(new StorageUnavailableError('storage unreachable (test)'));
    if (this.blobs.has(path)) return Promise.resolve('exists');
    this.blobs.set(path, { bytes: Buffer.from(bytes), metadata: { ...metadata } });
    return Promise.resolve('created');
  }
  envelopes(): Record<string, unknown>[] {
    return [...this.blobs.values()].map(
      (blob) => JSON.parse(blob.bytes.toString('utf8')) as Record<string, unknown>,
    );
  }
}

/** A logger that keeps what it was told, to check nothing sensitive is logged. */
export class RecordingLogger {
  readonly lines: { level: string; message: string; properties?: Record<string, unknown> }[] = [];
  info(message: string, properties?: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, ...(properties ? { properties } : {}) });
  }
  warn(message: string, properties?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, ...(properties ? { properties } : {}) });
  }
  error(message: string, properties?: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, ...(properties ? { properties } : {}) });
  }
}

/**
 * Serves a webhook handler over node:http the way the Functions host routes it
 * (`POST /api/webhooks/{source}`), for CLI tests and for running the benchmark by hand.
 */
export async function serveWebhookHandler(
  handler: (
    request: HttpRequestType,
    context: InstanceType<typeof InvocationContext>,
  ) => Promise<HttpResponseInit>,
): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
      const match = /^\/api\/webhooks\/([^/]*)$/.exec(url.pathname);
      if (!match) {
        outgoing.writeHead(404).end();
        return;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(incoming.headers))
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      const request = new HttpRequest({
        method: incoming.method ?? 'POST',
        url: url.href,
        headers,
        body: { bytes: Buffer.concat(chunks) },
        params: { source: decodeURIComponent(match[1]!) },
      });
      handler(request, testContext()).then(
        (response) => {
          const responseHeaders = {
            'Content-Type': 'application/json',
            ...(response.headers as Record<string, string>),
          };
          outgoing
            .writeHead(response.status ?? 200, responseHeaders)
            .end(JSON.stringify(response.jsonBody ?? {}));
        },
        () => outgoing.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Checks the signature code and the payload schemas against published vectors and sample
 * payloads (../shared/data/webhooks). Run by hand, never in CI (the folder is absent there):
 *   node --import tsx -e "import('./test/support/webhook-signing.ts').then(m => m.checkPublishedVectors('../shared/data/webhooks'))"
 */
export function checkPublishedVectors(dir: string): boolean {
  type Vector = Record<string, unknown> & { id: string; secret: string; headers?: Record<string, string> };
  let allGood = true;
  const report = (label: string, good: boolean, detail = '') => {
    allGood &&= good;
    console.log(`${good ? 'ok  ' : 'FAIL'} ${label}${detail ? ` (${detail})` : ''}`);
  };
  const input = (body: unknown, headers: Record<string, string> = {}) => ({
    header: (name: string) =>
      Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1],
    query: () => undefined,
    body,
    rawBody: Buffer.from(JSON.stringify(body)),
    receivedAt: new Date(),
  });

  const shopify = JSON.parse(readFileSync(join(dir, 'shopify/hmac_test_vectors.json'), 'utf8')) as {
    vectors: Vector[];
  };
  for (const vector of shopify.vectors) {
    const result = verifyShopify(
      [vector.secret],
      vector.headers?.['X-Shopify-Hmac-Sha256'],
      Buffer.from(vector.raw_body as string, 'utf8'),
    );
    report(`shopify ${vector.id}`, result.ok === vector.expected_valid, `valid=${result.ok}`);
  }
  const zendesk = JSON.parse(readFileSync(join(dir, 'zendesk/signature_test_vectors.json'), 'utf8')) as {
    vectors: Vector[];
  };
  for (const vector of zendesk.vectors) {
    const body = vector.body_file
      ? readFileSync(join(dir, 'zendesk', vector.body_file as string))
      : Buffer.from(vector.body as string, 'utf8');
    const expected = (vector.expected_valid ?? vector.expected_valid_under_current_doc_scheme) as boolean;
    const result = verifyZendeskSignature(
      [vector.secret],
      vector.signature as string,
      vector.timestamp as string,
      body,
    );
    report(`zendesk ${vector.id}`, result.ok === expected, `valid=${result.ok}`);
  }

  const judgeme = JSON.parse(readFileSync(join(dir, 'judgeme/review_created_sample.json'), 'utf8')) as {
    payload: unknown;
  };
  const judgemeResult = extractJudgeme(input(judgeme.payload));
  report(
    'judgeme review/created sample maps to one review item',
    judgemeResult.ok && judgemeResult.plan.items.length === 1,
    JSON.stringify(judgemeResult.ok ? judgemeResult.plan.items[0] : judgemeResult),
  );

  for (const file of readdirSync(join(dir, 'zendesk')).filter(
    (name) => name.endsWith('.json') && !name.includes('vectors'),
  )) {
    const document = JSON.parse(readFileSync(join(dir, 'zendesk', file), 'utf8')) as Record<string, unknown>;
    const body = document.raw_body
      ? (JSON.parse(document.raw_body as string) as unknown)
      : (document.payload ?? document);
    const result = extractZendesk(input(body));
    console.log(
      `info zendesk ${file}: ${result.ok ? `${result.plan.topic} items=${result.plan.items.filter((i) => i.feedback).length}${result.plan.note ? ` note="${result.plan.note}"` : ''}` : `${result.status} ${result.error}`}`,
    );
  }

  const payloads = join(dir, 'shopify/sample_payloads_2026-04');
  for (const topic of [
    'returns/request',
    'returns/approve',
    'returns/decline',
    'returns/update',
    'returns/cancel',
    'returns/close',
    'returns/reopen',
    'returns/process',
    'orders/cancelled',
    'orders/updated',
    'products/update',
  ]) {
    const path = join(payloads, `${topic}.json`);
    if (!existsSync(path)) continue;
    const sample = JSON.parse(readFileSync(path, 'utf8')) as { response: unknown };
    const result = extractShopify(
      input(sample.response, {
        'X-Shopify-Topic': topic,
        'X-Shopify-Shop-Domain': 'shop.myshopify.com',
        'X-Shopify-Webhook-Id': 'w1',
      }),
    );
    report(
      `shopify sample ${topic} is accepted`,
      result.ok,
      result.ok
        ? `feedback items=${result.plan.items.filter((i) => i.feedback).length}${result.plan.note ? `, ${result.plan.note}` : ''}`
        : `${result.status} ${result.error}`,
    );
  }
  return allGood;
}
