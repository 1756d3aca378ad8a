import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateTeamsEnvelope } from '../fixtures/route/card-schema.js';
import type { RouteBlock } from '../../shared/domain/blocks/route.js';
import { validateTicketCreate, validateTicketUpdate } from '../../shared/domain/route/ticket.js';
import { makeRoute, mutateIncident, replayRouteAction } from '../../shared/stages/route.js';
import { INCIDENT_KEY, scoredEvent, spike } from '../fixtures/route/scored-events.js';
import { actionUrls, context, makeHarness, request } from '../fixtures/route/harness.js';

const validateEnvelope = validateTeamsEnvelope;

const START = '2026-11-27T10:00:00.000Z';

/** Polls (on the event loop, not the fake clock) until `probe` gives a value. */
async function waitFor<T>(probe: () => Promise<T | undefined | false>): Promise<T> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('gave up waiting');
}

async function actionCall(h: ReturnType<typeof makeHarness>, url: string, method: 'GET' | 'POST') {
  const parsed = new URL(url);
  const [, , , key, , action] = parsed.pathname.split('/');
  return h.api.action(
    request({ method, url, params: { key: decodeURIComponent(key!), action: action! } }),
    context(),
  );
}

void describe('route stage: spike → one incident, one card, one ticket', () => {
  void it('opens one incident, posts one valid card and creates one valid ticket', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
    await h.deliver(spike(1, 8, START));

    assert.equal(h.teams.posts.length, 1);
    assert.equal(h.tickets.created.length, 1);
    assert.equal(h.tickets.updates.length, 0, 'a single batch needs no update: the create carries it all');
    const card = h.teams.posts[0]!.card;
    const valid = validateEnvelope(card);
    assert.ok(valid.ok, valid.ok ? '' : valid.error);
    assert.equal(h.teams.posts[0]!.key, `${INCIDENT_KEY}:card:1`);
    const text = JSON.stringify(card);
    assert.match(text, /Alert: TRAIL-42 \(Trail Runner 42\): defect · sole/);
    assert.match(text, /Die Sohle hat sich/, 'quotes stay in their original language');
    assert.match(text, /Sole came loose after one week/, 'with the model summary');
    assert.match(text, /OPS-101/, 'the card links the ticket created before it');
    assert.deepEqual(Object.keys(actionUrls(card)).sort(), [
      'acknowledge',
      'false_positive',
      'noise',
      'snooze',
      'useful',
    ]);

    const ticket = h.tickets.created[0]!;
    assert.ok(validateTicketCreate(ticket).ok);
    assert.equal(ticket.evidence.count, 8);
    assert.equal(ticket.lineage.feedbackIds.length, 8);
    assert.equal(ticket.ownerTeam, 'quality_engineering');
    assert.equal(ticket.slaDueAt, '2026-11-28T12:00:00.000Z', 'high severity: 24 h from opening');
    assert.deepEqual(ticket.affectedSkus.sort(), ['TRAIL-42-40', 'TRAIL-42-41', 'TRAIL-42-42']);

    const incident = (await h.incident(INCIDENT_KEY))!;
    assert.equal(incident.status, 'ticketed');
    assert.equal(incident.ticket?.key, 'OPS-101');
    assert.equal(incident.evidence.count, 8);
    assert.equal(incident.outbox.length, 0);
    assert.equal(incident.alerts[0]?.status, 'sent');

    const first = await h.feedbackStore.get(spike(1, 1, START)[0]!.feedbackId);
    const block = first?.route as RouteBlock;
    assert.equal(block.action, 'incident_created');
    assert.equal(block.cardKey, `${INCIDENT_KEY}:card:1`);
    assert.equal(block.ticketKey, 'OPS-101');
    assert.equal(h.quarantine.entries.size, 0);
  });

  void it('twenty more complaints add evidence and update the same ticket, with no second card in the dedup window', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
    await h.deliver(spike(1, 8, START));
    // Twenty more, in four batches, as the hub would deliver them.
    for (let batch = 0; batch < 4; batch += 1) {
      await h.deliver(spike(100 + batch * 5, 5, '2026-11-27T11:00:00.000Z', {}, false));
    }
    assert.equal(h.teams.posts.length, 1);
    assert.equal(h.tickets.created.length, 1);
    assert.equal(h.tickets.updates.length, 4);
    assert.ok(h.tickets.updates.every((update) => update.ticketKey === 'OPS-101'));
    for (const update of h.tickets.updates) assert.ok(validateTicketUpdate(update.payload).ok);
    assert.deepEqual(
      h.tickets.updates.map((update) => update.payload.newFeedbackIds.length),
      [5, 5, 5, 5],
      'each update carries only the new lineage',
    );
    assert.equal(h.tickets.updates.at(-1)!.payload.evidence.count, 28);
    assert.equal((await h.incident(INCIDENT_KEY))!.evidence.count, 28);
  });

  void it('a new alert after the dedup window posts a second card', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z', settings: { dedupWindowMinutes: 60 } });
    await h.deliver(spike(1, 3, START));
    await h.deliver([scoredEvent({ n: 50, eventTime: '2026-11-27T10:30:00.000Z', decision: 'alert' })]);
    assert.equal(h.teams.posts.length, 1, 'inside the window');
    await h.deliver([scoredEvent({ n: 51, eventTime: '2026-11-27T11:30:00.000Z', decision: 'alert' })]);
    assert.equal(h.teams.posts.length, 2, 'after the window');
    assert.equal(h.teams.posts[1]!.key, `${INCIDENT_KEY}:card:2`);
  });

  void it('redelivering every event changes nothing', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
    const events = [...spike(1, 8, START), ...spike(100, 20, '2026-11-27T11:00:00.000Z', {}, false)];
    await h.deliver(events.slice(0, 8));
    await h.deliver(events.slice(8));
    const before = structuredClone(await h.incidentStore.get(INCIDENT_KEY));
    const blocksBefore = structuredClone([...h.feedbackStore.docs.values()].map((doc) => doc.route));
    const counts = [h.teams.posts.length, h.tickets.created.length, h.tickets.updates.length];

    h.advanceMinutes(30);
    await h.deliver(events);
    await h.deliver(events.slice(3, 9));

    assert.deepEqual([h.teams.posts.length, h.tickets.created.length, h.tickets.updates.length], counts);
    assert.deepEqual(
      await h.incidentStore.get(INCIDENT_KEY),
      before,
      'the incident document is untouched (same ETag)',
    );
    assert.deepEqual(
      [...h.feedbackStore.docs.values()].map((doc) => doc.route),
      blocksBefore,
      'route blocks keep their first routedAt',
    );
  });

  void it('an item ignored before the incident existed stays ignored when it comes round again', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
    const early = scoredEvent({ n: 1, eventTime: START, decision: 'none' });
    await h.deliver([early]);
    assert.equal(await h.incident(INCIDENT_KEY), undefined, 'a plain complaint opens nothing');
    await h.deliver([scoredEvent({ n: 2, eventTime: '2026-11-27T10:10:00.000Z', decision: 'alert' })]);
    const before = await h.incidentStore.get(INCIDENT_KEY);
    assert.equal(before?.value.evidence.count, 1);

    await h.deliver([early]);
    assert.deepEqual(await h.incidentStore.get(INCIDENT_KEY), before, 'the redelivery changed nothing');
    // The same kind of complaint arriving for the first time now is evidence.
    await h.deliver([scoredEvent({ n: 3, eventTime: '2026-11-27T10:20:00.000Z', decision: 'none' })]);
    assert.equal((await h.incident(INCIDENT_KEY))?.evidence.count, 2);
  });

  void it('concurrent invocations for one incident (overlapping deliveries) still give one card and one ticket', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
    const events = spike(1, 6, START);
    for (const event of events) {
      const { normalized, classification: _c, score: _s, ...header } = event;
      await h.feedbackStore.putNormalized(event.feedbackId, event.revision, header, normalized);
    }
    const route = makeRoute(h.deps);
    await Promise.all([route(events, context()), route(events.slice(2), context()), h.runTimer()]);
    assert.equal(h.teams.posts.length, 1);
    assert.equal(h.tickets.created.length, 1);
    assert.equal((await h.incident(INCIDENT_KEY))!.evidence.count, 6);
  });

  void it('ignores items that warrant no incident, and records that', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
    const praise = scoredEvent({ n: 7, eventTime: START, decision: 'none', sentiment: 'positive' });
    await h.deliver([praise]);
    assert.equal(await h.incident(INCIDENT_KEY), undefined);
    assert.equal(((await h.feedbackStore.get(praise.feedbackId))?.route as RouteBlock).action, 'ignored');
    assert.equal(h.teams.posts.length + h.tickets.created.length, 0);
  });

  void it('quarantines an invalid event and goes on with the batch', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
    const good = spike(1, 2, START);
    const route = makeRoute(h.deps);
    for (const event of good) {
      const { normalized, classification: _c, score: _s, ...header } = event;
      await h.feedbackStore.putNormalized(event.feedbackId, event.revision, header, normalized);
    }
    await route(['{not json', { feedbackId: 'x' }, ...good], context());
    assert.equal(h.quarantine.entries.size, 2);
    assert.ok(
      [...h.quarantine.entries.values()].every(
        (entry) => entry.stage === 'route' && entry.reason === 'invalid scored event',
      ),
    );
    assert.equal(h.teams.posts.length, 1);
  });
});

