/**
 * Stand-ins for the ticket Logic App in tests.
 * - RecordingTickets: an in-memory TicketClient for stage tests.
 * - startFakeLogicApp: a node:http server speaking the HTTP-trigger wire format: a create answers
 *   200 (or 202) with `{ticketKey, ticketUrl}`, an update (`type: 'update'`) answers 202; the
 *   same idempotencyKey returns the same ticket, as the real Logic App is built to.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TicketClient } from '../../shared/stages/route.js';
import type { TicketCreatePayload, TicketUpdatePayload } from '../../shared/domain/route/ticket.js';
import type { ScriptedAnswer } from './fake-teams.js';

export class RecordingTickets implements TicketClient {
  readonly created: TicketCreatePayload[] = [];
  readonly updates: { ticketKey: string; payload: TicketUpdatePayload }[] = [];
  failNext = 0;
  create(payload: TicketCreatePayload): Promise<{ ticketKey: string; ticketUrl: string }> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      return Promise.reject(new Error('Logic App unavailable'));
    }
    this.created.push(structuredClone(payload));
    const ticketKey = `OPS-${100 + this.created.length}`;
    return Promise.resolve({ ticketKey, ticketUrl: `https://tickets.example.test/browse/${ticketKey}` });
  }
  update(ticketKey: string, payload: TicketUpdatePayload): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      return Promise.reject(new Error('Logic App unavailable'));
    }
    this.updates.push({ ticketKey, payload: structuredClone(payload) });
    return Promise.resolve();
  }
}

export interface FakeLogicApp {
  url: string;
  requests: unknown[];
  tickets: Map<string, { ticketKey: string; create: unknown; updates: unknown[] }>;
  script: ScriptedAnswer[];
  close(): Promise<void>;
}

export async function startFakeLogicApp(options: { createStatus?: 200 | 202 } = {}): Promise<FakeLogicApp> {
  const state: Omit<FakeLogicApp, 'url' | 'close'> = { requests: [], tickets: new Map(), script: [] };
  const byIdempotencyKey = new Map<string, string>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, body?: unknown, headers: Record<string, string> = {}): void => {
        response.writeHead(
          status,
          body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        );
        response.end(body === undefined ? undefined : JSON.stringify(body));
      };
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        reply(400, { error: { code: 'InvalidRequestContent', message: 'body is not JSON' } });
        return;
      }
      state.requests.push(body);
      const scripted = state.script.shift();
      if (scripted) {
        reply(
          scripted.status,
          { error: { code: 'Scripted' } },
          scripted.retryAfter ? { 'retry-after': scripted.retryAfter } : {},
        );
        return;
      }
      if (body.type === 'update') {
        const ticket = [...state.tickets.values()].find(
          (candidate) => candidate.ticketKey === body.ticketKey,
        );
        if (!ticket) {
          reply(404, { error: { code: 'TicketNotFound' } });
          return;
        }
        ticket.updates.push(body);
        reply(202);
        return;
      }
      const idempotencyKey = String(body.idempotencyKey);
      let ticketKey = byIdempotencyKey.get(idempotencyKey);
      if (!ticketKey) {
        ticketKey = `QE-${1000 + byIdempotencyKey.size + 1}`;
        byIdempotencyKey.set(idempotencyKey, ticketKey);
        state.tickets.set(ticketKey, { ticketKey, create: body, updates: [] });
      }
      reply(options.createStatus ?? 200, {
        ticketKey,
        ticketUrl: `https://tickets.example.test/browse/${ticketKey}`,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/workflows/tickets/triggers/manual/paths/invoke?sig=fake-signature-for-tests`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
