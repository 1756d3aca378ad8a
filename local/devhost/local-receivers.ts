/**
 * Local stand-ins for the two outbound webhooks, answering as the real ones do:
 *  - `/_local/teams`: a Teams Workflows webhook. Accepts the message envelope
 *    `{type:'message', attachments:[{contentType:'application/vnd.microsoft.card.adaptive', content}]}`
 *    with 202, rejects anything else with 400, as the Workflows trigger does.
 *  - `/_local/tickets`: the ticket Logic App's HTTP trigger. Creates a ticket (200 with its key; the
 *    same key again for the same `idempotencyKey`) or records an update (`type: 'update'` + `ticketKey`).
 * What they receive is appended to JSONL files in the data directory, so it survives restarts;
 * `GET` on the same path lists it. `POST /_local/<receiver>/faults` queues scripted answers
 * (e.g. a 429 with Retry-After) for tests.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { LocalRoute } from './http-host.js';

interface ScriptedFault {
  status: number;
  retryAfterSeconds?: number;
}

interface Received {
  receivedAt: string;
  body: unknown;
  ticketKey?: string;
  kind?: 'create' | 'update';
}

class Recorder {
  readonly faults: ScriptedFault[] = [];
  constructor(private readonly file: string) {}
  append(entry: Received): void {
    appendFileSync(this.file, JSON.stringify(entry) + '\n');
  }
  all(): Received[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Received);
  }
}

function json(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

function parse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function isTeamsEnvelope(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const envelope = value as { type?: unknown; attachments?: unknown };
  return (
    envelope.type === 'message' &&
    Array.isArray(envelope.attachments) &&
    envelope.attachments.length > 0 &&
    envelope.attachments.every(
      (attachment: { contentType?: unknown; content?: { type?: unknown } }) =>
        attachment.contentType === 'application/vnd.microsoft.card.adaptive' &&
        attachment.content?.type === 'AdaptiveCard',
    )
  );
}

export function localReceivers(dataDir: string): LocalRoute[] {
  const dir = join(dataDir, 'local-receivers');
  mkdirSync(dir, { recursive: true });
  const teams = new Recorder(join(dir, 'teams.jsonl'));
  const tickets = new Recorder(join(dir, 'tickets.jsonl'));

  const answerFault = (recorder: Recorder, response: ServerResponse): boolean => {
    const fault = recorder.faults.shift();
    if (!fault) return false;
    json(
      response,
      fault.status,
      { error: { code: fault.status === 429 ? 'TooManyRequests' : 'ScriptedFault' } },
      fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {},
    );
    return true;
  };

  const route =
    (
      name: string,
      recorder: Recorder,
      onPost: (body: unknown, response: ServerResponse) => void,
    ): LocalRoute =>
    (request: IncomingMessage, body: Buffer, response: ServerResponse) => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      if (path === `/_local/${name}/faults` && request.method === 'POST') {
        const scripted = parse(body);
        const list = Array.isArray(scripted) ? (scripted as ScriptedFault[]) : [scripted as ScriptedFault];
        recorder.faults.push(...list.filter((fault) => typeof fault?.status === 'number'));
        json(response, 200, { queued: recorder.faults.length });
        return Promise.resolve(true);
      }
      if (path !== `/_local/${name}`) return Promise.resolve(false);
      if (request.method === 'GET') {
        json(response, 200, recorder.all());
        return Promise.resolve(true);
      }
      if (request.method !== 'POST') {
        json(response, 405, { error: 'method not allowed' });
        return Promise.resolve(true);
      }
      if (answerFault(recorder, response)) return Promise.resolve(true);
      onPost(parse(body), response);
      return Promise.resolve(true);
    };

  return [
    route('teams', teams, (body, response) => {
      if (!isTeamsEnvelope(body)) {
        json(response, 400, {
          error: { code: 'InvalidRequestContent', message: 'expected an Adaptive Card message' },
        });
        return;
      }
      teams.append({ receivedAt: new Date().toISOString(), body });
      response.writeHead(202).end();
    }),
    route('tickets', tickets, (body, response) => {
      if (typeof body !== 'object' || body === null) {
        json(response, 400, { error: { code: 'InvalidRequestContent', message: 'expected a JSON object' } });
        return;
      }
      const payload = body as { type?: unknown; ticketKey?: unknown; idempotencyKey?: unknown };
      if (payload.type === 'update') {
        if (typeof payload.ticketKey !== 'string' || payload.ticketKey === '') {
          json(response, 400, {
            error: { code: 'InvalidRequestContent', message: 'an update needs ticketKey' },
          });
          return;
        }
        tickets.append({
          receivedAt: new Date().toISOString(),
          body,
          ticketKey: payload.ticketKey,
          kind: 'update',
        });
        json(response, 200, { ticketKey: payload.ticketKey, status: 'updated' });
        return;
      }
      // A create retried after a lost answer gets the same ticket back, as the Logic App's
      // correlation id lookup does.
      const created = tickets.all().filter((entry) => entry.kind === 'create');
      const idempotencyKey = typeof payload.idempotencyKey === 'string' ? payload.idempotencyKey : undefined;
      const earlier = idempotencyKey
        ? created.find(
            (entry) => (entry.body as { idempotencyKey?: unknown }).idempotencyKey === idempotencyKey,
          )
        : undefined;
      if (earlier?.ticketKey) {
        json(response, 200, { ticketKey: earlier.ticketKey, status: 'exists' });
        return;
      }
      const ticketKey = `FEED-${1001 + created.length}`;
      tickets.append({ receivedAt: new Date().toISOString(), body, ticketKey, kind: 'create' });
      json(response, 200, { ticketKey, status: 'created' });
    }),
  ];
}
