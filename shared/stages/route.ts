/**
 * The route stage (Event Hubs trigger on feedback-scored): turns scored feedback into incidents,
 * Teams cards and tickets, once.
 *
 * Per incident key in a batch: read the incident, apply the events (pure domain), write it back
 * with its ETag, then perform its outbox (ticket create/update, cards, escalations). Each outbox
 * item is claimed with an ETag write before the call and removed after it, so a redelivery, a
 * crash or a concurrent timer never sends a second card or a second ticket. A call that still
 * fails after its retries goes to the quarantine with its payload (replayRouteAction re-runs it).
 */
import type { InvocationContext } from '@azure/functions';
import { createHash } from 'node:crypto';
import type { ScoredEvent } from '../domain/events.js';
import { validateScoredEvent } from '../domain/events.js';
import type { RouteBlock } from '../domain/blocks/route.js';
import type { ActionLinkConfig } from '../domain/route/action-token.js';
import { buildAlertCard, buildDigestCard, buildEscalationCard, incidentTitle } from '../domain/route/card.js';
import {
  applySignal,
  pushHistory,
  type Incident,
  type IncidentStatus,
  type OutboxItem,
  type SignalOutcome,
} from '../domain/route/incident.js';
import { claimLeaseUntil, type RouteSettings } from '../domain/route/settings.js';
import {
  digestDue,
  digestSent,
  ledgerKeyOf,
  newLedger,
  takeCardSlot,
  type TeamLedger,
} from '../domain/route/team-ledger.js';
import {
  ticketCreatePayload,
  ticketUpdatePayload,
  validateTicketCreate,
  validateTicketUpdate,
  type TicketCreatePayload,
  type TicketUpdatePayload,
} from '../domain/route/ticket.js';
import type { Clock, FeedbackStore, Logger, Quarantine } from './ports.js';

export type { RouteSettings } from '../domain/route/settings.js';
export { defaultRouteSettings } from '../domain/route/settings.js';

export interface Versioned<T> {
  value: T;
  etag: string;
}

export type SaveResult = { status: 'saved'; etag: string } | { status: 'conflict' };

/**
 * Cosmos container `incidents`, partition key /key. Incidents (key = incidentKey) and team
 * ledgers (key = `team-ledger:<team>`) are point-read and written with ETag concurrency;
 * `etag: null` means create-only. The lists are small cross-partition queries for the API and
 * the timer, never for the hot path.
 */
export interface IncidentStore {
  get(key: string): Promise<Versioned<Incident> | undefined>;
  save(incident: Incident, etag: string | null): Promise<SaveResult>;
  list(query?: { statuses?: IncidentStatus[]; limit?: number }): Promise<Incident[]>;
  getLedger(team: string): Promise<Versioned<TeamLedger> | undefined>;
  saveLedger(ledger: TeamLedger, etag: string | null): Promise<SaveResult>;
  listLedgers(): Promise<TeamLedger[]>;
}

export interface TeamsNotifier {
  /** Posts the full Workflows envelope; throws when it still fails after retries. */
  post(card: object, idempotencyKey: string): Promise<void>;
}

export interface TicketClient {
  create(payload: TicketCreatePayload): Promise<{ ticketKey: string; ticketUrl?: string }>;
  update(ticketKey: string, payload: TicketUpdatePayload): Promise<void>;
}

export interface RouteDeps {
  publisher?: never;
  feedbackStore: FeedbackStore;
  incidentStore: IncidentStore;
  teams: TeamsNotifier;
  tickets: TicketClient;
  quarantine: Quarantine;
  actionLinks: ActionLinkConfig;
  settings: RouteSettings;
  clock: Clock;
  logger: Logger;
}

/** Claims written before leases existed (no `leaseUntil`) stand this long. */
const LEGACY_CLAIM_MS = 10 * 60_000;
const MAX_CONFLICT_RETRIES = 8;

export class ConcurrencyError extends Error {
  constructor(key: string) {
    super(`incident ${key}: too many concurrent writes`);
    this.name = 'ConcurrencyError';
  }
}

/** Read-modify-write with ETag retries. `change` returns false to skip the write. */
export async function mutateIncident(
  store: IncidentStore,
  key: string,
  change: (incident: Incident) => boolean,
): Promise<Incident | undefined> {
  for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt += 1) {
    const current = await store.get(key);
    // Team ledgers share the container: a ledger key is not an incident.
    if (!current || current.value.docType !== 'incident') return undefined;
    const next = structuredClone(current.value);
    if (!change(next)) return current.value;
    const saved = await store.save(next, current.etag);
    if (saved.status === 'saved') return next;
  }
  throw new ConcurrencyError(key);
}