void describe('route stage: fix verification', () => {
  void it('resolve, then the signal comes back: reopened with a "regressed after fix" card and a regression update', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z', settings: { fixVerificationDays: 14 } });
    await h.deliver(spike(1, 8, START));
    const resolved = await h.api.resolve(
      request({
        method: 'POST',
        url: `http://localhost:7071/api/incidents/${INCIDENT_KEY}/resolve`,
        params: { key: INCIDENT_KEY },
        body: JSON.stringify({ note: 'adhesive supplier changed' }),
      }),
      context(),
    );
    assert.equal(resolved.status, 200);
    assert.equal((await h.incident(INCIDENT_KEY))!.status, 'resolved');

    h.setNow('2026-12-02T09:00:00.000Z');
    // The score's episode is still open, so these arrive as suppressed alerts: they still reopen.
    await h.deliver(spike(200, 6, '2026-12-02T08:00:00.000Z', {}, false));

    const incident = (await h.incident(INCIDENT_KEY))!;
    assert.equal(incident.status, 'reopened');
    assert.equal(incident.regressedAfterFix, true);
    assert.equal(h.teams.posts.length, 2);
    assert.match(h.teams.titles()[1]!, /^Regressed after fix: /);
    const valid = validateEnvelope(h.teams.posts[1]!.card);
    assert.ok(valid.ok, valid.ok ? '' : valid.error);
    assert.equal(h.tickets.created.length, 1, 'the same ticket, reopened');
    assert.equal(h.tickets.updates.at(-1)?.payload.kind, 'regression');
    assert.equal(h.tickets.updates.at(-1)?.ticketKey, 'OPS-101');
  });

  void it('late evidence older than the resolve does not reopen', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
    await h.deliver(spike(1, 8, START));
    await h.api.resolve(
      request({ method: 'POST', url: 'http://x/api/incidents/k/resolve', params: { key: INCIDENT_KEY } }),
      context(),
    );
    await h.deliver([
      scoredEvent({ n: 300, eventTime: '2026-11-27T09:00:00.000Z', decision: 'alert', suppressed: true }),
    ]);
    const incident = (await h.incident(INCIDENT_KEY))!;
    assert.equal(incident.status, 'resolved');
    assert.equal(incident.evidence.count, 9);
    assert.equal(h.teams.posts.length, 1);
  });
});

