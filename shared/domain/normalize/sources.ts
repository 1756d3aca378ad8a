/**
 * Source mappers: the item a raw envelope points at → the canonical feedback record (before any
 * text processing). Shapes follow what ingest lands (shared/domain/ingest/**): Shopify return
 * line items, cancelled orders and Flow reviews, Judge.me reviews, Zendesk ticket events, comment
 * events and trigger bodies, and the generic item. Topics that carry no feedback are skipped.
 */
import type { Channel, RawEnvelope } from '../record.js';
import { makeValidator } from '../validation.js';
import type { TextFormat } from './text-cleanup.js';

export interface CanonicalFeedback {
  channel: Channel;
  text: string;
  format: TextFormat;
  title?: string;
  rating?: number;
  npsScore?: number;
  product: { sku?: string; productId?: string; variant?: string; name?: string };
  orderRef?: string;
  customer: { id?: string; tier?: string };
  /** Names from the payload, redacted wherever they appear in the text; never emitted. */
  personNames: string[];
  locale?: string;
  region?: string;
  /** ISO 8601: the feedback's own creation time. */
  eventTime: string;
}

export type MappingResult =
  | { kind: 'feedback'; feedback: CanonicalFeedback }
  | { kind: 'skip'; reason: string }
  | { kind: 'reject'; reason: string; error?: string };

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
function record(value: unknown): Json {
  return isRecord(value) ? value : {};
}
/** Shopify's numeric ids can exceed 2^53; the GraphQL gid keeps them exact. */
function shopifyId(value: unknown, gid: unknown): string | undefined {
  const exact =
    typeof gid === 'string' ? /^gid:\/\/shopify\/[A-Za-z]+\/(\d{1,30})$/.exec(gid)?.[1] : undefined;
  return exact ?? text(value);
}
function isoTime(...candidates: unknown[]): string | undefined {
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    const date = new Date(candidate);
    if (!Number.isNaN(date.getTime()) && candidate.length >= 10) return date.toISOString();
  }
  return undefined;
}
function regionOf(locale: string | undefined): string | undefined {
  return locale ? /^[a-z]{2,3}[-_]([A-Za-z]{2})\b/i.exec(locale)?.[1]?.toUpperCase() : undefined;
}
function names(...values: unknown[]): string[] {
  return values.map(text).filter((value): value is string => value !== undefined && value.length >= 2);
}
function rating(value: unknown): number | undefined {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && number >= 1 && number <= 5 ? number : undefined;
}
/** The fields that are not undefined, in the same order (a plain loop: mapping runs per item). */
function compact<T extends object>(value: T): T {
  const kept: Partial<T> = {};
  // Object literals here: for-in sees their own fields only.
  for (const key in value) if (value[key] !== undefined) kept[key] = value[key];
  return kept as T;
}

const objectWith = (required: string[]) =>
  makeValidator<Json>({
    type: 'object',
    required,
    properties: Object.fromEntries(required.map((key) => [key, {}])),
  });

// ---------- Shopify ----------

/** Shopify's return reasons (GraphQL ReturnReason), as words a classifier understands. */
const returnReasons: Record<string, string> = {
  color: 'Colour not as expected',
  defective: 'Defective or damaged',
  not_as_described: 'Not as described',
  size_too_large: 'Size too large',
  size_too_small: 'Size too small',
  style: 'Did not like the style',
  unwanted: 'No longer wanted',
  wrong_item: 'Wrong item received',
  other: 'Other',
  unknown: '',
};

function reasonLabel(code: unknown): string | undefined {
  const key = text(code)?.toLowerCase();
  if (!key) return undefined;
  return key in returnReasons ? returnReasons[key] || undefined : key.replace(/_/g, ' ');
}

function lineItemProduct(lineItem: Json): CanonicalFeedback['product'] {
  return compact({
    sku: text(lineItem.sku),
    productId: shopifyId(lineItem.product_id, undefined),
    variant: text(lineItem.variant_title) ?? shopifyId(lineItem.variant_id, undefined),
    name: text(lineItem.title) ?? text(lineItem.name),
  });
}

const validateReturnLine = objectWith(['id']);