function parseMessage(message: unknown): unknown {
  if (typeof message === 'string') return JSON.parse(message) as unknown;
  if (message instanceof Uint8Array) return JSON.parse(Buffer.from(message).toString('utf8')) as unknown;
  return message;
}

function digestOf(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(value) ?? 'undefined')
    .digest('hex')
    .slice(0, 32);
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function makeRoute(
  deps: RouteDeps,
): (messages: unknown[], context: InvocationContext) => Promise<void> {
  return async (messages, context) => {
    const valid: ScoredEvent[] = [];
    const groups = new Map<string, ScoredEvent[]>();
    for (const message of messages) {
      let parsed: unknown;
      try {
        parsed = parseMessage(message);
      } catch (error) {
        await quarantineInvalid(deps, message, `not JSON: ${errorText(error)}`);
        continue;
      }
      const checked = validateScoredEvent(parsed);
      if (!checked.ok) {
        await quarantineInvalid(deps, parsed, checked.error);
        continue;
      }
      valid.push(checked.value);
    }
    // An item already routed (this revision) is a redelivery: what it did the first time stands,
    // even if the incident has changed since (an item ignored before the incident existed must
    // not become evidence when it comes round again).
    // A second copy inside the batch is a redelivery too.
    const seen = new Set<string>();
    const routedBefore = await Promise.all(
      valid.map(async (event) => {
        const id = `${event.feedbackId}@${event.revision}`;
        if (seen.has(id)) return true;
        seen.add(id);
        const stored = await deps.feedbackStore.get(event.feedbackId);
        return stored?.route !== undefined && stored.revision === event.revision;
      }),
    );
    valid.forEach((event, index) => {
      if (routedBefore[index]) return;
      const key = event.score.incidentKey;
      groups.set(key, [...(groups.get(key) ?? []), event]);
    });
    for (const [key, events] of groups) {
      const outcomes = await applyEvents(deps, key, events);
      await performOutbox(deps, key);
      await writeRouteBlocks(deps, key, events, outcomes);
    }
    deps.logger.info('route batch done', {
      invocationId: context.invocationId,
      messages: messages.length,
      redelivered: routedBefore.filter(Boolean).length,
      incidents: groups.size,
    });
  };
}

async function quarantineInvalid(deps: RouteDeps, payload: unknown, reason: string): Promise<void> {
  const feedbackId =
    payload &&
    typeof payload === 'object' &&
    typeof (payload as { feedbackId?: unknown }).feedbackId === 'string'
      ? (payload as { feedbackId: string }).feedbackId
      : undefined;
  deps.logger.warn('route: invalid scored event quarantined', { feedbackId, reason });
  await deps.quarantine.put({
    id: `route:invalid:${digestOf(payload)}`,
    stage: 'route',
    reason: 'invalid scored event',
    error: reason,
    ...(feedbackId ? { feedbackId } : {}),
    payload,
    quarantinedAt: deps.clock().toISOString(),
  });
}

interface EventOutcome {
  outcome: SignalOutcome;
  cardKey?: string;
}

/** Applies a batch's events for one incident in one read-modify-write (retried on conflict). */
async function applyEvents(deps: RouteDeps, key: string, events: ScoredEvent[]): Promise<EventOutcome[]> {
  for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt += 1) {
    const current = await deps.incidentStore.get(key);
    const now = deps.clock();
    let incident = current?.value;
    const outcomes: EventOutcome[] = [];
    let changed = false;
    for (const event of events) {
      const applied = applySignal(incident, event, deps.settings, now);
      if (applied.incident !== incident) changed = true;
      incident = applied.incident;
      outcomes.push({ outcome: applied.outcome, ...(applied.cardKey ? { cardKey: applied.cardKey } : {}) });
    }
    if (!changed || !incident) return outcomes;
    const saved = await deps.incidentStore.save(incident, current?.etag ?? null);
    if (saved.status === 'saved') {
      for (const [index, event] of events.entries()) {
        const outcome = outcomes[index]?.outcome;
        if (outcome !== 'duplicate' && outcome !== 'ignored') {
          deps.logger.info('route: evidence', { feedbackId: event.feedbackId, incidentKey: key, outcome });
        }
      }
      return outcomes;
    }
  }
  throw new ConcurrencyError(key);
}