void describe('incident actions from the card', () => {
  void it('refuse requests without a valid token with 401', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
    await h.deliver(spike(1, 3, START));
    const urls = actionUrls(h.teams.posts[0]!.card);
    const ack = new URL(urls.acknowledge!);
    for (const action of ['acknowledge', 'snooze', 'false_positive', 'useful']) {
      const missing = await h.api.action(
        request({
          method: 'POST',
          url: `http://x/api/incidents/${INCIDENT_KEY}/actions/${action}`,
          params: { key: INCIDENT_KEY, action },
        }),
        context(),
      );
      assert.equal(missing.status, 401, `${action} without token`);
    }
    const token = ack.searchParams.get('token')!;
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    const badSig = await h.api.action(
      request({
        method: 'POST',
        url: `http://x/a?token=${encodeURIComponent(tampered)}`,
        params: { key: INCIDENT_KEY, action: 'acknowledge' },
      }),
      context(),
    );
    assert.equal(badSig.status, 401);
    const otherAction = await h.api.action(
      request({
        method: 'POST',
        url: `http://x/a?token=${encodeURIComponent(token)}`,
        params: { key: INCIDENT_KEY, action: 'false_positive' },
      }),
      context(),
    );
    assert.equal(otherAction.status, 401, 'an acknowledge token cannot mark a false positive');
    h.advanceMinutes(8 * 24 * 60);
    const expired = await actionCall(h, urls.acknowledge!, 'POST');
    assert.equal(expired.status, 401);
    assert.equal((await h.incident(INCIDENT_KEY))!.acknowledgedAt, undefined);
  });

  void it('GET shows a confirmation page and changes nothing; POST acknowledges', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
    await h.deliver(spike(1, 3, START));
    const urls = actionUrls(h.teams.posts[0]!.card);
    const page = await actionCall(h, urls.acknowledge!, 'GET');
    assert.equal(page.status, 200);
    assert.match(page.body as string, /<form method="post">/);
    assert.equal((await h.incident(INCIDENT_KEY))!.acknowledgedAt, undefined);
    const done = await actionCall(h, urls.acknowledge!, 'POST');
    assert.equal(done.status, 200);
    assert.ok((await h.incident(INCIDENT_KEY))!.acknowledgedAt);
  });

  void it('snooze holds new cards; useful/noise votes feed alert precision', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z', settings: { dedupWindowMinutes: 10 } });
    await h.deliver(spike(1, 3, START));
    const urls = actionUrls(h.teams.posts[0]!.card);
    assert.equal((await actionCall(h, urls.snooze!, 'POST')).status, 200);
    await h.deliver([scoredEvent({ n: 60, eventTime: '2026-11-27T11:00:00.000Z', decision: 'alert' })]);
    assert.equal(h.teams.posts.length, 1, 'snoozed');

    assert.equal((await actionCall(h, urls.useful!, 'POST')).status, 200);
    await actionCall(h, urls.useful!, 'POST');
    const incident = (await h.incident(INCIDENT_KEY))!;
    assert.deepEqual(incident.alerts[0]!.votes, { useful: 1, noise: 0 }, 'the same link counts once');

    const response = await h.metrics(request({ url: 'http://x/api/metrics/alerts' }), context());
    const body = response.jsonBody as {
      overall: { precision: number; voted: number };
      rules: { rule: string; threshold: string }[];
    };
    assert.equal(body.overall.voted, 1);
    assert.equal(body.overall.precision, 1);
    assert.equal(body.rules[0]!.rule, 'volume_spike');
    assert.match(body.rules[0]!.threshold, /alpha=0.001/);
  });

  void it('open ticket creates the ticket when there was none', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
    h.tickets.failNext = 1;
    await h.deliver(spike(1, 3, START));
    assert.equal(h.tickets.created.length, 0);
    assert.equal(h.quarantine.entries.size, 1, 'the failed create is quarantined with its payload');
    const entry = [...h.quarantine.entries.values()][0]!;
    assert.ok(validateTicketCreate((entry.payload as { request: unknown }).request).ok);
    assert.ok(actionUrls(h.teams.posts[0]!.card).open_ticket, 'the card offers to open a ticket');

    assert.equal(await replayRouteAction(h.deps, entry.payload), true);
    assert.equal(h.tickets.created.length, 1, 'replayed from the quarantine');
    assert.equal((await h.incident(INCIDENT_KEY))!.ticket?.key, 'OPS-101');
    assert.equal(await replayRouteAction(h.deps, entry.payload), false, 'a second replay does nothing');
    assert.equal(h.tickets.created.length, 1);
  });

  void it('lists and gets incidents', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
    await h.deliver(spike(1, 3, START));
    const list = await h.api.list(request({ url: 'http://x/api/incidents' }), context());
    const incidents = (
      list.jsonBody as { incidents: { key: string; evidenceCount: number; ticketKey: string }[] }
    ).incidents;
    assert.equal(incidents.length, 1);
    assert.equal(incidents[0]!.evidenceCount, 3);
    assert.equal(incidents[0]!.ticketKey, 'OPS-101');
    const one = await h.api.get(request({ url: 'http://x', params: { key: INCIDENT_KEY } }), context());
    assert.equal(one.status, 200);
    assert.equal((one.jsonBody as { alerts: unknown[] }).alerts.length, 1);
    const none = await h.api.get(request({ url: 'http://x', params: { key: 'inc-nope' } }), context());
    assert.equal(none.status, 404);
  });
});

