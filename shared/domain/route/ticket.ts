/**
 * Ticket payloads for the Logic App HTTP trigger, defined by schemas/ticket.schema.json (create)
 * and schemas/ticket-update.schema.json (new evidence or a regression on the same ticket).
 * Both are validated before they leave, and the Logic App's answer is validated when it returns.
 */
import ticketSchema from '../../../schemas/ticket.schema.json' with { type: 'json' };
import ticketUpdateSchema from '../../../schemas/ticket-update.schema.json' with { type: 'json' };
import { makeValidator } from '../validation.js';
import { incidentUrl } from './action-token.js';
import { incidentTitle } from './card.js';
import { ratePerDay, slaDueAt, trendOf, type Incident } from './incident.js';
import type { RouteSettings } from './settings.js';
import type { Severity } from '../taxonomy.js';

export interface TicketExample {
  feedbackId: string;
  quote: string;
  language: string;
  modelSummary: string;
  severity: Severity;
  eventTime: string;
  channel: string;
}

export interface TicketTrend {
  ratePerDay: number;
  observed?: number;
  expected?: number;
  windowStart?: string;
  windowEnd?: string;
  daily: { date: string; count: number }[];
}

export interface TicketCreatePayload {
  schemaVersion: 1;
  idempotencyKey: string;
  incidentKey: string;
  summary: string;
  description: string;
  severity: Severity;
  category: string;
  component: string | null;
  product: { key: string; name?: string };
  ownerTeam: string;
  affectedSkus: string[];
  evidence: { count: number; examples: TicketExample[] };
  trend: TicketTrend;
  slaDueAt: string;
  escalationPath: string[];
  regressedAfterFix: boolean;
  lineage: { feedbackIds: string[]; firstEventTime: string; lastEventTime: string };
  links: { incident: string };
}

export interface TicketUpdatePayload {
  schemaVersion: 1;
  type: 'update';
  idempotencyKey: string;
  ticketKey: string;
  incidentKey: string;
  kind: 'evidence' | 'regression';
  severity: Severity;
  affectedSkus: string[];
  evidence: { count: number; examples: TicketExample[] };
  trend: TicketTrend;
  newFeedbackIds: string[];
  comment: string;
}

export interface TicketResponse {
  ticketKey: string;
  ticketUrl?: string;
}

export const validateTicketCreate = makeValidator<TicketCreatePayload>(ticketSchema);
export const validateTicketUpdate = makeValidator<TicketUpdatePayload>(ticketUpdateSchema);
export const validateTicketResponse = makeValidator<TicketResponse>({
  type: 'object',
  required: ['ticketKey'],
  properties: {
    ticketKey: { type: 'string', minLength: 1, maxLength: 200 },
    ticketUrl: { type: 'string', maxLength: 2000 },
  },
});

function examples(incident: Incident): TicketExample[] {
  return incident.evidence.quotes.map((quote) => ({
    feedbackId: quote.feedbackId,
    quote: quote.text,
    language: quote.languageCode,
    modelSummary: quote.summary,
    severity: quote.severity,
    eventTime: quote.eventTime,
    channel: quote.channel,
  }));
}

function trend(incident: Incident): TicketTrend {
  const anomaly = incident.evidence.anomaly;
  return {
    ratePerDay: ratePerDay(incident),
    ...(anomaly
      ? {
          observed: anomaly.observed,
          expected: anomaly.expected,
          windowStart: anomaly.windowStart,
          windowEnd: anomaly.windowEnd,
        }
      : {}),
    daily: trendOf(incident, 30),
  };
}

export function ticketCreatePayload(
  incident: Incident,
  settings: RouteSettings,
  baseUrl: string,
): TicketCreatePayload {
  const title = incidentTitle(incident);
  const description = [
    incident.evidence.summary,
    incident.evidence.recommendedAction ? `Recommended action: ${incident.evidence.recommendedAction}` : '',
    incident.evidence.reasons.length > 0 ? `Why: ${incident.evidence.reasons.join('; ')}` : '',
    `${incident.evidence.count} complaints between ${incident.firstEventTime} and ${incident.lastEventTime}.`,
  ]
    .filter((line) => line !== '')
    .join('\n\n');
  return {
    schemaVersion: 1,
    idempotencyKey: `${incident.key}:ticket`,
    incidentKey: incident.key,
    summary: `[${incident.severity}] ${title}`.slice(0, 255),
    description,
    severity: incident.severity,
    category: incident.category,
    component: incident.component,
    product: { key: incident.productKey, ...(incident.productName ? { name: incident.productName } : {}) },
    ownerTeam: incident.ownerTeam,
    affectedSkus: [...incident.evidence.skus],
    evidence: { count: incident.evidence.count, examples: examples(incident) },
    trend: trend(incident),
    slaDueAt: slaDueAt(incident, settings),
    escalationPath: [incident.ownerTeam, ...settings.escalationPath],
    regressedAfterFix: incident.regressedAfterFix,
    lineage: {
      feedbackIds: [...incident.evidence.feedbackIds],
      firstEventTime: incident.firstEventTime,
      lastEventTime: incident.lastEventTime,
    },
    links: { incident: incidentUrl(baseUrl, incident.key) },
  };
}

/** Feedback ids the ticket has not seen yet (ids are appended in order; old ones may be dropped). */
export function unsyncedFeedbackIds(incident: Incident): string[] {
  const synced = incident.ticket?.syncedFeedbackIds ?? 0;
  const start = Math.max(0, synced - incident.evidence.droppedFeedbackIds);
  return incident.evidence.feedbackIds.slice(start);
}

export function ticketUpdatePayload(
  incident: Incident,
  ticketKey: string,
  kind: 'evidence' | 'regression',
): TicketUpdatePayload {
  const newIds = unsyncedFeedbackIds(incident);
  const comment =
    kind === 'regression'
      ? `Regressed after fix: the signal is back since ${incident.resolution?.at ?? 'the resolve'}; ${newIds.length} new complaints. Reopen and re-check the fix.`
      : `${newIds.length} new complaints; ${incident.evidence.count} in total.`;
  return {
    schemaVersion: 1,
    type: 'update',
    // Names the evidence it carries, so a retried update is recognisable and a new one is not.
    idempotencyKey: `${incident.key}:ticket-update:${incident.evidence.count}:${kind}`,
    ticketKey,
    incidentKey: incident.key,
    kind,
    severity: incident.severity,
    affectedSkus: [...incident.evidence.skus],
    evidence: { count: incident.evidence.count, examples: examples(incident) },
    trend: trend(incident),
    newFeedbackIds: newIds,
    comment,
  };
}