async function writeRouteBlocks(
  deps: RouteDeps,
  key: string,
  events: ScoredEvent[],
  outcomes: EventOutcome[],
): Promise<void> {
  const incident = (await deps.incidentStore.get(key))?.value;
  const routedAt = deps.clock().toISOString();
  for (const [index, event] of events.entries()) {
    // Only first deliveries get here (makeRoute set redeliveries aside), so every block is new.
    const outcome = outcomes[index] ?? { outcome: 'ignored' };
    const action: RouteBlock['action'] =
      outcome.outcome === 'created'
        ? 'incident_created'
        : outcome.outcome === 'duplicate'
          ? 'duplicate'
          : outcome.outcome;
    const block: RouteBlock = {
      ...(incident && outcome.outcome !== 'ignored'
        ? { incidentKey: key, incidentStatus: incident.status }
        : {}),
      action,
      ...(outcome.cardKey ? { cardKey: outcome.cardKey } : {}),
      ...(incident?.ticket && outcome.outcome !== 'ignored' ? { ticketKey: incident.ticket.key } : {}),
      routedAt,
    };
    const written = await deps.feedbackStore.putBlock(event.feedbackId, event.revision, 'route', block);
    if (written === 'stale') {
      deps.logger.info('route: block not stored, another revision is current', {
        feedbackId: event.feedbackId,
      });
    }
  }
}

const kindOrder: Record<OutboxItem['kind'], number> = {
  ticket_create: 0,
  card: 1,
  ticket_update: 2,
  escalation: 3,
};

function nextDueItem(incident: Incident, now: Date): OutboxItem | undefined {
  return incident.outbox
    .filter(
      (item) =>
        (item.state === 'pending' &&
          !(
            (item.kind === 'card' || item.kind === 'escalation') &&
            item.notBefore &&
            item.notBefore > now.toISOString()
          )) ||
        (item.state === 'sending' && claimExpired(item, now)),
    )
    .sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind])[0];
}

/**
 * A claim outlives its sender's call by construction (the call's deadline is shorter than the
 * lease), so an expired claim means the sender died between claiming and completing: the item is
 * taken over. The card or ticket may then go out twice if the sender died after the receiver got
 * it; it is never lost (Teams has no idempotency; the Logic App dedupes on the idempotency key).
 */
function claimExpired(item: OutboxItem, now: Date): boolean {
  if (item.leaseUntil) return now.toISOString() > item.leaseUntil;
  return item.claimedAt !== undefined && now.getTime() - Date.parse(item.claimedAt) > LEGACY_CLAIM_MS;
}

/** Outbox items waiting to be sent or being sent now (not those held back by quiet hours). */
export function inFlightOutboxItems(incident: Pick<Incident, 'outbox'>, now: Date): number {
  return incident.outbox.filter(
    (item) =>
      item.state === 'sending' ||
      (item.state === 'pending' &&
        !('notBefore' in item && item.notBefore && item.notBefore > now.toISOString())),
  ).length;
}

/** Whether the incident has outbox work that is due now (the timer uses it). */
export function hasDueWork(incident: Incident, now: Date): boolean {
  return nextDueItem(incident, now) !== undefined;
}

type Completion = (incident: Incident) => void;

/** Performs the incident's due outbox items, one claimed item at a time. */
export async function performOutbox(deps: RouteDeps, key: string): Promise<void> {
  for (let step = 0; step < 50; step += 1) {
    const current = await deps.incidentStore.get(key);
    if (!current) return;
    const now = deps.clock();
    const due = nextDueItem(current.value, now);
    if (!due) return;
    const claimed = structuredClone(current.value);
    const item = claimed.outbox.find((candidate) => candidate.key === due.key);
    if (!item) return;
    item.state = 'sending';
    item.claimedAt = now.toISOString();
    item.leaseUntil = claimLeaseUntil(now, deps.settings).toISOString();
    const saved = await deps.incidentStore.save(claimed, current.etag);
    if (saved.status === 'conflict') continue;
    const completion = await perform(deps, claimed, item);
    await mutateIncident(deps.incidentStore, key, (incident) => {
      completion(incident);
      return true;
    });
  }
}

function removeItem(incident: Incident, key: string): void {
  incident.outbox = incident.outbox.filter((item) => item.key !== key);
}

