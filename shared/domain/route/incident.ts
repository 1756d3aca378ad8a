/**
 * One incident per product × category (the score block's incidentKey): its lifecycle, evidence,
 * alert history, ticket reference and the outbox of actions still to perform.
 *
 * Everything here is pure: the route stage reads an incident, applies signals with these
 * functions, writes it back with its ETag, then performs the outbox. Because the outbox is part
 * of the incident document, a crash between the write and the call is repaired by the next
 * delivery or the timer, and a redelivered event (already in the evidence) queues nothing.
 */
import type { ScoredEvent } from '../events.js';
import { severities, type Severity } from '../taxonomy.js';
import type { RouteSettings } from './settings.js';
import { quietHoursEnd } from './quiet-hours.js';

/**
 * `watching`: defect evidence (ticket candidates) gathered for a product × category that has not
 * alerted; no card, no ticket, not listed by default. An alert (or a person's "open ticket")
 * opens it, and the card and ticket then carry the evidence gathered so far.
 */
export const incidentStatuses = [
  'watching',
  'open',
  'acknowledged',
  'ticketed',
  'resolved',
  'reopened',
] as const;
export type IncidentStatus = (typeof incidentStatuses)[number];
/** The statuses `GET /api/incidents` lists unless asked for `watching`. */
export const actionableStatuses: readonly IncidentStatus[] = incidentStatuses.filter(
  (status) => status !== 'watching',
);

export interface IncidentQuote {
  feedbackId: string;
  /** Redacted text in its original language. */
  text: string;
  languageCode: string;
  /** The model's summary (in English) shown beside the quote. */
  summary: string;
  severity: Severity;
  priority: number;
  eventTime: string;
  channel: string;
}

export type CardVariant = 'alert' | 'regressed';

export interface AlertRecord {
  seq: number;
  variant: CardVariant;
  /** Event time of the signal that raised it (dedup works on event time). */
  eventTime: string;
  /** Wall-clock time it was queued. */
  queuedAt: string;
  /** The rule and threshold that fired, for alert precision. */
  rule: string;
  threshold: string;
  reasons: string[];
  status: 'pending' | 'sent' | 'deferred' | 'digested' | 'failed';
  sentAt?: string;
  votes: { useful: number; noise: number };
}

/** What every outbox item has: its idempotency key, its state and, while sending, its claim. */
interface OutboxItemBase {
  key: string;
  state: OutboxState;
  /** When the sender claimed it (state `sending`). */
  claimedAt?: string;
  /** Until when the claim stands; past it the sender is taken to have died (route settings). */
  leaseUntil?: string;
}

export type OutboxItem = OutboxItemBase &
  (
    | { kind: 'ticket_create' }
    | { kind: 'ticket_update'; reason: 'evidence' | 'regression' }
    | {
        kind: 'card';
        alertSeq: number;
        variant: CardVariant;
        /** Quiet hours: not before this instant. */
        notBefore?: string;
      }
    | {
        kind: 'escalation';
        alertSeq: number;
        /** Quiet hours: not before this instant. */
        notBefore?: string;
        level: number;
        target: string;
      }
  );

/** pending → sending (claimed) → removed when done; failed = quarantined with its payload. */
export type OutboxState = 'pending' | 'sending' | 'failed';

export interface Incident {
  id: string;
  /** Partition key of the `incidents` container: the score block's incidentKey. */
  key: string;
  docType: 'incident';
  schemaVersion: 1;
  productKey: string;
  productName?: string;
  category: string;
  component: string | null;
  ownerTeam: string;
  /** Highest severity seen. */
  severity: Severity;
  status: IncidentStatus;
  createdAt: string;
  updatedAt: string;
  firstEventTime: string;
  lastEventTime: string;
  acknowledgedAt?: string;
  snoozedUntil?: string;
  falsePositive: boolean;
  regressedAfterFix: boolean;
  resolution?: {
    at: string;
    kind: 'fixed' | 'false_positive';
    /** Latest evidence event time at resolve: only newer signals count as a regression. */
    lastEvidenceEventTime: string;
    /** Wall-clock end of fix verification. */
    verifyUntil: string;
  };
  evidence: {
    count: number;
    /** Lineage and redelivery check: newest last, oldest dropped past the cap. */
    feedbackIds: string[];
    droppedFeedbackIds: number;
    quotes: IncidentQuote[];
    skus: string[];
    /** Evidence per UTC day of event time, 'YYYY-MM-DD' → count. */
    daily: Record<string, number>;
    anomaly?: NonNullable<ScoredEvent['score']['anomaly']>;
    whyItMatters: Record<string, unknown>;
    reasons: string[];
    summary: string;
    recommendedAction: string;
  };
  /** Event time of the last card sent or queued (dedup window). */
  lastCardEventTime?: string;
  alerts: AlertRecord[];
  ticket?: {
    key: string;
    url?: string;
    createdAt: string;
    /** evidence.count the ticket last saw (new evidence → one update). */
    syncedEvidenceCount: number;
    /** Feedback ids already sent, as a position in the id sequence (count including dropped). */
    syncedFeedbackIds: number;
  };
  escalations: { alertSeq: number; level: number; target: string; at: string }[];
  outbox: OutboxItem[];
  /** Lifecycle audit trail (capped). */
  history: { at: string; event: string; detail?: string }[];
  /** Votes already counted, by voter token nonce, so a re-clicked link counts once. */
  voteNonces: string[];
}