function mapShopifyReturnLine(item: unknown, document: Json, envelope: RawEnvelope): MappingResult {
  const checked = validateReturnLine(item);
  if (!checked.ok) return { kind: 'reject', reason: 'return line item has no id', error: checked.error };
  const line = checked.value;
  const note = text(line.customer_note) ?? text(line.return_reason_note);
  const reason = reasonLabel(line.return_reason);
  if (!note && !reason) return { kind: 'skip', reason: 'return line item without reason or note' };
  const lineItem = record(record(line.fulfillment_line_item).line_item ?? line.line_item);
  const order = record(document.order);
  const customer = record(document.customer ?? order.customer);
  return {
    kind: 'feedback',
    feedback: {
      channel: 'return',
      text: note ?? reason ?? '',
      format: 'plain',
      ...(note && reason ? { title: reason } : {}),
      product: lineItemProduct(lineItem),
      ...compact({ orderRef: shopifyId(order.id ?? document.order_id, order.admin_graphql_api_id) }),
      customer: compact({ id: shopifyId(customer.id, customer.admin_graphql_api_id) }),
      personNames: names(customer.first_name, customer.last_name),
      eventTime:
        isoTime(document.requested_at, document.created_at, document.updated_at) ?? envelope.receivedAt,
    },
  };
}

function mapShopifyCancellation(order: Json, envelope: RawEnvelope): MappingResult {
  const note = text(order.note);
  if (!note) return { kind: 'skip', reason: 'cancellation without a customer note' };
  const lineItems = Array.isArray(order.line_items) ? order.line_items.filter(isRecord) : [];
  const customer = record(order.customer);
  const shipping = record(order.shipping_address);
  const locale = text(order.customer_locale);
  const reason = reasonLabel(order.cancel_reason);
  const tags = `${text(customer.tags) ?? ''}`.toLowerCase();
  return {
    kind: 'feedback',
    feedback: {
      channel: 'return',
      text: note,
      format: 'plain',
      ...(reason ? { title: `Order cancelled: ${reason}` } : {}),
      // One event per cancellation: it is about the order's first product.
      product: lineItems[0] ? lineItemProduct(lineItems[0]) : {},
      ...compact({ orderRef: text(order.name) ?? shopifyId(order.id, order.admin_graphql_api_id) }),
      customer: compact({
        id: shopifyId(customer.id, customer.admin_graphql_api_id),
        tier: /\bvip\b/.test(tags) ? 'vip' : undefined,
      }),
      personNames: names(
        customer.first_name,
        customer.last_name,
        shipping.first_name,
        shipping.last_name,
        record(order.billing_address).name,
      ),
      ...compact({ locale, region: text(shipping.country_code) ?? regionOf(locale) }),
      eventTime: isoTime(order.cancelled_at, order.updated_at, order.created_at) ?? envelope.receivedAt,
    },
  };
}

const validateFlowReview = objectWith(['body', 'createdAt']);

function mapShopifyFlowReview(item: unknown): MappingResult {
  const checked = validateFlowReview(item);
  if (!checked.ok)
    return { kind: 'reject', reason: 'Flow review without body or createdAt', error: checked.error };
  const review = checked.value;
  const body = text(review.body);
  if (!body) return { kind: 'skip', reason: 'review without text' };
  const locale = text(review.locale);
  return {
    kind: 'feedback',
    feedback: {
      channel: 'review',
      text: body,
      format: 'plain',
      ...compact({ title: text(review.title), rating: rating(review.rating) }),
      product: compact({
        sku: text(review.sku),
        productId: shopifyId(review.productId, review.productId),
        variant: shopifyId(review.variantId, review.variantId),
      }),
      ...compact({ orderRef: shopifyId(review.orderId, review.orderId) }),
      customer: compact({ id: shopifyId(review.customerId, review.customerId) }),
      personNames: names(review.author, review.customerName),
      ...compact({ locale, region: regionOf(locale) }),
      eventTime: isoTime(review.createdAt) ?? '',
    },
  };
}