/** After a ticket sync: an update stays queued only if evidence arrived since the payload. */
function reconcileTicketUpdates(incident: Incident): void {
  if (!incident.ticket) return;
  const behind = incident.evidence.count > incident.ticket.syncedEvidenceCount;
  const queued = incident.outbox.some((item) => item.kind === 'ticket_update' && item.state === 'pending');
  if (!behind) {
    incident.outbox = incident.outbox.filter(
      (item) => !(item.kind === 'ticket_update' && item.state === 'pending'),
    );
  } else if (!queued) {
    incident.outbox.push({
      kind: 'ticket_update',
      key: `${incident.key}:ticket-update`,
      reason: 'evidence',
      state: 'pending',
    });
  }
}

async function perform(deps: RouteDeps, incident: Incident, item: OutboxItem): Promise<Completion> {
  const now = deps.clock();
  const at = now.toISOString();
  let request: unknown;
  try {
    switch (item.kind) {
      case 'ticket_create': {
        if (incident.ticket) return (next) => removeItem(next, item.key);
        const payload = ticketCreatePayload(incident, deps.settings, deps.actionLinks.baseUrl);
        request = payload;
        assertValid(validateTicketCreate(payload));
        const response = await deps.tickets.create(payload);
        deps.logger.info('route: ticket created', {
          incidentKey: incident.key,
          ticketKey: response.ticketKey,
        });
        const syncedEvidenceCount = incident.evidence.count;
        const syncedFeedbackIds = incident.evidence.droppedFeedbackIds + incident.evidence.feedbackIds.length;
        return (next) => {
          removeItem(next, item.key);
          next.ticket = {
            key: response.ticketKey,
            ...(response.ticketUrl ? { url: response.ticketUrl } : {}),
            createdAt: at,
            syncedEvidenceCount,
            syncedFeedbackIds,
          };
          if (next.status !== 'resolved') next.status = 'ticketed';
          pushHistory(next, at, 'ticketed', response.ticketKey);
          reconcileTicketUpdates(next);
        };
      }
      case 'ticket_update': {
        const ticket = incident.ticket;
        if (
          !ticket ||
          (item.reason === 'evidence' && ticket.syncedEvidenceCount >= incident.evidence.count)
        ) {
          return (next) => removeItem(next, item.key);
        }
        const payload = ticketUpdatePayload(incident, ticket.key, item.reason);
        request = payload;
        assertValid(validateTicketUpdate(payload));
        await deps.tickets.update(ticket.key, payload);
        deps.logger.info('route: ticket updated', {
          incidentKey: incident.key,
          ticketKey: ticket.key,
          kind: item.reason,
        });
        const syncedEvidenceCount = incident.evidence.count;
        const syncedFeedbackIds = incident.evidence.droppedFeedbackIds + incident.evidence.feedbackIds.length;
        return (next) => {
          removeItem(next, item.key);
          if (next.ticket) {
            next.ticket.syncedEvidenceCount = syncedEvidenceCount;
            next.ticket.syncedFeedbackIds = syncedFeedbackIds;
          }
          reconcileTicketUpdates(next);
        };
      }
      case 'card': {
        const alert = incident.alerts.find((candidate) => candidate.seq === item.alertSeq);
        const slot = await takeTeamSlot(deps, incident, item.alertSeq, now);
        if (slot === 'digest') {
          deps.logger.info('route: card held for the team digest', {
            incidentKey: incident.key,
            cardKey: item.key,
          });
          return (next) => {
            removeItem(next, item.key);
            const held = next.alerts.find((candidate) => candidate.seq === item.alertSeq);
            if (held) held.status = 'digested';
          };
        }
        const card = buildAlertCard(
          incident,
          item.alertSeq,
          alert?.variant ?? item.variant,
          deps.actionLinks,
          now,
        );
        request = card;
        await deps.teams.post(card, item.key);
        deps.logger.info('route: card posted', {
          incidentKey: incident.key,
          cardKey: item.key,
          variant: item.variant,
        });
        return (next) => {
          removeItem(next, item.key);
          const sent = next.alerts.find((candidate) => candidate.seq === item.alertSeq);
          if (sent) {
            sent.status = 'sent';
            sent.sentAt = at;
          }
        };
      }
      case 'escalation': {
        const card = buildEscalationCard(
          incident,
          item.alertSeq,
          item.level,
          item.target,
          deps.actionLinks,
          now,
        );
        request = card;
        await deps.teams.post(card, item.key);
        deps.logger.warn('route: escalated', {
          incidentKey: incident.key,
          level: item.level,
          target: item.target,
        });
        return (next) => {
          removeItem(next, item.key);
          next.escalations.push({ alertSeq: item.alertSeq, level: item.level, target: item.target, at });
          pushHistory(next, at, 'escalated', `level ${item.level}: ${item.target}`);
        };
      }
    }
  } catch (error) {
    if (error instanceof ConcurrencyError) throw error;
    await deps.quarantine.put({
      id: `route:action:${item.key}`,
      stage: 'route',
      reason: `${item.kind} failed after retries`,
      error: errorText(error),
      payload: { incidentKey: incident.key, item: { ...item, state: 'failed' }, request },
      quarantinedAt: at,
    });
    deps.logger.error('route: action quarantined', {
      incidentKey: incident.key,
      actionKey: item.key,
      error: errorText(error),
    });
    return (next) => {
      const failed = next.outbox.find((candidate) => candidate.key === item.key);
      if (failed) failed.state = 'failed';
      if (item.kind === 'card') {
        const alert = next.alerts.find((candidate) => candidate.seq === item.alertSeq);
        if (alert) alert.status = 'failed';
      }
    };
  }
}

