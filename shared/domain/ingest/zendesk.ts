/**
 * Zendesk deliveries: event webhooks (`zen:event-type:ticket.created`, `...ticket.comment_added`)
 * and trigger webhooks whose body the admin defines (the recommended body is in docs/sources.md:
 * a `ticket` object). Other event types are landed for the record and produce no feedback.
 */
import { makeValidator } from '../validation.js';
import { compactTimestamp, parseEventTime } from './raw-path.js';
import {
  bodyDigest,
  headerId,
  idText,
  landedOnlyNote,
  rejectWith,
  tenantFromQuery,
  type DeliveryInput,
  type Extraction,
  type PlannedItem,
} from './delivery.js';

const EVENT_PREFIX = 'zen:event-type:';
export const ZENDESK_TICKET_CREATED = 'zen:event-type:ticket.created';
export const ZENDESK_COMMENT_ADDED = 'zen:event-type:ticket.comment_added';
export const ZENDESK_TRIGGER_TOPIC = 'trigger/ticket';

const id = { type: ['integer', 'string'], minLength: 1, maxLength: 128 } as const;

interface ZendeskEvent {
  type: string;
  id: string;
  time: string;
  account_id?: number;
  detail: { id?: string | number; created_at?: string; updated_at?: string };
  event?: { comment?: { id: string | number } };
}

const validateEvent = makeValidator<ZendeskEvent>({
  type: 'object',
  required: ['type', 'id', 'time', 'detail'],
  properties: {
    type: { type: 'string', maxLength: 200 },
    id: { type: 'string', minLength: 1, maxLength: 128 },
    time: { type: 'string', format: 'date-time' },
    account_id: { type: 'integer' },
    detail: {
      type: 'object',
      properties: { id, created_at: { type: 'string' }, updated_at: { type: 'string' } },
    },
    event: { type: 'object' },
  },
});

const validateTicketEvent = makeValidator<ZendeskEvent>({
  type: 'object',
  properties: { detail: { type: 'object', required: ['id'], properties: { id } } },
});

const validateCommentEvent = makeValidator<ZendeskEvent>({
  type: 'object',
  required: ['event'],
  properties: {
    detail: { type: 'object', required: ['id'], properties: { id } },
    event: {
      type: 'object',
      required: ['comment'],
      properties: {
        comment: {
          type: 'object',
          required: ['id'],
          properties: { id, body: { type: ['string', 'null'], maxLength: 200000 } },
        },
      },
    },
  },
});

interface ZendeskTrigger {
  ticket: { id: string | number; url?: string; created_at?: string; updated_at?: string };
}

/** The recommended trigger body (docs/sources.md); placeholders render as strings. */
export const zendeskTriggerSchema = {
  type: 'object',
  required: ['ticket'],
  properties: {
    ticket: {
      type: 'object',
      required: ['id'],
      properties: {
        id: { type: ['integer', 'string'], pattern: '^[0-9]{1,20}$', maxLength: 20 },
        url: { type: 'string', maxLength: 500 },
        subject: { type: 'string', maxLength: 10000 },
        description: { type: 'string', maxLength: 200000 },
        latest_public_comment: { type: 'string', maxLength: 200000 },
        created_at: { type: 'string', maxLength: 64 },
        updated_at: { type: 'string', maxLength: 64 },
      },
    },
  },
} as const;

const validateTrigger = makeValidator<ZendeskTrigger>(zendeskTriggerSchema);

/** `acme.zendesk.com/agent/tickets/1` → `acme`. */
function subdomainOfTicketUrl(url: string | undefined): string | undefined {
  const match = url ? /^(?:https?:\/\/)?([a-z0-9][a-z0-9-]{0,62})\.zendesk\.com(?:\/|$)/i.exec(url) : null;
  return match?.[1]?.toLowerCase();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function extractZendesk(input: DeliveryInput): Extraction {
  const body = input.body;
  if (!isRecord(body)) return rejectWith(422, '/ must be object');
  const query = tenantFromQuery(input);
  if (!query.ok) return rejectWith(400, 'invalid tenant parameter');
  const invocationId = headerId(input, 'x-zendesk-webhook-invocation-id');

  if (typeof body.type === 'string' && body.type.startsWith(EVENT_PREFIX)) {
    const checked = validateEvent(body);
    if (!checked.ok) return rejectWith(422, checked.error);
    const event = checked.value;
    const tenant = query.tenant ?? (event.account_id !== undefined ? `account-${event.account_id}` : '');
    const deliveryId = invocationId ?? event.id;
    const time = parseEventTime(event.time) ?? input.receivedAt;
    const plan = (topic: string, items: PlannedItem[], note?: string): Extraction => ({
      ok: true,
      plan: { topic, tenant, deliveryId, items, ...(note ? { note } : {}) },
    });
    if (event.type === ZENDESK_TICKET_CREATED) {
      const ticket = validateTicketEvent(event);
      if (!ticket.ok) return rejectWith(422, ticket.error);
      const createdAt = parseEventTime(event.detail.created_at) ?? time;
      return plan(event.type, [
        {
          sourceId: `ticket-${idText(event.detail.id ?? '')}`,
          revision: compactTimestamp(parseEventTime(event.detail.updated_at) ?? createdAt),
          itemPointer: '/detail',
          eventTime: createdAt,
          feedback: true,
        },
      ]);
    }
    if (event.type === ZENDESK_COMMENT_ADDED) {
      const comment = validateCommentEvent(event);
      if (!comment.ok) return rejectWith(422, comment.error);
      const commentId = idText(event.event?.comment?.id ?? '');
      // A comment never changes once added: the event time is its only revision.
      return plan(event.type, [
        {
          sourceId: `ticket-${idText(event.detail.id ?? '')}-comment-${commentId}`,
          revision: compactTimestamp(time),
          itemPointer: '/event/comment',
          eventTime: time,
          feedback: true,
        },
      ]);
    }
    return plan(
      event.type,
      [
        {
          sourceId: `${event.type.slice(EVENT_PREFIX.length)}-${event.id}`,
          revision: compactTimestamp(time),
          itemPointer: '',
          eventTime: time,
          feedback: false,
        },
      ],
      landedOnlyNote(event.type),
    );
  }

  if (!('ticket' in body))
    return rejectWith(
      422,
      `/ must have property 'ticket' (trigger body) or a 'type' starting with ${EVENT_PREFIX}`,
    );
  const checked = validateTrigger(body);
  if (!checked.ok) return rejectWith(422, checked.error);
  const ticket = checked.value.ticket;
  const createdAt = parseEventTime(ticket.created_at);
  const updatedAt = parseEventTime(ticket.updated_at) ?? createdAt;
  return {
    ok: true,
    plan: {
      topic: ZENDESK_TRIGGER_TOPIC,
      tenant: query.tenant ?? subdomainOfTicketUrl(ticket.url) ?? '',
      deliveryId: invocationId ?? bodyDigest(input.rawBody),
      items: [
        {
          sourceId: `ticket-${idText(ticket.id)}`,
          revision: compactTimestamp(updatedAt ?? input.receivedAt),
          itemPointer: '/ticket',
          eventTime: createdAt ?? updatedAt ?? input.receivedAt,
          feedback: true,
        },
      ],
    },
  };
}
