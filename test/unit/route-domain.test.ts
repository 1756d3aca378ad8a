import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actionLink, signActionToken, verifyActionToken } from '../../shared/domain/route/action-token.js';
import { alertPrecision } from '../../shared/domain/route/alert-metrics.js';
import { buildAlertCard, buildDigestCard, buildEscalationCard } from '../../shared/domain/route/card.js';
import {
  applyAction,
  applySignal,
  queueDueEscalations,
  resolveIncident,
  ruleOf,
} from '../../shared/domain/route/incident.js';
import { inQuietHours, quietHoursEnd } from '../../shared/domain/route/quiet-hours.js';
import { defaultRouteSettings, routeSettingsFrom } from '../../shared/domain/route/settings.js';
import { newLedger, takeCardSlot, digestDue } from '../../shared/domain/route/team-ledger.js';
import {
  ticketCreatePayload,
  ticketUpdatePayload,
  validateTicketCreate,
  validateTicketUpdate,
} from '../../shared/domain/route/ticket.js';
import { parseRetryAfter } from '../../shared/adapters/http-retry.js';
import { parseWithAdaptiveCards } from '../fixtures/route/adaptivecards-parser.js';
import { validateTeamsEnvelope } from '../fixtures/route/card-schema.js';
import { INCIDENT_KEY, scoredEvent, spike } from '../fixtures/route/scored-events.js';

const KEY = 'unit-test-key-not-a-secret';
const NOW = new Date('2026-11-27T12:00:00.000Z');
const links = { key: KEY, baseUrl: 'https://func.example.test/', ttlSeconds: 3600 };

function incidentFrom(events = spike(1, 6, '2026-11-27T10:00:00.000Z')) {
  let incident = undefined as ReturnType<typeof applySignal>['incident'];
  for (const event of events) incident = applySignal(incident, event, defaultRouteSettings, NOW).incident;
  return incident!;
}

void describe('action tokens', () => {
  const expected = { incidentKey: 'inc-1', action: 'acknowledge' as const };
  const claims = {
    k: 'inc-1',
    a: 'acknowledge' as const,
    s: 1,
    e: NOW.getTime() / 1000 + 60,
    n: 'inc-1:1:acknowledge',
  };

  void it('verifies a token it signed', () => {
    const check = verifyActionToken(KEY, signActionToken(KEY, claims), expected, NOW);
    assert.ok(check.ok);
    assert.equal(check.ok && check.claims.s, 1);
  });

  void it('refuses another key, tampered claims, expiry, another incident or action, and junk', () => {
    const token = signActionToken(KEY, claims);
    assert.equal(verifyActionToken('other-key', token, expected, NOW).ok, false);
    const forged = `${Buffer.from(JSON.stringify({ ...claims, k: 'inc-2' })).toString('base64url')}.${token.split('.')[1]}`;
    assert.deepEqual(verifyActionToken(KEY, forged, { ...expected, incidentKey: 'inc-2' }, NOW), {
      ok: false,
      reason: 'bad signature',
    });
    assert.deepEqual(verifyActionToken(KEY, token, expected, new Date(NOW.getTime() + 61_000)), {
      ok: false,
      reason: 'expired',
    });
    assert.equal(verifyActionToken(KEY, token, { ...expected, incidentKey: 'inc-2' }, NOW).ok, false);
    assert.equal(verifyActionToken(KEY, token, { ...expected, action: 'snooze' }, NOW).ok, false);
    for (const junk of [undefined, '', 'abc', 'a.b.c', '.x', `${token}x`]) {
      assert.equal(verifyActionToken(KEY, junk, expected, NOW).ok, false, String(junk));
    }
  });

  void it('builds links to our endpoint with the token in the query', () => {
    const url = new URL(actionLink(links, 'inc-1', 'snooze', 2, NOW));
    assert.equal(url.origin + url.pathname, 'https://func.example.test/api/incidents/inc-1/actions/snooze');
    const check = verifyActionToken(
      KEY,
      url.searchParams.get('token'),
      { incidentKey: 'inc-1', action: 'snooze' },
      NOW,
    );
    assert.ok(check.ok && check.claims.e === NOW.getTime() / 1000 + 3600);
  });
});

