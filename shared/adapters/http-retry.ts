/**
 * POST with retries for the outgoing webhooks (Teams Workflows, the ticket Logic App):
 * exponential backoff with jitter on network errors, 408, 429 and 5xx; a 429/503 Retry-After
 * is honoured but capped, so one slow endpoint cannot hold a partition for minutes.
 * Other 4xx answers are permanent: retrying would not help, the caller quarantines the payload.
 */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound for a server-sent Retry-After. */
  maxRetryAfterMs: number;
  /** Per-attempt timeout. */
  timeoutMs: number;
  /**
   * Wall-clock budget for the whole call, retries and waits included. No attempt starts or runs
   * past it, so a caller can hold a claim for exactly this long (plus a margin) and know that a
   * claim older than that belongs to a process that died.
   */
  deadlineMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 30000,
  timeoutMs: 15000,
  deadlineMs: 120000,
};

export class HttpDeliveryError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly attempts: number,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'HttpDeliveryError';
  }
}

export interface HttpResult {
  status: number;
  body: string;
  attempts: number;
}

export type Sleep = (ms: number) => Promise<void>;
const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function isRetryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export async function postJsonWithRetry(
  url: string,
  body: unknown,
  options: {
    headers?: Record<string, string>;
    policy?: Partial<RetryPolicy>;
    sleep?: Sleep;
    /** Clock for the deadline (tests pair it with `sleep`). */
    now?: () => number;
  } = {},
): Promise<HttpResult> {
  const policy = { ...defaultRetryPolicy, ...options.policy };
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const payload = JSON.stringify(body);
  const deadline = now() + policy.deadlineMs;
  let lastError = 'no attempt made';
  let lastStatus: number | undefined;
  let attempts = 0;
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt += 1) {
    const remaining = deadline - now();
    if (remaining <= 0) break;
    attempts = attempt;
    let retryAfterMs: number | undefined;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: payload,
        signal: AbortSignal.timeout(Math.min(policy.timeoutMs, remaining)),
      });
      const text = await response.text();
      if (response.ok) return { status: response.status, body: text, attempts: attempt };
      lastStatus = response.status;
      lastError = `HTTP ${response.status}`;
      if (!isRetryable(response.status)) {
        throw new HttpDeliveryError(`${lastError} (not retryable)`, response.status, attempt, true);
      }
      retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    } catch (error) {
      if (error instanceof HttpDeliveryError) throw error;
      lastStatus = undefined;
      lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    if (attempt === policy.maxAttempts) break;
    const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    const jittered = backoff / 2 + Math.random() * (backoff / 2);
    const wait = retryAfterMs !== undefined ? Math.min(retryAfterMs, policy.maxRetryAfterMs) : jittered;
    // A wait that would end past the deadline leaves no time for another attempt.
    if (now() + wait >= deadline) break;
    await sleep(wait);
  }
  throw new HttpDeliveryError(
    `gave up after ${attempts} attempts${attempts < policy.maxAttempts ? ` (the ${policy.deadlineMs} ms deadline)` : ''}: ${lastError}`,
    lastStatus,
    attempts,
    false,
  );
}