function assertValid(result: { ok: true } | { ok: false; error: string }): void {
  if (!result.ok) throw new Error(`outgoing payload invalid: ${result.error}`);
}

async function takeTeamSlot(
  deps: RouteDeps,
  incident: Incident,
  alertSeq: number,
  now: Date,
): Promise<'post' | 'digest'> {
  const entry = {
    incidentKey: incident.key,
    title: incidentTitle(incident),
    severity: incident.severity,
    count: incident.evidence.count,
    alertSeq,
  };
  for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt += 1) {
    const current = await deps.incidentStore.getLedger(incident.ownerTeam);
    const ledger = current ? structuredClone(current.value) : newLedger(incident.ownerTeam, now);
    const slot = takeCardSlot(ledger, entry, deps.settings, now);
    const saved = await deps.incidentStore.saveLedger(ledger, current?.etag ?? null);
    if (saved.status === 'saved') return slot;
  }
  throw new ConcurrencyError(ledgerKeyOf(incident.ownerTeam));
}

/** Sends each team's held digest once its rate window has passed. */
export async function flushDigests(deps: RouteDeps): Promise<number> {
  let sent = 0;
  for (const listed of await deps.incidentStore.listLedgers()) {
    const now = deps.clock();
    if (!digestDue(listed, deps.settings, now)) continue;
    const current = await deps.incidentStore.getLedger(listed.team);
    if (!current || !digestDue(current.value, deps.settings, now)) continue;
    const ledger = structuredClone(current.value);
    const card = buildDigestCard(ledger.team, ledger.digest, ledger.windowStart, deps.actionLinks);
    const key = `digest:${ledger.team}:${ledger.windowStart}`;
    digestSent(ledger, now);
    // Claim first (the window moves on), then post: a lost race never sends the digest twice.
    const saved = await deps.incidentStore.saveLedger(ledger, current.etag);
    if (saved.status === 'conflict') continue;
    try {
      await deps.teams.post(card, key);
      sent += 1;
      deps.logger.info('route: digest posted', { team: ledger.team, alerts: current.value.digest.length });
    } catch (error) {
      await deps.quarantine.put({
        id: `route:action:${key}`,
        stage: 'route',
        reason: 'digest failed after retries',
        error: errorText(error),
        payload: { team: ledger.team, item: { kind: 'digest', key }, request: card },
        quarantinedAt: now.toISOString(),
      });
    }
  }
  return sent;
}

/**
 * Re-runs a quarantined route action (from the replay function): the outbox item goes back to
 * pending and is performed again. Returns false when the entry is not a route action or the
 * incident no longer has that item.
 */
export async function replayRouteAction(deps: RouteDeps, payload: unknown): Promise<boolean> {
  if (!payload || typeof payload !== 'object') return false;
  const { incidentKey, item, request } = payload as {
    incidentKey?: unknown;
    item?: { key?: unknown; kind?: unknown };
    request?: unknown;
  };
  if (item?.kind === 'digest' && typeof item.key === 'string' && request && typeof request === 'object') {
    await deps.teams.post(request, item.key);
    return true;
  }
  if (typeof incidentKey !== 'string' || typeof item?.key !== 'string') return false;
  const itemKey = item.key;
  let found = false;
  await mutateIncident(deps.incidentStore, incidentKey, (incident) => {
    const failed = incident.outbox.find(
      (candidate) => candidate.key === itemKey && candidate.state === 'failed',
    );
    if (!failed) return false;
    failed.state = 'pending';
    found = true;
    return true;
  });
  if (found) await performOutbox(deps, incidentKey);
  return found;
}