void describe('quiet hours', () => {
  const quiet = { start: '22:00', end: '07:00', timeZone: 'Europe/Amsterdam', bypassSeverities: [] };
  void it('spans midnight in the team time zone', () => {
    assert.equal(inQuietHours(new Date('2026-11-27T20:59:00Z'), quiet), false); // 21:59 local
    assert.equal(inQuietHours(new Date('2026-11-27T21:00:00Z'), quiet), true); // 22:00
    assert.equal(inQuietHours(new Date('2026-11-28T05:59:00Z'), quiet), true); // 06:59
    assert.equal(inQuietHours(new Date('2026-11-28T06:00:00Z'), quiet), false); // 07:00
  });
  void it('ends at the local end time, and in summer time too', () => {
    assert.equal(quietHoursEnd(new Date('2026-11-27T22:30:00Z'), quiet), '2026-11-28T06:00:00.000Z');
    assert.equal(quietHoursEnd(new Date('2026-07-01T22:30:00Z'), quiet), '2026-07-02T05:00:00.000Z');
    assert.equal(quietHoursEnd(new Date('2026-11-27T12:00:00Z'), quiet), undefined);
  });
});

void describe('incident lifecycle', () => {
  void it('one card per dedup window, evidence for every new item, nothing for a seen one', () => {
    const incident = incidentFrom();
    assert.equal(incident.key, INCIDENT_KEY);
    assert.equal(incident.evidence.count, 6);
    assert.equal(incident.alerts.length, 1);
    assert.deepEqual(
      incident.outbox.map((item) => item.kind),
      ['card', 'ticket_create'],
    );
    assert.equal(incident.evidence.quotes.length, defaultRouteSettings.maxQuotes);
    const again = applySignal(
      incident,
      spike(1, 1, '2026-11-27T10:00:00.000Z')[0]!,
      defaultRouteSettings,
      NOW,
    );
    assert.equal(again.outcome, 'duplicate');
    assert.equal(again.incident, incident);
  });

  void it('does not open an incident for review or none decisions', () => {
    const review = applySignal(
      undefined,
      scoredEvent({ n: 1, eventTime: NOW.toISOString(), decision: 'review' }),
      defaultRouteSettings,
      NOW,
    );
    assert.equal(review.incident, undefined);
    const praise = applySignal(
      undefined,
      scoredEvent({ n: 2, eventTime: NOW.toISOString(), decision: 'none', sentiment: 'positive' }),
      defaultRouteSettings,
      NOW,
    );
    assert.equal(praise.outcome, 'ignored');
  });

  void it('ticket candidates are watched (no card, no ticket) until an alert opens the incident', () => {
    const settings = defaultRouteSettings;
    let incident = applySignal(
      undefined,
      scoredEvent({ n: 3, eventTime: NOW.toISOString(), decision: 'ticket_candidate' }),
      settings,
      NOW,
    ).incident;
    assert.equal(incident?.status, 'watching');
    assert.deepEqual(incident?.outbox, []);
    // More defect evidence: still watched; a plain negative review without a decision adds nothing.
    incident = applySignal(
      incident,
      scoredEvent({ n: 4, eventTime: NOW.toISOString(), decision: 'ticket_candidate' }),
      settings,
      NOW,
    ).incident;
    const ignored = applySignal(
      incident,
      scoredEvent({ n: 5, eventTime: NOW.toISOString(), decision: 'none' }),
      settings,
      NOW,
    );
    assert.equal(ignored.outcome, 'ignored');
    assert.equal(incident?.status, 'watching');
    assert.equal(incident?.evidence.count, 2);
    assert.deepEqual(incident?.outbox, []);

    // The alert opens it: one card, one ticket, carrying the evidence gathered so far.
    const opened = applySignal(
      incident,
      scoredEvent({ n: 6, eventTime: NOW.toISOString(), decision: 'alert' }),
      settings,
      NOW,
    );
    assert.equal(opened.outcome, 'evidence_added');
    assert.equal(opened.incident?.status, 'open');
    assert.equal(opened.incident?.evidence.count, 3);
    assert.deepEqual(opened.incident?.outbox.map((item) => item.kind).sort(), ['card', 'ticket_create']);
    assert.ok(opened.cardKey);
  });

  void it('a person can open a ticket for a watched product × category', () => {
    const watched = applySignal(
      undefined,
      scoredEvent({ n: 7, eventTime: NOW.toISOString(), decision: 'ticket_candidate' }),
      defaultRouteSettings,
      NOW,
    ).incident!;
    assert.equal(applyAction(watched, 'open_ticket', 0, 'nonce-1', defaultRouteSettings, NOW), true);
    assert.equal(watched.status, 'open');
    assert.deepEqual(
      watched.outbox.map((item) => item.kind),
      ['ticket_create'],
    );
  });

  void it('reopens as "regressed after fix" inside the verification window, plainly after it', () => {
    const incident = incidentFrom();
    incident.outbox = [];
    incident.ticket = {
      key: 'T-1',
      createdAt: NOW.toISOString(),
      syncedEvidenceCount: 6,
      syncedFeedbackIds: 6,
    };
    resolveIncident(incident, defaultRouteSettings, NOW);
    const inside = applySignal(
      incident,
      scoredEvent({ n: 90, eventTime: '2026-11-30T10:00:00.000Z', decision: 'alert', suppressed: true }),
      defaultRouteSettings,
      new Date('2026-11-30T10:00:00.000Z'),
    );
    assert.equal(inside.outcome, 'regressed');
    assert.equal(inside.incident?.status, 'reopened');
    assert.deepEqual(
      inside.incident?.outbox.map((item) => [
        item.kind,
        'reason' in item ? item.reason : 'variant' in item ? item.variant : '',
      ]),
      [
        ['card', 'regressed'],
        ['ticket_update', 'regression'],
      ],
    );
    const after = applySignal(
      incident,
      scoredEvent({ n: 91, eventTime: '2027-01-10T10:00:00.000Z', decision: 'alert' }),
      defaultRouteSettings,
      new Date('2027-01-10T10:00:00.000Z'),
    );
    assert.equal(after.outcome, 'reopened');
    assert.equal(after.incident?.regressedAfterFix, false);
  });

  void it('after a false positive, only a fresh detection outside the dedup window reopens', () => {
    const incident = incidentFrom();
    incident.outbox = [];
    assert.ok(applyAction(incident, 'false_positive', 1, 'n1', defaultRouteSettings, NOW));
    assert.equal(incident.status, 'resolved');
    assert.deepEqual(incident.alerts[0]!.votes, { useful: 0, noise: 1 });
    const suppressed = applySignal(
      incident,
      scoredEvent({ n: 80, eventTime: '2026-11-27T11:00:00.000Z', decision: 'alert', suppressed: true }),
      defaultRouteSettings,
      NOW,
    );
    assert.equal(suppressed.incident?.status, 'resolved');
    assert.equal(suppressed.outcome, 'evidence_added');
    const fresh = applySignal(
      incident,
      scoredEvent({ n: 81, eventTime: '2026-11-28T11:00:00.000Z', decision: 'alert' }),
      defaultRouteSettings,
      NOW,
    );
    assert.equal(fresh.outcome, 'reopened');
    assert.equal(fresh.incident?.falsePositive, false);
  });

  void it('queues escalations per level once the SLA multiples pass', () => {
    const incident = incidentFrom();
    incident.outbox = [];
    incident.alerts[0]!.status = 'sent';
    incident.alerts[0]!.sentAt = NOW.toISOString();
    const settings = { ...defaultRouteSettings, escalationPath: ['lead', 'head'] };
    assert.equal(queueDueEscalations(incident, settings, new Date(NOW.getTime() + 59 * 60_000)), 0);
    assert.equal(queueDueEscalations(incident, settings, new Date(NOW.getTime() + 61 * 60_000)), 1);
    assert.equal(
      queueDueEscalations(incident, settings, new Date(NOW.getTime() + 62 * 60_000)),
      0,
      'already queued',
    );
    assert.equal(queueDueEscalations(incident, settings, new Date(NOW.getTime() + 121 * 60_000)), 1);
  });

  void it('names the rule and thresholds from the score provenance', () => {
    const rule = ruleOf(scoredEvent({ n: 1, eventTime: NOW.toISOString() }));
    assert.deepEqual(rule, {
      rule: 'volume_spike',
      threshold: 'sensitivity="normal",alpha=0.001,minimumVolume=5,minimumRatio=3',
    });
  });
});

