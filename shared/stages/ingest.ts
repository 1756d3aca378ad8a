/**
 * The ingest stage: `POST /api/webhooks/{source}`. Each delivery is authenticated on its raw
 * bytes, parsed, validated per source and topic, and landed untouched (one immutable blob per
 * item, written only if absent) before we answer 202. A redelivery finds its blobs already there
 * and still answers success. Bad input gets a status and a reason, and nothing else is logged.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { sources, type Source } from '../domain/record.js';
import type { Clock, Logger } from './ports.js';
import type { DeliveryInput, Extraction } from '../domain/ingest/delivery.js';
import { buildLandingWrite, type LandingWrite } from '../domain/ingest/envelope.js';
import { extractShopify, normalizeShopifyTopic, FLOW_REVIEW_TOPIC } from '../domain/ingest/shopify.js';
import { extractJudgeme } from '../domain/ingest/judgeme.js';
import { extractZendesk } from '../domain/ingest/zendesk.js';
import { extractGeneric } from '../domain/ingest/generic.js';
import {
  anySecretEquals,
  checkFreshness,
  parseTimestampHeader,
  verifyGenericSignature,
  verifyJudgeme,
  verifyShopify,
  verifyZendeskSignature,
  type Verification,
} from '../domain/ingest/signatures.js';

export interface RawStore {
  /** Writes the blob only if absent (If-None-Match: *). 'exists' means a redelivery: still success. Throws StorageUnavailableError when storage can't be reached. */
  putIfAbsent(path: string, bytes: Buffer, metadata: Record<string, string>): Promise<'created' | 'exists'>;
}

export class StorageUnavailableError extends Error {
  override name = 'StorageUnavailableError';
}

export interface WebhookSecrets {
  shopify: string[];
  judgeme: string[];
  zendesk: string[];
  generic: string[];
}

export interface IngestDeps {
  rawStore: RawStore;
  secrets: WebhookSecrets;
  maxBodyBytes: number;
  replayWindowSeconds: number;
  clock: Clock;
  logger: Logger;
}

export interface IngestAccepted {
  accepted: number;
  feedbackIds: string[];
  duplicates: number;
  note?: string;
}

/** Seconds a sender should wait after a 503 before retrying. */
export const RETRY_AFTER_SECONDS = 10;
/** Blob writes in flight per delivery: bounds memory when a batch shares a large body. */
const LANDING_CONCURRENCY = 8;

type Rejection = { status: number; error: string; headers?: Record<string, string> };

function reject(status: number, error: string, headers?: Record<string, string>): Rejection {
  return { status, error, ...(headers ? { headers } : {}) };
}

function isSource(value: string | undefined): value is Source {
  return (sources as readonly string[]).includes(value ?? '');
}

/** `application/json`, optionally with `charset=utf-8`; anything else is a 415. */
function isJsonContentType(value: string | null): boolean {
  if (!value) return false;
  const [mediaType, ...params] = value.split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== 'application/json') return false;
  return params.every((param) => !param.startsWith('charset=') || /^charset="?utf-8"?$/.test(param));
}

/** Reads the body up to the limit; stops reading (and reports it) as soon as it is exceeded. */
async function readBodyWithin(request: HttpRequest, maxBytes: number): Promise<Buffer | 'too-large'> {
  const stream = request.body;
  if (!stream) return Buffer.alloc(0);
  const reader = (stream as ReadableStream<Uint8Array>).getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return 'too-large';
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return Buffer.concat(chunks, total);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseJson(raw: Buffer): { ok: true; value: unknown } | Rejection {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return reject(400, 'invalid UTF-8');
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return reject(400, 'malformed JSON');
  }
}

function header(request: HttpRequest, name: string): string | undefined {
  return request.headers.get(name) ?? undefined;
}

function verifyDelivery(
  source: Source,
  deps: IngestDeps,
  request: HttpRequest,
  raw: Buffer,
  now: Date,
): Verification {
  const secrets = deps.secrets[source];
  switch (source) {
    case 'shopify': {
      const hmac = header(request, 'x-shopify-hmac-sha256');
      const flowToken = header(request, 'x-feedback-flow-token');
      const topic = normalizeShopifyTopic(header(request, 'x-shopify-topic') ?? '');
      // Flow's "Send HTTP request" cannot sign its body; it sends a secret token instead.
      if (!hmac && flowToken && topic === FLOW_REVIEW_TOPIC)
        return anySecretEquals(secrets, flowToken) ? { ok: true } : { ok: false, reason: 'token mismatch' };
      return verifyShopify(secrets, hmac, raw);
    }
    case 'judgeme':
      return verifyJudgeme(secrets, header(request, 'judgeme-hmac-sha256'), raw);
    case 'zendesk': {
      const timestamp = header(request, 'x-zendesk-webhook-signature-timestamp');
      const signed = verifyZendeskSignature(
        secrets,
        header(request, 'x-zendesk-webhook-signature'),
        timestamp,
        raw,
      );
      if (!signed.ok) return signed;
      return checkFreshness(parseTimestampHeader(timestamp ?? '', 'iso8601'), now, deps.replayWindowSeconds);
    }
    case 'generic': {
      const timestamp = header(request, 'x-feedback-timestamp');
      const signed = verifyGenericSignature(secrets, header(request, 'x-feedback-signature'), timestamp, raw);
      if (!signed.ok) return signed;
      return checkFreshness(
        parseTimestampHeader(timestamp ?? '', 'unix-seconds'),
        now,
        deps.replayWindowSeconds,
      );
    }
  }
}