export type SignalOutcome = 'duplicate' | 'ignored' | 'created' | 'evidence_added' | 'reopened' | 'regressed';

const severityRank = (severity: Severity): number => severities.indexOf(severity);

/** Whether the score says a human should hear about this now (an alert, or one it suppressed). */
export function isAlertWorthy(event: ScoredEvent): boolean {
  return event.score.decision === 'alert' || event.score.suppressed !== undefined;
}

function addsEvidence(event: ScoredEvent, current: Incident | undefined): boolean {
  if (event.score.decision === 'alert' || event.score.decision === 'ticket_candidate') return true;
  if (event.score.suppressed !== undefined) return true;
  // A watched product × category gathers defect evidence only; an open incident takes any
  // counted complaint about it (and low-confidence ones waiting for review).
  if (!current || current.status === 'watching') return false;
  if (event.score.decision === 'review') return true;
  return event.score.counted && event.classification.sentiment.label === 'negative';
}

/** The rule and threshold behind a decision, from the score's provenance, for precision metrics. */
export function ruleOf(event: ScoredEvent): { rule: string; threshold: string } {
  const provenance = event.score.provenance;
  const pick = (...names: string[]): unknown =>
    names.map((name) => provenance[name]).find((v) => v !== undefined);
  const rule =
    pick('rule', 'ruleId', 'detector') ?? event.score.anomaly?.kind ?? event.score.reasons[0] ?? 'unknown';
  // The score stage records its thresholds as separate provenance fields; name them together.
  const knobs = ['sensitivity', 'alpha', 'minimumVolume', 'minimumRatio']
    .filter((name) => provenance[name] !== undefined)
    .map((name) => `${name}=${JSON.stringify(provenance[name])}`)
    .join(',');
  const threshold = pick('threshold', 'thresholds', 'alertThreshold') ?? (knobs || 'default');
  return {
    rule: typeof rule === 'string' ? rule : JSON.stringify(rule),
    threshold: typeof threshold === 'string' ? threshold : JSON.stringify(threshold),
  };
}

export function newIncident(event: ScoredEvent, now: Date, status: 'open' | 'watching' = 'open'): Incident {
  const at = now.toISOString();
  return {
    id: event.score.incidentKey,
    key: event.score.incidentKey,
    docType: 'incident',
    schemaVersion: 1,
    productKey: event.productKey,
    ...(event.normalized.product.name ? { productName: event.normalized.product.name } : {}),
    category: event.classification.primaryCategory,
    component: event.classification.component,
    ownerTeam: event.score.ownerTeam || event.classification.ownerTeam,
    severity: event.classification.severity,
    status,
    createdAt: at,
    updatedAt: at,
    firstEventTime: event.eventTime,
    lastEventTime: event.eventTime,
    falsePositive: false,
    regressedAfterFix: false,
    evidence: {
      count: 0,
      feedbackIds: [],
      droppedFeedbackIds: 0,
      quotes: [],
      skus: [],
      daily: {},
      whyItMatters: {},
      reasons: [],
      summary: '',
      recommendedAction: '',
    },
    alerts: [],
    escalations: [],
    outbox: [],
    history: [{ at, event: status === 'open' ? 'opened' : 'watching' }],
    voteNonces: [],
  };
}

export function hasSeen(incident: Incident, feedbackId: string): boolean {
  return incident.evidence.feedbackIds.includes(feedbackId);
}

export function pushHistory(incident: Incident, at: string, event: string, detail?: string): void {
  incident.history.push(detail === undefined ? { at, event } : { at, event, detail });
  if (incident.history.length > 200) incident.history.splice(0, incident.history.length - 200);
}