/** One card of each kind the route stage sends. */
function everyKindOfCard() {
  const incident = incidentFrom();
  return [
    buildAlertCard(incident, 1, 'alert', links, NOW),
    buildAlertCard(incident, 2, 'regressed', links, NOW),
    buildEscalationCard(incident, 1, 1, 'team lead', links, NOW),
    buildDigestCard(
      'quality_engineering',
      [{ incidentKey: INCIDENT_KEY, title: 'TRAIL-42: defect', severity: 'high', count: 6, alertSeq: 1 }],
      NOW.toISOString(),
      links,
    ),
  ];
}

void describe('cards', () => {
  void it('alert, regressed, escalation and digest cards validate against the Adaptive Card 1.5 schema', () => {
    const cards = everyKindOfCard();
    for (const card of cards) {
      const result = validateTeamsEnvelope(card);
      assert.ok(result.ok, result.ok ? '' : result.error);
      assert.ok(JSON.stringify(card).length < 28_000, 'Teams message size limit');
    }
  });

  void it("Microsoft's adaptivecards object model parses every card without a complaint and drops nothing", () => {
    const cards = everyKindOfCard();
    for (const card of cards) {
      const content = card.attachments[0]!.content;
      const parsed = parseWithAdaptiveCards(content);
      assert.deepEqual(parsed.events, []);
      // The library writes its own newest version and knows no host extensions (`msteams`, which
      // Teams reads); everything else must come back as sent.
      const { msteams: _teamsExtension, ...portable } = content as typeof content & { msteams?: unknown };
      assert.deepEqual({ ...(parsed.roundTrip as object), version: content.version }, portable);
    }
    const misspelt = structuredClone(cards[0]!.attachments[0]!.content) as unknown as { body: object[] };
    misspelt.body.push({ type: 'TextBlok', text: 'x' });
    assert.match(parseWithAdaptiveCards(misspelt).events.join('\n'), /UnknownElementType/);
  });

  void it('the schema catches what Teams would reject', () => {
    const card = buildAlertCard(incidentFrom(), 1, 'alert', links, NOW);
    const broken = structuredClone(card) as unknown as { attachments: { content: { body: object[] } }[] };
    broken.attachments[0]!.content.body.push({ type: 'TextBlock', text: 'x', size: 'Huge' });
    assert.equal(validateTeamsEnvelope(broken).ok, false);
    const wrongType = { ...card, type: 'AdaptiveCard' };
    assert.equal(validateTeamsEnvelope(wrongType).ok, false);
  });
});