function extract(source: Source, input: DeliveryInput): Extraction {
  switch (source) {
    case 'shopify':
      return extractShopify(input);
    case 'judgeme':
      return extractJudgeme(input);
    case 'zendesk':
      return extractZendesk(input);
    case 'generic':
      return extractGeneric(input);
  }
}

async function landAll(store: RawStore, writes: LandingWrite[]): Promise<('created' | 'exists')[]> {
  const outcomes: ('created' | 'exists')[] = [];
  for (let start = 0; start < writes.length; start += LANDING_CONCURRENCY) {
    const slice = writes.slice(start, start + LANDING_CONCURRENCY);
    outcomes.push(
      ...(await Promise.all(
        slice.map((write) =>
          store.putIfAbsent(write.path, Buffer.from(JSON.stringify(write.envelope), 'utf8'), write.metadata),
        ),
      )),
    );
  }
  return outcomes;
}

export function makeIngestWebhook(
  deps: IngestDeps,
): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  const respond = (status: number, jsonBody: object, headers?: Record<string, string>): HttpResponseInit => ({
    status,
    jsonBody,
    headers: { 'Cache-Control': 'no-store', ...headers },
  });

  return async (request, context) => {
    const sourceParam = request.params.source;
    const source = isSource(sourceParam) ? sourceParam : undefined;
    const rejected = (rejection: Rejection, deliveryId?: string): HttpResponseInit => {
      // Ids and the reason only: nothing from the body or the signature headers.
      deps.logger.warn('ingest.rejected', {
        invocationId: context.invocationId,
        source: source ?? 'unknown',
        status: rejection.status,
        reason: rejection.error.slice(0, 300),
        ...(deliveryId ? { deliveryId } : {}),
      });
      return respond(rejection.status, { error: rejection.error }, rejection.headers);
    };

    if (!source) return rejected(reject(404, 'unknown source'));
    if (request.method.toUpperCase() !== 'POST')
      return rejected(reject(405, 'method not allowed', { Allow: 'POST' }));

    const declaredLength = Number(request.headers.get('content-length') ?? '0');
    if (Number.isFinite(declaredLength) && declaredLength > deps.maxBodyBytes)
      return rejected(reject(413, `body larger than ${deps.maxBodyBytes} bytes`));
    if (!isJsonContentType(request.headers.get('content-type')))
      return rejected(reject(415, 'content type must be application/json'));
    const raw = await readBodyWithin(request, deps.maxBodyBytes);
    if (raw === 'too-large') return rejected(reject(413, `body larger than ${deps.maxBodyBytes} bytes`));

    const receivedAt = deps.clock();
    const verified = verifyDelivery(source, deps, request, raw, receivedAt);
    if (!verified.ok) return rejected(reject(401, verified.reason));

    const parsed = parseJson(raw);
    if (!('ok' in parsed)) return rejected(parsed);

    const extraction = extract(source, {
      header: (name) => header(request, name),
      query: (name) => request.query.get(name) ?? undefined,
      body: parsed.value,
      rawBody: raw,
      receivedAt,
    });
    if (!extraction.ok) return rejected(reject(extraction.status, extraction.error));
    const plan = extraction.plan;

    const envelopeContext = {
      source,
      plan,
      receivedAt,
      contentType: request.headers.get('content-type') ?? 'application/json',
      bodyBase64: raw.toString('base64'),
    };
    const writes = plan.items.map((item) => buildLandingWrite(envelopeContext, item));
    let outcomes: ('created' | 'exists')[];
    try {
      outcomes = await landAll(deps.rawStore, writes);
    } catch (error) {
      if (error instanceof StorageUnavailableError) {
        return rejected(
          reject(503, 'storage unavailable', { 'Retry-After': String(RETRY_AFTER_SECONDS) }),
          plan.deliveryId,
        );
      }
      deps.logger.error('ingest.landing_failed', {
        invocationId: context.invocationId,
        source,
        deliveryId: plan.deliveryId,
        error: error instanceof Error ? error.name : 'unknown',
      });
      throw error;
    }

    const feedbackWrites = writes.filter((_, index) => plan.items[index]?.feedback);
    const duplicates = outcomes.filter(
      (outcome, index) => outcome === 'exists' && plan.items[index]?.feedback === true,
    ).length;
    const body: IngestAccepted = {
      accepted: feedbackWrites.length,
      feedbackIds: feedbackWrites.map((write) => write.envelope.feedbackId),
      duplicates,
      ...(plan.note ? { note: plan.note } : {}),
    };
    deps.logger.info('ingest.accepted', {
      invocationId: context.invocationId,
      source,
      topic: plan.topic,
      deliveryId: plan.deliveryId,
      landed: writes.length,
      accepted: body.accepted,
      duplicates,
      paths: writes.length <= 5 ? writes.map((write) => write.path) : undefined,
    });
    return respond(202, body);
  };
}
