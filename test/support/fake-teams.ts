/**
 * Stand-ins for Teams in tests.
 * - RecordingTeams: an in-memory TeamsNotifier for stage tests.
 * - startFakeTeamsWebhook: a node:http server speaking the Workflows webhook wire format: it
 *   accepts a JSON `{type: 'message', attachments: [...]}` POST with 202 (or 200), rejects other
 *   bodies with 400, and can be scripted to answer 429 with Retry-After or 5xx first.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TeamsNotifier } from '../../shared/stages/route.js';

export class RecordingTeams implements TeamsNotifier {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests walk the card JSON freely
  readonly posts: { card: any; key: string }[] = [];
  /** Throw this many times before accepting (simulates a call that failed after its retries). */
  failNext = 0;
  /** Never answer this many calls: the sender's process died mid-call (its claim stays behind). */
  hangNext = 0;
  post(card: object, idempotencyKey: string): Promise<void> {
    if (this.hangNext > 0) {
      this.hangNext -= 1;
      return new Promise<void>(() => undefined);
    }
    if (this.failNext > 0) {
      this.failNext -= 1;
      return Promise.reject(new Error('Teams webhook unavailable'));
    }
    this.posts.push({ card: structuredClone(card), key: idempotencyKey });
    return Promise.resolve();
  }
  /** The card titles (first TextBlock), in order. */
  titles(): string[] {
    return this.posts.map((post) => String(post.card.attachments[0].content.body[0].text));
  }
}

export interface ScriptedAnswer {
  status: number;
  retryAfter?: string;
}

export interface FakeTeamsWebhook {
  url: string;
  /** Every request received, accepted or not. */
  requests: { body: unknown; headers: http.IncomingHttpHeaders }[];
  /** Cards accepted (answered 2xx). */
  accepted: unknown[];
  /** Answers to give before the default, consumed in order. */
  script: ScriptedAnswer[];
  close(): Promise<void>;
}

export async function startFakeTeamsWebhook(
  options: { acceptStatus?: 200 | 202 } = {},
): Promise<FakeTeamsWebhook> {
  const state: Omit<FakeTeamsWebhook, 'url' | 'close'> = { requests: [], accepted: [], script: [] };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      state.requests.push({ body, headers: request.headers });
      const scripted = state.script.shift();
      if (scripted) {
        response.writeHead(
          scripted.status,
          scripted.retryAfter ? { 'retry-after': scripted.retryAfter } : {},
        );
        response.end(scripted.status === 429 ? 'Too Many Requests' : 'error');
        return;
      }
      const envelope = body as { type?: unknown; attachments?: { contentType?: unknown }[] } | undefined;
      if (
        request.method !== 'POST' ||
        envelope?.type !== 'message' ||
        !Array.isArray(envelope.attachments) ||
        envelope.attachments[0]?.contentType !== 'application/vnd.microsoft.card.adaptive'
      ) {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { code: 'InvalidRequestContent' } }));
        return;
      }
      state.accepted.push(body);
      response.writeHead(options.acceptStatus ?? 202);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/workflows/triggers/manual/paths/invoke?sig=fake-signature-for-tests`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