void describe('ticket payloads', () => {
  void it('create and update payloads validate against schemas/ticket*.schema.json', () => {
    const incident = incidentFrom();
    const create = ticketCreatePayload(incident, defaultRouteSettings, links.baseUrl);
    const created = validateTicketCreate(create);
    assert.ok(created.ok, created.ok ? '' : created.error);
    assert.equal(create.evidence.examples[0]!.quote.length > 0, true);
    assert.deepEqual(create.escalationPath, ['quality_engineering', ...defaultRouteSettings.escalationPath]);
    incident.ticket = {
      key: 'T-1',
      createdAt: NOW.toISOString(),
      syncedEvidenceCount: 4,
      syncedFeedbackIds: 4,
    };
    const update = ticketUpdatePayload(incident, 'T-1', 'evidence');
    const updated = validateTicketUpdate(update);
    assert.ok(updated.ok, updated.ok ? '' : updated.error);
    assert.equal(update.newFeedbackIds.length, 2);
    assert.equal(validateTicketCreate({ ...create, severity: 'urgent' }).ok, false);
  });
});

void describe('alert fatigue and precision', () => {
  void it('takes card slots up to the limit, then holds the rest for the digest', () => {
    const settings = { ...defaultRouteSettings, teamRateLimit: { maxCards: 2, windowMinutes: 60 } };
    const ledger = newLedger('logistics', NOW);
    const entry = (seq: number) => ({
      incidentKey: `inc-${seq}`,
      title: 't',
      severity: 'high',
      count: 1,
      alertSeq: 1,
    });
    assert.deepEqual(
      [1, 2, 3, 3].map((seq) => takeCardSlot(ledger, entry(seq), settings, NOW)),
      ['post', 'post', 'digest', 'digest'],
    );
    assert.equal(ledger.digest.length, 1);
    assert.equal(digestDue(ledger, settings, NOW), false);
    assert.equal(digestDue(ledger, settings, new Date(NOW.getTime() + 3600_000)), true);
  });

  void it('computes precision per rule from majority votes', () => {
    const incident = incidentFrom();
    const base = incident.alerts[0]!;
    incident.alerts = [
      { ...base, seq: 1, status: 'sent', votes: { useful: 2, noise: 0 } },
      { ...base, seq: 2, status: 'sent', votes: { useful: 0, noise: 1 } },
      { ...base, seq: 3, status: 'sent', votes: { useful: 0, noise: 0 } },
      { ...base, seq: 4, status: 'sent', rule: 'safety', votes: { useful: 1, noise: 0 } },
    ];
    const report = alertPrecision([incident]);
    assert.deepEqual(
      report.rules.map((row) => [row.rule, row.alerts, row.voted, row.precision]),
      [
        ['safety', 1, 1, 1],
        ['volume_spike', 3, 2, 0.5],
      ],
    );
    assert.equal(report.overall.precision, 0.667);
  });

  void it('reads Retry-After as seconds or an HTTP date', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter('Fri, 27 Nov 2026 12:00:10 GMT', NOW.getTime()), 10_000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });
});