function addEvidence(incident: Incident, event: ScoredEvent, settings: RouteSettings): void {
  const evidence = incident.evidence;
  evidence.count += 1;
  evidence.feedbackIds.push(event.feedbackId);
  const overflow = evidence.feedbackIds.length - settings.maxFeedbackIds;
  if (overflow > 0) {
    evidence.feedbackIds.splice(0, overflow);
    evidence.droppedFeedbackIds += overflow;
  }
  const sku = event.normalized.product.sku;
  if (sku && !evidence.skus.includes(sku)) evidence.skus.push(sku);
  const day = event.eventTime.slice(0, 10);
  evidence.daily[day] = (evidence.daily[day] ?? 0) + 1;
  if (event.score.anomaly) evidence.anomaly = event.score.anomaly;
  if (Object.keys(event.score.whyItMatters).length > 0) evidence.whyItMatters = event.score.whyItMatters;
  if (event.score.reasons.length > 0) evidence.reasons = event.score.reasons;
  if (event.classification.summary) evidence.summary = event.classification.summary;
  if (event.classification.recommendedAction)
    evidence.recommendedAction = event.classification.recommendedAction;
  if (severityRank(event.classification.severity) > severityRank(incident.severity)) {
    incident.severity = event.classification.severity;
  }
  if (event.normalized.product.name && !incident.productName)
    incident.productName = event.normalized.product.name;
  if (event.eventTime < incident.firstEventTime) incident.firstEventTime = event.eventTime;
  if (event.eventTime > incident.lastEventTime) incident.lastEventTime = event.eventTime;
  if (event.normalized.text.trim() !== '') {
    evidence.quotes.push({
      feedbackId: event.feedbackId,
      text: truncate(event.normalized.text, 400),
      languageCode: event.normalized.language.code,
      summary: event.classification.summary,
      severity: event.classification.severity,
      priority: event.score.priority,
      eventTime: event.eventTime,
      channel: event.channel,
    });
    // Keep the most telling quotes: most severe, then highest priority, then newest.
    evidence.quotes.sort(
      (a, b) =>
        severityRank(b.severity) - severityRank(a.severity) ||
        b.priority - a.priority ||
        b.eventTime.localeCompare(a.eventTime),
    );
    evidence.quotes.splice(settings.maxQuotes);
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function addMinutes(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString();
}

function queueCard(
  incident: Incident,
  event: ScoredEvent,
  variant: CardVariant,
  settings: RouteSettings,
  now: Date,
): void {
  const seq = incident.alerts.length + 1;
  const { rule, threshold } = ruleOf(event);
  const notBefore =
    settings.quietHours && !settings.quietHours.bypassSeverities.includes(incident.severity)
      ? quietHoursEnd(now, settings.quietHours)
      : undefined;
  incident.alerts.push({
    seq,
    variant,
    eventTime: event.eventTime,
    queuedAt: now.toISOString(),
    rule,
    threshold,
    reasons: event.score.reasons,
    status: notBefore ? 'deferred' : 'pending',
    votes: { useful: 0, noise: 0 },
  });
  incident.lastCardEventTime = event.eventTime;
  incident.outbox.push({
    kind: 'card',
    key: `${incident.key}:card:${seq}`,
    alertSeq: seq,
    variant,
    ...(notBefore ? { notBefore } : {}),
    state: 'pending',
  });
}

/** Queues a ticket: a create when there is none, else one (coalesced) update to the same ticket. */
export function queueTicket(incident: Incident, reason: 'evidence' | 'regression'): void {
  if (!incident.ticket) {
    if (!incident.outbox.some((item) => item.kind === 'ticket_create')) {
      incident.outbox.push({ kind: 'ticket_create', key: `${incident.key}:ticket`, state: 'pending' });
    }
    return;
  }
  const pending = incident.outbox.find((item) => item.kind === 'ticket_update' && item.state === 'pending');
  if (pending && pending.kind === 'ticket_update') {
    if (reason === 'regression') pending.reason = 'regression';
    return;
  }
  incident.outbox.push({
    kind: 'ticket_update',
    // The key is fixed when the update is performed (it names the evidence count it carries).
    key: `${incident.key}:ticket-update`,
    reason,
    state: 'pending',
  });
}

function withinDedupWindow(incident: Incident, eventTime: string, settings: RouteSettings): boolean {
  if (!incident.lastCardEventTime) return false;
  const elapsedMinutes = (Date.parse(eventTime) - Date.parse(incident.lastCardEventTime)) / 60_000;
  return elapsedMinutes < settings.dedupWindowMinutes;
}

/**
 * Applies one scored event to an incident (or creates it). Returns the new state and what
 * happened; `incident` is undefined when the event does not warrant one.
 */
export function applySignal(
  current: Incident | undefined,
  event: ScoredEvent,
  settings: RouteSettings,
  now: Date,
): { incident: Incident | undefined; outcome: SignalOutcome; cardKey?: string } {
  if (current && hasSeen(current, event.feedbackId)) return { incident: current, outcome: 'duplicate' };
  if (!addsEvidence(event, current)) return { incident: current, outcome: 'ignored' };
  const alertWorthy = isAlertWorthy(event);
  const pages = event.score.decision === 'alert' && event.score.suppressed === undefined;

  const at = now.toISOString();
  const incident = current
    ? structuredClone(current)
    : newIncident(event, now, alertWorthy ? 'open' : 'watching');
  let outcome: SignalOutcome = current ? 'evidence_added' : 'created';
  const cardsBefore = incident.alerts.length;
  addEvidence(incident, event, settings);
  incident.updatedAt = at;

  if (incident.status === 'watching') {
    // Defect evidence alone is not an incident; the score's alert is what makes one.
    if (alertWorthy) {
      incident.status = 'open';
      pushHistory(incident, at, 'opened', event.feedbackId);
      if (pages) queueCard(incident, event, 'alert', settings, now);
      queueTicket(incident, 'evidence');
    }
  } else if (incident.status === 'resolved') {
    const resolution = incident.resolution;
    const newer = !resolution || event.eventTime > resolution.lastEvidenceEventTime;
    // After a false positive only a fresh detection outside the dedup window reopens: the
    // score's still-open episode (suppressed alerts) is the very signal judged to be noise.
    const reopens =
      resolution?.kind === 'false_positive'
        ? pages && !withinDedupWindow(incident, event.eventTime, settings)
        : alertWorthy;
    if (reopens && newer && resolution) {
      const regressed = resolution.kind === 'fixed' && at <= resolution.verifyUntil;
      incident.status = 'reopened';
      delete incident.acknowledgedAt;
      delete incident.snoozedUntil;
      incident.falsePositive = false;
      incident.regressedAfterFix = regressed;
      pushHistory(incident, at, regressed ? 'regressed_after_fix' : 'reopened', event.feedbackId);
      outcome = regressed ? 'regressed' : 'reopened';
      // A regression always pages (it bypasses the dedup window); a plain reopen only if it pages.
      if (regressed) queueCard(incident, event, 'regressed', settings, now);
      else if (pages && !withinDedupWindow(incident, event.eventTime, settings)) {
        queueCard(incident, event, 'alert', settings, now);
      }
      queueTicket(incident, regressed ? 'regression' : 'evidence');
    }
    // Late evidence for a resolved incident is kept but does not act.
  } else {
    const snoozed = incident.snoozedUntil !== undefined && at < incident.snoozedUntil;
    if (pages && !snoozed && !withinDedupWindow(incident, event.eventTime, settings)) {
      queueCard(incident, event, 'alert', settings, now);
    }
    // An open incident has one ticket: new evidence becomes an update to it.
    queueTicket(incident, 'evidence');
  }
  const queued =
    incident.alerts.length > cardsBefore ? incident.alerts[incident.alerts.length - 1] : undefined;
  return {
    incident,
    outcome,
    ...(queued ? { cardKey: `${incident.key}:card:${queued.seq}` } : {}),
  };
}

/** Due time of the ticket by severity, from the incident's creation. */
export function slaDueAt(incident: Incident, settings: RouteSettings): string {
  return addMinutes(incident.createdAt, settings.resolutionSlaHours[incident.severity] * 60);
}

export type IncidentAction = 'acknowledge' | 'snooze' | 'false_positive' | 'open_ticket' | 'useful' | 'noise';
export const incidentActions: readonly IncidentAction[] = [
  'acknowledge',
  'snooze',
  'false_positive',
  'open_ticket',
  'useful',
  'noise',
];

/**
 * Applies an action from a card link. `nonce` identifies the signed link, so clicking the same
 * vote link twice counts once. Returns false when it changed nothing.
 */
export function applyAction(
  incident: Incident,
  action: IncidentAction,
  alertSeq: number,
  nonce: string,
  settings: RouteSettings,
  now: Date,
): boolean {
  const at = now.toISOString();
  const alert = incident.alerts.find((candidate) => candidate.seq === alertSeq);
  switch (action) {
    case 'acknowledge':
      if (incident.acknowledgedAt) return false;
      incident.acknowledgedAt = at;
      if (incident.status === 'open' || incident.status === 'reopened') incident.status = 'acknowledged';
      break;
    case 'snooze':
      incident.snoozedUntil = addMinutes(at, settings.snoozeHours * 60);
      break;
    case 'false_positive':
      if (incident.falsePositive) return false;
      incident.falsePositive = true;
      incident.status = 'resolved';
      incident.resolution = {
        at,
        kind: 'false_positive',
        lastEvidenceEventTime: incident.lastEventTime,
        verifyUntil: at,
      };
      if (alert) recordVote(incident, alert, 'noise', nonce);
      break;
    case 'open_ticket':
      if (incident.ticket || incident.outbox.some((item) => item.kind === 'ticket_create')) return false;
      // A person judged the watched evidence worth a ticket: it is an incident now.
      if (incident.status === 'watching') incident.status = 'open';
      queueTicket(incident, 'evidence');
      break;
    case 'useful':
    case 'noise':
      if (!alert || !recordVote(incident, alert, action, nonce)) return false;
      break;
  }
  incident.updatedAt = at;
  pushHistory(incident, at, action, `alert ${alertSeq}`);
  return true;
}

function recordVote(
  incident: Incident,
  alert: AlertRecord,
  vote: 'useful' | 'noise',
  nonce: string,
): boolean {
  if (incident.voteNonces.includes(nonce)) return false;
  incident.voteNonces.push(nonce);
  if (incident.voteNonces.length > 500) incident.voteNonces.splice(0, incident.voteNonces.length - 500);
  alert.votes[vote] += 1;
  return true;
}

/** Resolve (the API or the Logic App callback): starts fix verification. */
export function resolveIncident(
  incident: Incident,
  settings: RouteSettings,
  now: Date,
  note?: string,
): boolean {
  if (incident.status === 'resolved') return false;
  const at = now.toISOString();
  incident.status = 'resolved';
  incident.regressedAfterFix = false;
  incident.resolution = {
    at,
    kind: 'fixed',
    lastEvidenceEventTime: incident.lastEventTime,
    verifyUntil: addMinutes(at, settings.fixVerificationDays * 24 * 60),
  };
  // Pending pages for a fixed problem are moot.
  incident.outbox = incident.outbox.filter((item) => item.kind !== 'card' && item.kind !== 'escalation');
  incident.updatedAt = at;
  pushHistory(incident, at, 'resolved', note);
  return true;
}

/** Escalations due now: unacknowledged past n × SLA, one per level, in path order. */
export function queueDueEscalations(incident: Incident, settings: RouteSettings, now: Date): number {
  if (incident.acknowledgedAt || incident.status === 'resolved' || incident.status === 'acknowledged')
    return 0;
  const firstSent = [...incident.alerts].reverse().find((alert) => alert.status === 'sent' && alert.sentAt);
  if (!firstSent?.sentAt) return 0;
  const sla = settings.ackSlaMinutes[incident.severity];
  const elapsed = (now.getTime() - Date.parse(firstSent.sentAt)) / 60_000;
  let queued = 0;
  settings.escalationPath.forEach((target, index) => {
    const level = index + 1;
    if (elapsed < sla * level) return;
    const key = `${incident.key}:escalation:${firstSent.seq}:${level}`;
    if (incident.escalations.some((done) => done.alertSeq === firstSent.seq && done.level === level)) return;
    if (incident.outbox.some((item) => item.key === key)) return;
    // Escalations wait for the end of quiet hours too, unless the severity pages at night.
    const notBefore =
      settings.quietHours && !settings.quietHours.bypassSeverities.includes(incident.severity)
        ? quietHoursEnd(now, settings.quietHours)
        : undefined;
    incident.outbox.push({
      kind: 'escalation',
      key,
      alertSeq: firstSent.seq,
      level,
      target,
      ...(notBefore ? { notBefore } : {}),
      state: 'pending',
    });
    queued += 1;
  });
  return queued;
}

/** The trend shown on cards and tickets: daily counts of the last `days` days with evidence. */
export function trendOf(incident: Incident, days = 7): { date: string; count: number }[] {
  return Object.entries(incident.evidence.daily)
    .sort(([a], [b]) => a.localeCompare(b))
    .slice(-days)
    .map(([date, count]) => ({ date, count }));
}

/** Complaints per day over the evidence span (at least one day). */
export function ratePerDay(incident: Incident): number {
  const spanDays = Math.max(
    1,
    (Date.parse(incident.lastEventTime) - Date.parse(incident.firstEventTime)) / 86_400_000,
  );
  return Math.round((incident.evidence.count / spanDays) * 100) / 100;
}