function mapShopify(envelope: RawEnvelope, document: unknown, item: unknown): MappingResult {
  const topic = envelope.topic.toLowerCase();
  if (topic === 'flow/review' || topic === 'reviews/flow') return mapShopifyFlowReview(item);
  if (topic.startsWith('returns/')) {
    if (envelope.itemPointer === '') return { kind: 'skip', reason: `${topic} without return line items` };
    return mapShopifyReturnLine(item, record(document), envelope);
  }
  if (topic === 'orders/cancelled') {
    if (!isRecord(item)) return { kind: 'reject', reason: 'cancelled order is not an object' };
    return mapShopifyCancellation(item, envelope);
  }
  return { kind: 'skip', reason: `topic ${topic} carries no feedback` };
}

// ---------- Judge.me ----------

const validateJudgemeReview = objectWith(['rating', 'created_at']);

function mapJudgeme(envelope: RawEnvelope, document: unknown, item: unknown): MappingResult {
  if (envelope.topic !== 'review/created' && envelope.topic !== 'review/updated') {
    return { kind: 'skip', reason: `topic ${envelope.topic} carries no feedback` };
  }
  const checked = validateJudgemeReview(item);
  if (!checked.ok)
    return { kind: 'reject', reason: 'Judge.me review without rating or created_at', error: checked.error };
  const review = checked.value;
  const reviewer = record(review.reviewer);
  const body = text(review.body) ?? text(review.title);
  if (!body) return { kind: 'skip', reason: 'review without text' };
  return {
    kind: 'feedback',
    feedback: {
      channel: 'review',
      text: body,
      format: looksHtml(body) ? 'html' : 'plain',
      ...compact({
        title: text(review.body) ? text(review.title) : undefined,
        rating: rating(review.rating),
      }),
      product: compact({
        productId: text(review.product_external_id),
        name: text(review.product_title),
        sku: text(review.product_sku) ?? text(review.sku),
      }),
      customer: compact({ id: text(reviewer.external_id) ?? text(reviewer.id) ?? text(reviewer.email) }),
      personNames: names(reviewer.name),
      eventTime: isoTime(review.created_at) ?? envelope.receivedAt,
    },
  };
}

function looksHtml(value: string): boolean {
  return value.includes('<') && /<\/?(?:p|br|div|span|b|i|strong|em|ul|li|a)\b[^>]*>/i.test(value);
}

// ---------- Zendesk ----------

function ticketProductFrom(ticket: Json): CanonicalFeedback['product'] {
  // Optional custom fields an admin may map ({ id, value } pairs named sku / product_id).
  const fields = Array.isArray(ticket.custom_fields) ? ticket.custom_fields.filter(isRecord) : [];
  const field = (name: string): string | undefined =>
    text(fields.find((entry) => text(entry.name)?.toLowerCase() === name)?.value) ?? text(ticket[name]);
  return compact({ sku: field('sku'), productId: field('product_id') });
}

