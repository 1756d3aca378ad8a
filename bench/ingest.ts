/**
 * Ingest benchmark: signed single-item generic webhooks with unique ids against a running stack.
 *   0. warm-up at full concurrency for ~5 s (freshly started processes run their code cold, not yet
 *      optimized by the JIT, for their first few thousand requests): reported as its own figure;
 *   1. accepted per second at full concurrency for ~5 s;
 *   2. p50/p99 latency at a steady 300 requests/s for ~10 s.
 * Loopback only, and every loop is bounded by time and by count.
 */
import { Agent, request } from 'node:http';
import { randomUUID } from 'node:crypto';
import { signGenericBody } from '../shared/domain/ingest/signatures.js';

export interface IngestBenchOptions {
  warmupSeconds?: number;
  saturateSeconds?: number;
  concurrency?: number;
  steadySeconds?: number;
  steadyRate?: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const REQUEST_TIMEOUT_MS = 10_000;

/** `http://127.0.0.1:7071`, `.../api` or the full endpoint → the generic webhook URL. */
export function genericEndpoint(baseUrl: string): URL {
  const url = new URL(baseUrl);
  if (!LOOPBACK.has(url.hostname))
    throw new Error(`the ingest benchmark runs against loopback only, not ${url.hostname}`);
  const path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith('/webhooks/generic')) return url;
  url.pathname = path.endsWith('/api') ? `${path}/webhooks/generic` : `${path}/api/webhooks/generic`;
  return url;
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(index, 0)]!;
}

export async function benchIngest(
  baseUrl: string,
  genericSecret: string,
  options: IngestBenchOptions = {},
): Promise<Record<string, number>> {
  const endpoint = genericEndpoint(baseUrl);
  const warmupMs = (options.warmupSeconds ?? 5) * 1000;
  const saturateMs = (options.saturateSeconds ?? 5) * 1000;
  const concurrency = options.concurrency ?? 32;
  const steadyMs = (options.steadySeconds ?? 10) * 1000;
  const steadyRate = options.steadyRate ?? 300;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const runId = randomUUID().slice(0, 8);
  let serial = 0;

  /** One signed single-item delivery; resolves with its status and latency (never rejects). */
  const send = (): Promise<{ status: number; ms: number }> => {
    serial += 1;
    const body = Buffer.from(
      JSON.stringify({
        id: `bench-${runId}-${serial}`,
        channel: 'review',
        text: 'Benchmark review: the strap buckle bent on the first day.',
        rating: 2,
        sku: `BENCH-${serial % 50}`,
        createdAt: new Date().toISOString(),
      }),
    );
    const timestamp = String(Math.floor(Date.now() / 1000));
    const started = process.hrtime.bigint();
    return new Promise((resolve) => {
      const done = (status: number) =>
        resolve({ status, ms: Number(process.hrtime.bigint() - started) / 1e6 });
      const outgoing = request(
        endpoint,
        {
          method: 'POST',
          agent,
          timeout: REQUEST_TIMEOUT_MS,
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': body.length,
            'X-Feedback-Timestamp': timestamp,
            'X-Feedback-Signature': signGenericBody(genericSecret, timestamp, body),
          },
        },
        (incoming) => {
          incoming.resume();
          incoming.on('end', () => done(incoming.statusCode ?? 0));
          incoming.on('error', () => done(0));
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error('timeout')));
      outgoing.on('error', () => done(0));
      outgoing.end(body);
    });
  };

  try {
    const maxRequests = 1_000_000;
    /** Every request at full concurrency for `ms`: accepted, failed, seconds taken. */
    const saturate = async (ms: number) => {
      let accepted = 0;
      let failed = 0;
      const started = Date.now();
      const worker = async () => {
        while (Date.now() - started < ms && serial < maxRequests) {
          const { status } = await send();
          if (status === 202) accepted += 1;
          else failed += 1;
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return { accepted, failed, elapsed: (Date.now() - started) / 1000 };
    };

    // 0. Warm-up: connections, JIT, first blob writes (counted apart).
    const warmup = await saturate(warmupMs);

    // 1. Full concurrency.
    const { accepted, failed, elapsed: saturateElapsed } = await saturate(saturateMs);

    // 2. Steady rate: each request starts on its own schedule, whatever the previous ones do.
    const total = Math.round((steadyMs / 1000) * steadyRate);
    const interval = 1000 / steadyRate;
    const steadyStart = Date.now();
    const pending: Promise<{ status: number; ms: number }>[] = [];
    for (let index = 0; index < total; index += 1) {
      const due = steadyStart + index * interval;
      const wait = due - Date.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(send());
    }
    const results = await Promise.all(pending);
    const steadyElapsed = (Date.now() - steadyStart) / 1000;
    const latencies = results
      .filter((result) => result.status === 202)
      .map((result) => result.ms)
      .sort((a, b) => a - b);
    const round = (value: number) => Math.round(value * 100) / 100;
    return {
      ingestWarmupSeconds: warmupMs / 1000,
      ingestWarmupAcceptedPerSecond: round(warmup.accepted / Math.max(warmup.elapsed, 0.001)),
      ingestWarmupErrors: warmup.failed,
      ingestAcceptedPerSecond: round(accepted / saturateElapsed),
      ingestSaturateConcurrency: concurrency,
      ingestSaturateRequests: accepted + failed,
      ingestSaturateErrors: failed,
      ingestSteadyTargetRps: steadyRate,
      ingestSteadyAchievedRps: round(results.length / steadyElapsed),
      ingestSteadyP50Ms: round(percentile(latencies, 0.5)),
      ingestSteadyP99Ms: round(percentile(latencies, 0.99)),
      ingestSteadyMaxMs: round(latencies.at(-1) ?? Number.NaN),
      ingestSteadyErrors: results.length - latencies.length,
    };
  } finally {
    agent.destroy();
  }
}