void describe('route settings from app settings', () => {
  void it('uses defaults when unset and parses every setting', () => {
    const defaults = defaultRouteSettings;
    assert.deepEqual(routeSettingsFrom({}), defaults);
    const parsed = routeSettingsFrom({
      ROUTE_DEDUP_WINDOW_MINUTES: '30',
      ROUTE_TEAM_RATE_LIMIT: '2',
      ROUTE_TEAM_RATE_WINDOW_MINUTES: '15',
      ROUTE_QUIET_HOURS: '22:00-07:00',
      ROUTE_TIME_ZONE: 'Europe/Amsterdam',
      ROUTE_ACK_SLA_MINUTES: 'critical=5,high=30',
      ROUTE_ESCALATION_PATH: 'lead, director',
      ROUTE_FIX_VERIFICATION_DAYS: '7',
    });
    assert.equal(parsed.dedupWindowMinutes, 30);
    assert.deepEqual(parsed.teamRateLimit, { maxCards: 2, windowMinutes: 15 });
    assert.deepEqual(parsed.quietHours, {
      start: '22:00',
      end: '07:00',
      timeZone: 'Europe/Amsterdam',
      bypassSeverities: ['critical'],
    });
    assert.deepEqual(parsed.ackSlaMinutes, { ...defaults.ackSlaMinutes, critical: 5, high: 30 });
    assert.deepEqual(parsed.escalationPath, ['lead', 'director']);
    assert.equal(parsed.fixVerificationDays, 7);
  });

  void it('refuses nonsense at start-up', () => {
    assert.throws(
      () => routeSettingsFrom({ ROUTE_DEDUP_WINDOW_MINUTES: 'soon' }),
      /ROUTE_DEDUP_WINDOW_MINUTES/,
    );
    assert.throws(() => routeSettingsFrom({ ROUTE_QUIET_HOURS: 'nights' }), /ROUTE_QUIET_HOURS/);
    assert.throws(
      () => routeSettingsFrom({ ROUTE_QUIET_HOURS: '22:00-07:00', ROUTE_TIME_ZONE: 'Mars/Olympus' }),
      /ROUTE_TIME_ZONE/,
    );
    assert.throws(() => routeSettingsFrom({ ROUTE_ACK_SLA_MINUTES: 'urgent=5' }), /unknown severity/);
  });
});
