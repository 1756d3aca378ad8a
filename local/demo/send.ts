/**
 * Sends the demo feed through the generic webhook, as a real sender would: arrays of items,
 * signed with the shared secret, in event-time order, one request at a time. Nothing is lost
 * silently: a batch the endpoint refuses as invalid is split until the bad items are isolated
 * (and reported), and a delivery that still fails after its retries throws with the counts so far.
 */
import { signGenericBody } from '../../shared/domain/ingest/signatures.js';
import { GENERIC_BATCH_MAX_ITEMS } from '../../shared/domain/ingest/generic-item.js';
import type { DemoItem } from './generate.js';

export interface SendDemoFeedOptions {
  /** e.g. http://127.0.0.1:7071 */
  baseUrl: string;
  /** One of the generic webhook secrets (GENERIC_WEBHOOK_SECRETS). */
  secret: string;
  items: DemoItem[];
  onProgress?: (sent: number, total: number) => void;
  /** Items per request; default 100, at most the endpoint's limit (500). */
  batchSize?: number;
  /** Attempts per request for network errors and 5xx; default 5. */
  maxAttempts?: number;
  /** Longest wait honoured from a Retry-After header; default 30 s. */
  maxRetryAfterMs?: number;
  /** Per-request timeout; default 30 s. */
  requestTimeoutMs?: number;
  /** Seams for tests. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

export interface DemoRejection {
  id: string;
  status: number;
  error: string;
}

export interface SendDemoFeedResult {
  /** Items the endpoint landed (redeliveries included). */
  accepted: number;
  /** Of those, items that were already landed before (a resend of the same feed). */
  duplicates: number;
  /** Items the endpoint refused as invalid; each one is in `rejections` with its reason. */
  rejected: number;
  feedbackIds: string[];
  rejections: DemoRejection[];
}

/** A delivery that could not be completed; carries what was delivered before it stopped. */
export class DemoFeedDeliveryError extends Error {
  override name = 'DemoFeedDeliveryError';
  constructor(
    message: string,
    readonly progress: SendDemoFeedResult & { undelivered: number },
  ) {
    super(message);
  }
}

type Outcome =
  | { kind: 'accepted'; accepted: number; duplicates: number; feedbackIds: string[] }
  | { kind: 'invalid'; status: number; error: string }
  | { kind: 'fatal'; status: number; error: string };

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function sendDemoFeed(options: SendDemoFeedOptions): Promise<SendDemoFeedResult> {
  const batchSize = Math.min(GENERIC_BATCH_MAX_ITEMS, Math.max(1, options.batchSize ?? 100));
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const fetchFn = options.fetch ?? fetch;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? (() => new Date());
  const url = `${options.baseUrl.replace(/\/+$/, '')}/api/webhooks/generic`;
  const total = options.items.length;
  const result: SendDemoFeedResult = {
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    feedbackIds: [],
    rejections: [],
  };
  let sent = 0;

  const fail = (message: string): never => {
    throw new DemoFeedDeliveryError(
      `${message} (sent ${sent} of ${total}: ${result.accepted} accepted, ${result.duplicates} duplicates, ${result.rejected} rejected)`,
      { ...result, undelivered: total - sent },
    );
  };

  /** One POST with retries for transient failures; answers the endpoint's verdict. */
  const post = async (batch: DemoItem[]): Promise<Outcome> => {
    const body = JSON.stringify(batch);
    let lastProblem = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      // Signed afresh on every attempt: the endpoint refuses stale timestamps as replays.
      const timestamp = String(Math.floor(now().getTime() / 1000));
      let response: Response;
      try {
        response = await fetchFn(url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'X-Feedback-Timestamp': timestamp,
            'X-Feedback-Signature': signGenericBody(options.secret, timestamp, body),
          },
          body,
          signal: AbortSignal.timeout(requestTimeoutMs),
        });
      } catch (error) {
        lastProblem = `network error: ${error instanceof Error ? error.message : String(error)}`;
        await sleep(backoffMs(attempt));
        continue;
      }
      const text = await response.text().catch(() => '');
      if (response.status === 202 || response.status === 200) return parseAccepted(text, batch.length);
      if (response.status === 503 || response.status === 429) {
        lastProblem = `${response.status} ${errorOf(text)}`;
        await sleep(
          Math.min(
            maxRetryAfterMs,
            retryAfterMs(response.headers.get('retry-after'), now()) ?? backoffMs(attempt),
          ),
        );
        continue;
      }
      if (response.status >= 500) {
        lastProblem = `${response.status} ${errorOf(text)}`;
        await sleep(backoffMs(attempt));
        continue;
      }
      if (response.status === 400 || response.status === 422 || response.status === 413)
        return { kind: 'invalid', status: response.status, error: errorOf(text) };
      return { kind: 'fatal', status: response.status, error: errorOf(text) };
    }
    return { kind: 'fatal', status: 0, error: `gave up after ${maxAttempts} attempts: ${lastProblem}` };
  };

  /** Sends a batch; an invalid batch is halved until the bad items stand alone. */
  const deliver = async (batch: DemoItem[]): Promise<void> => {
    const outcome = await post(batch);
    if (outcome.kind === 'fatal')
      fail(`POST ${url} failed: ${outcome.status ? `${outcome.status} ` : ''}${outcome.error}`);
    else if (outcome.kind === 'accepted') {
      result.accepted += outcome.accepted;
      result.duplicates += outcome.duplicates;
      result.feedbackIds.push(...outcome.feedbackIds);
      sent += batch.length;
      options.onProgress?.(sent, total);
    } else if (batch.length === 1) {
      const [item] = batch;
      result.rejected += 1;
      result.rejections.push({ id: item?.id ?? '', status: outcome.status, error: outcome.error });
      sent += 1;
      options.onProgress?.(sent, total);
    } else {
      const middle = Math.ceil(batch.length / 2);
      await deliver(batch.slice(0, middle));
      await deliver(batch.slice(middle));
    }
  };

  for (let start = 0; start < total; start += batchSize) {
    await deliver(options.items.slice(start, start + batchSize));
  }
  return result;
}

function parseAccepted(text: string, expected: number): Outcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'fatal', status: 202, error: 'response is not JSON' };
  }
  const body = parsed as { accepted?: unknown; duplicates?: unknown; feedbackIds?: unknown };
  const ids = body.feedbackIds;
  if (
    typeof body.accepted !== 'number' ||
    typeof body.duplicates !== 'number' ||
    !Array.isArray(ids) ||
    !ids.every((id): id is string => typeof id === 'string')
  )
    return { kind: 'fatal', status: 202, error: 'response lacks accepted, duplicates or feedbackIds' };
  if (body.accepted !== expected)
    return { kind: 'fatal', status: 202, error: `endpoint accepted ${body.accepted} of ${expected} items` };
  return { kind: 'accepted', accepted: body.accepted, duplicates: body.duplicates, feedbackIds: ids };
}

function errorOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 200);
}

/** Retry-After in seconds or as an HTTP date. */
export function retryAfterMs(value: string | null, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

function backoffMs(attempt: number): number {
  return Math.min(8000, 250 * 2 ** (attempt - 1));
}
