/**
 * The Teams and Logic App adapters over real HTTP against local servers that speak the wire
 * formats (test/support/fake-teams.ts, fake-logic-app.ts), and the route stage driving them.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { LogicAppTicketClient } from '../../shared/adapters/ticket-logic-app.js';
import { TeamsWebhookNotifier } from '../../shared/adapters/teams-webhook.js';
import { HttpDeliveryError, postJsonWithRetry } from '../../shared/adapters/http-retry.js';
import { startFakeTeamsWebhook, type FakeTeamsWebhook } from '../support/fake-teams.js';
import { startFakeLogicApp, type FakeLogicApp } from '../support/fake-logic-app.js';
import { validateTeamsEnvelope } from '../fixtures/route/card-schema.js';
import { INCIDENT_KEY, spike } from '../fixtures/route/scored-events.js';
import { context, makeHarness } from '../fixtures/route/harness.js';
import { makeRoute } from '../../shared/stages/route.js';
import { ticketCreatePayload } from '../../shared/domain/route/ticket.js';
import { applySignal } from '../../shared/domain/route/incident.js';

const fastPolicy = { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 50, timeoutMs: 5000 };

function recordingSleep() {
  const waits: number[] = [];
  const sleep = (ms: number) => {
    waits.push(ms);
    return new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 20)));
  };
  return { waits, sleep };
}

void describe('Teams Workflows webhook adapter', () => {
  let teams: FakeTeamsWebhook;
  before(async () => {
    teams = await startFakeTeamsWebhook({ acceptStatus: 200 });
  });
  after(async () => {
    await teams.close();
  });

  void it('a Teams endpoint answering 429 then 200 receives the card exactly once, after the capped Retry-After', async () => {
    teams.accepted.length = 0;
    teams.requests.length = 0;
    teams.script.push({ status: 429, retryAfter: '120' });
    const { waits, sleep } = recordingSleep();
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
    h.deps.teams = new TeamsWebhookNotifier(teams.url, { policy: fastPolicy, sleep });
    const route = makeRoute(h.deps);
    const events = spike(1, 4, '2026-11-27T10:00:00.000Z');
    for (const event of events) {
      const { normalized, classification: _c, score: _s, ...header } = event;
      await h.feedbackStore.putNormalized(event.feedbackId, event.revision, header, normalized);
    }
    await route(events, context());
    await route(events, context());

    assert.equal(teams.requests.length, 2, 'one 429, one accepted');
    assert.equal(teams.accepted.length, 1);
    assert.deepEqual(waits, [50], 'Retry-After 120 s was honoured up to the cap');
    assert.equal(teams.requests[1]!.headers['x-idempotency-key'], `${INCIDENT_KEY}:card:1`);
    const valid = validateTeamsEnvelope(teams.accepted[0]);
    assert.ok(valid.ok, valid.ok ? '' : valid.error);
    assert.equal(h.quarantine.entries.size, 0);
  });

  void it('accepts 202 as well as 200', async () => {
    const ok200 = await startFakeTeamsWebhook({ acceptStatus: 202 });
    try {
      await new TeamsWebhookNotifier(ok200.url, { policy: fastPolicy }).post(
        {
          type: 'message',
          attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: {} }],
        },
        'k1',
      );
      assert.equal(ok200.accepted.length, 1);
    } finally {
      await ok200.close();
    }
  });

  void it('a permanent 400 is not retried; repeated 5xx give up after the attempts', async () => {
    teams.requests.length = 0;
    await assert.rejects(
      postJsonWithRetry(teams.url, { not: 'an envelope' }, { policy: fastPolicy }),
      (error: unknown) => error instanceof HttpDeliveryError && error.permanent && error.status === 400,
    );
    assert.equal(teams.requests.length, 1);
    teams.requests.length = 0;
    teams.script.push({ status: 503 }, { status: 502 }, { status: 500 });
    await assert.rejects(
      postJsonWithRetry(teams.url, {}, { policy: { ...fastPolicy, maxAttempts: 3 } }),
      (error: unknown) => error instanceof HttpDeliveryError && !error.permanent && error.attempts === 3,
    );
    assert.equal(teams.requests.length, 3);
  });

  void it('stops retrying at the call deadline, waits included, so a claim can outlive the call', async () => {
    teams.requests.length = 0;
    teams.script.push(...Array.from({ length: 5 }, () => ({ status: 429, retryAfter: '30' })));
    let clock = 0;
    const sleep = (ms: number) => {
      clock += ms;
      return Promise.resolve();
    };
    const policy = { ...fastPolicy, maxRetryAfterMs: 30_000, deadlineMs: 45_000 };
    await assert.rejects(
      postJsonWithRetry(teams.url, {}, { policy, sleep, now: () => clock }),
      (error: unknown) =>
        error instanceof HttpDeliveryError &&
        error.attempts === 2 &&
        /after 2 attempts \(the 45000 ms deadline\): HTTP 429/.test(error.message),
    );
    assert.equal(teams.requests.length, 2, 'a third attempt would start past the deadline');
    assert.equal(clock, 30_000, 'one wait; the second would have ended past the deadline');
    teams.script.length = 0;
  });

  void it('an endpoint that never answers is abandoned at the deadline, not after every attempt', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      await assert.rejects(
        postJsonWithRetry(`http://127.0.0.1:${port}/`, {}, { policy: { ...fastPolicy, deadlineMs: 300 } }),
        (error: unknown) =>
          error instanceof HttpDeliveryError && error.attempts === 1 && /deadline/.test(error.message),
      );
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  void it('a card that still fails is quarantined with its payload; the batch goes on', async () => {
    teams.script.push({ status: 503 }, { status: 503 });
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
    h.deps.teams = new TeamsWebhookNotifier(teams.url, { policy: { ...fastPolicy, maxAttempts: 2 } });
    await makeRoute(h.deps)(spike(1, 2, '2026-11-27T10:00:00.000Z'), context());
    const entries = [...h.quarantine.entries.values()];
    assert.equal(entries.length, 1);
    assert.match(entries[0]!.error ?? '', /gave up after 2 attempts: HTTP 503/);
    assert.equal(h.tickets.created.length, 1, 'the ticket still went out');
  });
});

void describe('ticket Logic App adapter', () => {
  let logicApp: FakeLogicApp;
  before(async () => {
    logicApp = await startFakeLogicApp();
  });
  after(async () => {
    await logicApp.close();
  });

  void it('one ticket for the spike, twenty more complaints update the same ticket, redelivery changes nothing', async () => {
    const teams = await startFakeTeamsWebhook();
    try {
      const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
      h.deps.teams = new TeamsWebhookNotifier(teams.url, { policy: fastPolicy });
      h.deps.tickets = new LogicAppTicketClient(logicApp.url, { policy: fastPolicy });
      const route = makeRoute(h.deps);
      const first = spike(1, 8, '2026-11-27T10:00:00.000Z');
      const more = spike(100, 20, '2026-11-27T11:00:00.000Z', {}, false);
      for (const event of [...first, ...more]) {
        const { normalized, classification: _c, score: _s, ...header } = event;
        await h.feedbackStore.putNormalized(event.feedbackId, event.revision, header, normalized);
      }
      await route(first, context());
      await route(more.slice(0, 10), context());
      await route(more.slice(10), context());
      const requestsBefore = logicApp.requests.length;
      await route([...first, ...more], context());

      assert.equal(logicApp.tickets.size, 1);
      const [ticket] = [...logicApp.tickets.values()];
      assert.equal(ticket!.updates.length, 2);
      assert.equal((ticket!.updates.at(-1) as { evidence: { count: number } }).evidence.count, 28);
      assert.equal(logicApp.requests.length, requestsBefore, 'redelivery sent nothing');
      assert.equal(teams.accepted.length, 1);
      const incident = (await h.incident(INCIDENT_KEY))!;
      assert.equal(incident.ticket?.key, ticket!.ticketKey);
      assert.equal(incident.ticket?.url, `https://tickets.example.test/browse/${ticket!.ticketKey}`);
    } finally {
      await teams.close();
    }
  });

  void it('a 202 create answer with the ticket key is accepted; a 429 is retried', async () => {
    const accepting = await startFakeLogicApp({ createStatus: 202 });
    try {
      accepting.script.push({ status: 429, retryAfter: '0' });
      const client = new LogicAppTicketClient(accepting.url, { policy: fastPolicy });
      const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
      const incident = applySignal(
        undefined,
        spike(1, 1, '2026-11-27T10:00:00.000Z')[0]!,
        h.deps.settings,
        new Date(),
      ).incident!;
      const response = await client.create(
        ticketCreatePayload(incident, h.deps.settings, 'http://localhost:7071'),
      );
      assert.match(response.ticketKey, /^QE-\d+$/);
      assert.equal(accepting.requests.length, 2);
    } finally {
      await accepting.close();
    }
  });
});