void describe('alert fatigue controls', () => {
  void it('per-team rate limit: cards over the limit go into a digest sent after the window', async () => {
    const h = makeHarness({
      now: '2026-11-27T12:00:00.000Z',
      settings: {
        teamRateLimit: { maxCards: 1, windowMinutes: 60 },
        ackSlaMinutes: { critical: 1440, high: 1440, medium: 1440, low: 1440 },
      },
    });
    await h.deliver(spike(1, 2, START));
    await h.deliver(spike(400, 2, START, { incidentKey: 'inc-second', productKey: 'KETTLE-7' }));
    await h.deliver(spike(500, 2, START, { incidentKey: 'inc-third', productKey: 'LAMP-3' }));
    assert.equal(h.teams.posts.length, 1);
    assert.equal((await h.incident('inc-second'))!.alerts[0]!.status, 'digested');
    assert.equal(h.tickets.created.length, 3, 'tickets are not rate limited');

    await h.runTimer();
    assert.equal(h.teams.posts.length, 1, 'not before the window has passed');
    h.advanceMinutes(61);
    const result = await h.runTimer();
    assert.equal(result.digestsSent, 1);
    assert.equal(h.teams.posts.length, 2);
    const digest = h.teams.posts[1]!;
    assert.match(h.teams.titles()[1]!, /^Digest for quality_engineering: 2 more alerts/);
    assert.ok(validateEnvelope(digest.card).ok);
    assert.match(JSON.stringify(digest.card), /KETTLE-7/);
    await h.runTimer();
    assert.equal(h.teams.posts.length, 2, 'the digest goes out once');
  });

  void it('quiet hours defer a card until they end; critical pages at once', async () => {
    const h = makeHarness({
      now: '2026-11-27T22:30:00.000Z', // 23:30 in Amsterdam
      settings: {
        quietHours: {
          start: '22:00',
          end: '07:00',
          timeZone: 'Europe/Amsterdam',
          bypassSeverities: ['critical'],
        },
      },
    });
    await h.deliver(spike(1, 3, START));
    assert.equal(h.teams.posts.length, 0);
    assert.equal(h.tickets.created.length, 1, 'the ticket is not deferred');
    assert.equal((await h.incident(INCIDENT_KEY))!.alerts[0]!.status, 'deferred');

    await h.deliver(spike(600, 2, START, { incidentKey: 'inc-fire', severity: 'critical' }));
    assert.equal(h.teams.posts.length, 1, 'critical bypasses quiet hours');
    await actionCall(h, actionUrls(h.teams.posts[0]!.card).acknowledge!, 'POST');

    h.setNow('2026-11-28T05:00:00.000Z'); // 06:00 local
    await h.runTimer();
    assert.equal(h.teams.posts.length, 1);
    h.setNow('2026-11-28T06:05:00.000Z'); // 07:05 local
    await h.runTimer();
    assert.equal(h.teams.posts.length, 2);
    assert.equal(h.teams.posts[1]!.key, `${INCIDENT_KEY}:card:1`);
    assert.equal((await h.incident(INCIDENT_KEY))!.alerts[0]!.status, 'sent');
  });

  void it('escalates an unacknowledged incident past its SLA, once per level', async () => {
    const h = makeHarness({
      now: '2026-11-27T12:00:00.000Z',
      settings: { escalationPath: ['team lead', 'head of operations'] },
    });
    await h.deliver(spike(1, 3, START));
    h.advanceMinutes(30);
    assert.equal((await h.runTimer()).escalationsQueued, 0, 'high: 60 min SLA');
    h.advanceMinutes(35);
    await h.runTimer();
    await h.runTimer();
    assert.equal(h.teams.posts.length, 2);
    assert.match(h.teams.titles()[1]!, /^Escalation level 1 to team lead/);
    assert.ok(validateEnvelope(h.teams.posts[1]!.card).ok);
    h.advanceMinutes(60);
    await h.runTimer();
    assert.match(h.teams.titles()[2]!, /^Escalation level 2 to head of operations/);
    h.advanceMinutes(600);
    await h.runTimer();
    assert.equal(h.teams.posts.length, 3, 'the path ends');
  });

  void it('a card whose sender died after claiming it goes out once, when its claim lapses', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z', settings: { callDeadlineSeconds: 60 } });
    h.teams.hangNext = 1;
    // The invocation never finishes: it stands for a host that was killed during the call.
    void h.deliver(spike(1, 3, START));
    const claimed = await waitFor(async () => {
      const card = (await h.incident(INCIDENT_KEY))?.outbox.find((item) => item.kind === 'card');
      return card?.state === 'sending' ? card : undefined;
    });
    assert.equal(claimed.leaseUntil, '2026-11-27T12:01:30.000Z', 'the call deadline plus the margin');

    h.advanceMinutes(1);
    await h.runTimer();
    assert.equal(h.teams.posts.length, 0, 'the claim still stands: the sender may be alive');
    h.setNow('2026-11-27T12:01:31.000Z');
    await h.runTimer();
    await h.runTimer();
    assert.deepEqual(
      h.teams.posts.map((post) => post.key),
      [`${INCIDENT_KEY}:card:1`],
      'taken over once',
    );
    const incident = await h.incident(INCIDENT_KEY);
    assert.equal(incident!.outbox.filter((item) => item.kind === 'card').length, 0);
    assert.equal(incident!.alerts[0]!.status, 'sent');
  });

  void it('a claim written before leases existed lapses after ten minutes', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
    h.teams.hangNext = 1;
    void h.deliver(spike(1, 3, START));
    await waitFor(async () =>
      (await h.incident(INCIDENT_KEY))?.outbox.some((item) => item.state === 'sending'),
    );
    await mutateIncident(h.incidentStore, INCIDENT_KEY, (incident) => {
      for (const item of incident.outbox) delete item.leaseUntil;
      return true;
    });
    h.advanceMinutes(9);
    await h.runTimer();
    assert.equal(h.teams.posts.length, 0);
    h.advanceMinutes(2);
    await h.runTimer();
    assert.equal(h.teams.posts.length, 1);
  });

  void it('does not escalate an acknowledged incident', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
    await h.deliver(spike(1, 3, START));
    await actionCall(h, actionUrls(h.teams.posts[0]!.card).acknowledge!, 'POST');
    h.advanceMinutes(24 * 60);
    await h.runTimer();
    assert.equal(h.teams.posts.length, 1);
  });

  void it('a card that still fails after retries is quarantined with its payload and replayable', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
    h.teams.failNext = 1;
    await h.deliver(spike(1, 3, START));
    assert.equal(h.teams.posts.length, 0);
    const entry = [...h.quarantine.entries.values()].find((candidate) =>
      candidate.reason.startsWith('card'),
    )!;
    assert.ok(validateEnvelope((entry.payload as { request: unknown }).request).ok);
    await h.deliver(spike(1, 3, START));
    assert.equal(h.teams.posts.length, 0, 'a redelivery does not retry a quarantined card');
    assert.equal(await replayRouteAction(h.deps, entry.payload), true);
    assert.equal(h.teams.posts.length, 1);
    assert.equal((await h.incident(INCIDENT_KEY))!.alerts[0]!.status, 'sent');
  });
});