function mapZendesk(envelope: RawEnvelope, document: unknown, item: unknown): MappingResult {
  const topic = envelope.topic;
  const root = record(document);
  if (topic === 'zen:event-type:ticket.created') {
    const ticket = record(item);
    const body = text(ticket.description);
    if (!body) return { kind: 'skip', reason: 'ticket without description' };
    return {
      kind: 'feedback',
      feedback: {
        channel: 'ticket',
        text: body,
        format: looksHtml(body) ? 'html' : 'email',
        ...compact({ title: text(ticket.subject) }),
        product: ticketProductFrom(ticket),
        customer: compact({ id: text(ticket.requester_id) }),
        personNames: [],
        eventTime: isoTime(ticket.created_at, root.time) ?? envelope.receivedAt,
      },
    };
  }
  if (topic === 'zen:event-type:ticket.comment_added') {
    const comment = record(item);
    const author = record(comment.author);
    if (author.is_staff === true) return { kind: 'skip', reason: 'agent comment' };
    if (comment.is_public === false) return { kind: 'skip', reason: 'internal note' };
    const body = text(comment.body) ?? text(comment.html_body);
    if (!body) return { kind: 'skip', reason: 'comment without text' };
    const ticket = record(root.detail);
    return {
      kind: 'feedback',
      feedback: {
        channel: 'ticket',
        text: body,
        format: looksHtml(body) ? 'html' : 'email',
        ...compact({ title: text(ticket.subject) }),
        product: ticketProductFrom(ticket),
        customer: compact({ id: text(author.id) ?? text(ticket.requester_id) }),
        personNames: names(author.name),
        eventTime: isoTime(root.time, ticket.updated_at) ?? envelope.receivedAt,
      },
    };
  }
  if (topic === 'trigger/ticket' || topic === 'trigger') {
    const ticket = record(item);
    const requester = record(ticket.requester);
    const body = text(ticket.description) ?? text(ticket.latest_public_comment) ?? text(ticket.comment);
    if (!body) return { kind: 'skip', reason: 'ticket without description or comment' };
    const locale = text(requester.locale) ?? text(ticket.locale);
    return {
      kind: 'feedback',
      feedback: {
        channel: 'ticket',
        text: body,
        format: looksHtml(body) ? 'html' : 'email',
        ...compact({ title: text(ticket.subject) }),
        product: ticketProductFrom(ticket),
        customer: compact({ id: text(requester.id) ?? text(ticket.requester_id) ?? text(requester.email) }),
        personNames: names(requester.name, requester.first_name, requester.last_name),
        ...compact({ locale, region: regionOf(locale) }),
        eventTime: isoTime(ticket.created_at, ticket.updated_at) ?? envelope.receivedAt,
      },
    };
  }
  return { kind: 'skip', reason: `topic ${topic} carries no feedback` };
}

// ---------- generic ----------

const validateGenericItem = makeValidator<Json>({
  type: 'object',
  required: ['id', 'text', 'createdAt'],
  properties: {
    id: { type: 'string', minLength: 1 },
    channel: { enum: ['review', 'ticket', 'return', 'nps', 'appstore', 'chat'] },
    text: { type: 'string' },
    title: { type: 'string' },
    rating: { type: 'integer', minimum: 1, maximum: 5 },
    npsScore: { type: 'integer', minimum: 0, maximum: 10 },
    sku: { type: 'string' },
    productId: { type: 'string' },
    orderRef: { type: 'string' },
    customerId: { type: 'string' },
    locale: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    revision: { type: 'string' },
    attributes: { type: 'object', additionalProperties: { type: 'string' } },
  },
});

function mapGeneric(envelope: RawEnvelope, _document: unknown, item: unknown): MappingResult {
  const checked = validateGenericItem(item);
  if (!checked.ok) return { kind: 'reject', reason: 'not a generic feedback item', error: checked.error };
  const generic = checked.value;
  const attributes = record(generic.attributes);
  const locale = text(generic.locale);
  const channel = (text(generic.channel) ?? (generic.npsScore !== undefined ? 'nps' : 'review')) as Channel;
  return {
    kind: 'feedback',
    feedback: {
      channel,
      text: text(generic.text) ?? '',
      format: looksHtml(String(generic.text)) ? 'html' : channel === 'ticket' ? 'email' : 'plain',
      ...compact({
        title: text(generic.title),
        rating: rating(generic.rating),
        npsScore: typeof generic.npsScore === 'number' ? generic.npsScore : undefined,
        orderRef: text(generic.orderRef),
      }),
      product: compact({
        sku: text(generic.sku),
        productId: text(generic.productId),
        variant: text(attributes.variant),
        name: text(attributes.productName),
      }),
      customer: compact({
        id: text(generic.customerId),
        tier: text(attributes.tier) ?? text(attributes.customerTier),
      }),
      personNames: names(attributes.customerName, attributes.authorName),
      ...compact({ locale, region: text(attributes.region) ?? regionOf(locale) }),
      eventTime: isoTime(generic.createdAt) ?? envelope.receivedAt,
    },
  };
}

const mappers = {
  shopify: mapShopify,
  judgeme: mapJudgeme,
  zendesk: mapZendesk,
  generic: mapGeneric,
} as const;

export function mapToCanonical(envelope: RawEnvelope, document: unknown, item: unknown): MappingResult {
  const result = mappers[envelope.source](envelope, document, item);
  if (result.kind === 'feedback' && result.feedback.eventTime === '') {
    return { kind: 'reject', reason: 'item has no event time' };
  }
  return result;
}
