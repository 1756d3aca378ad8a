/**
 * Shopify deliveries: returns topics (one item per return line item: reason and customer note),
 * orders/cancelled (cancel reason and note), and review bodies posted by a Shopify Flow
 * "Send HTTP request" action (topic `flow/review`, shape documented in docs/sources.md). Any
 * other topic is landed once for the record and produces no feedback.
 */
import { makeValidator } from '../validation.js';
import { compactTimestamp, parseEventTime } from './raw-path.js';
import {
  bodyDigest,
  headerId,
  idText,
  isValidTenant,
  landedOnlyNote,
  rejectWith,
  type DeliveryInput,
  type Extraction,
  type PlannedItem,
} from './delivery.js';

const id = { type: ['integer', 'string'], minLength: 1, maxLength: 128 } as const;
const optionalText = { type: ['string', 'null'], maxLength: 100000 } as const;
const optionalDate = { type: ['string', 'null'], maxLength: 64 } as const;

interface ReturnLineItem {
  id: number | string;
  admin_graphql_api_id?: string;
}
interface ShopifyReturn {
  id?: number | string;
  admin_graphql_api_id?: string;
  updated_at?: string | null;
  created_at?: string | null;
  requested_at?: string | null;
  return_line_items?: ReturnLineItem[] | Record<string, unknown>;
}

// Return ids are optional: returns/update identifies the return by its gid only, and
// returns/process may arrive with an empty body.
const validateReturn = makeValidator<ShopifyReturn>({
  type: 'object',
  properties: {
    id,
    admin_graphql_api_id: { type: 'string', maxLength: 200 },
    updated_at: optionalDate,
    created_at: optionalDate,
    requested_at: optionalDate,
    // returns/update sends a diff object here; the other returns topics an array of line items.
    return_line_items: {
      type: ['array', 'object'],
      items: {
        type: 'object',
        required: ['id'],
        properties: {
          id,
          admin_graphql_api_id: { type: 'string', maxLength: 200 },
          return_reason: { type: ['string', 'null'], maxLength: 200 },
          return_reason_note: optionalText,
          customer_note: optionalText,
        },
      },
    },
  },
});

interface ShopifyCancelledOrder {
  id: number | string;
  admin_graphql_api_id?: string;
  cancelled_at: string;
  updated_at?: string | null;
}

const validateCancelledOrder = makeValidator<ShopifyCancelledOrder>({
  type: 'object',
  required: ['id', 'cancelled_at'],
  properties: {
    id,
    admin_graphql_api_id: { type: 'string', maxLength: 200 },
    cancelled_at: { type: 'string', format: 'date-time' },
    cancel_reason: { type: ['string', 'null'], maxLength: 200 },
    note: optionalText,
    updated_at: optionalDate,
  },
});

export interface FlowReview {
  review: {
    id: string | number;
    rating?: number | null;
    title?: string | null;
    body: string;
    productId?: string | null;
    sku?: string | null;
    variantId?: string | null;
    customerId?: string | null;
    orderId?: string | null;
    locale?: string | null;
    createdAt: string;
    updatedAt?: string | null;
  };
}

const optionalShort = { type: ['string', 'null'], maxLength: 256 } as const;

/** The review shape a Shopify Flow "Send HTTP request" action posts (docs/sources.md). */
export const flowReviewSchema = {
  type: 'object',
  required: ['review'],
  properties: {
    review: {
      type: 'object',
      required: ['id', 'body', 'createdAt'],
      additionalProperties: false,
      properties: {
        id,
        rating: { type: ['integer', 'null'], minimum: 1, maximum: 5 },
        title: { type: ['string', 'null'], maxLength: 1000 },
        body: { type: 'string', minLength: 1, maxLength: 100000 },
        productId: optionalShort,
        sku: optionalShort,
        variantId: optionalShort,
        customerId: optionalShort,
        orderId: optionalShort,
        locale: { type: ['string', 'null'], maxLength: 35 },
        createdAt: { type: 'string', format: 'date-time' },
        updatedAt: { type: ['string', 'null'], format: 'date-time' },
      },
    },
  },
} as const;

const validateFlowReview = makeValidator<FlowReview>(flowReviewSchema);

export const FLOW_REVIEW_TOPIC = 'flow/review';

/** `RETURNS_REQUEST` (GraphQL enum style) and `returns/request` name the same topic. */
export function normalizeShopifyTopic(raw: string): string {
  const topic = raw.trim().toLowerCase();
  if (topic.includes('/')) return topic;
  const cut = topic.lastIndexOf('_');
  return cut > 0 ? `${topic.slice(0, cut)}/${topic.slice(cut + 1)}` : topic;
}

/** Shopify's numeric ids can exceed 2^53; the GraphQL gid keeps them exact. */
function shopifyId(value: number | string, gid: string | undefined): string {
  const exact = gid ? /^gid:\/\/shopify\/[A-Za-z]+\/(\d{1,30})$/.exec(gid)?.[1] : undefined;
  return exact ?? idText(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function extractShopify(input: DeliveryInput): Extraction {
  const rawTopic = input.header('x-shopify-topic');
  if (!rawTopic || rawTopic.length > 100) return rejectWith(400, 'missing X-Shopify-Topic header');
  const topic = normalizeShopifyTopic(rawTopic);
  const shop = input.header('x-shopify-shop-domain')?.trim().toLowerCase() ?? '';
  if (shop !== '' && !isValidTenant(shop)) return rejectWith(400, 'invalid X-Shopify-Shop-Domain header');
  const deliveryId = headerId(input, 'x-shopify-webhook-id') ?? bodyDigest(input.rawBody);
  // Stable across Shopify's retries of one event, unlike our receive time.
  const triggeredAt = parseEventTime(input.header('x-shopify-triggered-at'));
  const body = input.body;
  if (!isRecord(body)) return rejectWith(422, '/ must be object');
  const plan = (items: PlannedItem[], note?: string): Extraction => ({
    ok: true,
    plan: { topic, tenant: shop, deliveryId, items, ...(note ? { note } : {}) },
  });
  const fallbackTime = triggeredAt ?? input.receivedAt;

  if (topic === FLOW_REVIEW_TOPIC) {
    const checked = validateFlowReview(body);
    if (!checked.ok) return rejectWith(422, checked.error);
    const review = checked.value.review;
    const createdAt = parseEventTime(review.createdAt);
    const updatedAt = parseEventTime(review.updatedAt) ?? createdAt;
    return plan([
      {
        sourceId: `review-${idText(review.id)}`,
        revision: compactTimestamp(updatedAt ?? fallbackTime),
        itemPointer: '/review',
        eventTime: createdAt ?? fallbackTime,
        feedback: true,
      },
    ]);
  }

  if (topic.startsWith('returns/')) {
    const checked = validateReturn(body);
    if (!checked.ok) return rejectWith(422, checked.error);
    const ret = checked.value;
    const revision = compactTimestamp(parseEventTime(ret.updated_at) ?? fallbackTime);
    const eventTime = parseEventTime(ret.requested_at) ?? parseEventTime(ret.created_at) ?? fallbackTime;
    const lines = Array.isArray(ret.return_line_items) ? ret.return_line_items : [];
    if (lines.length > 0) {
      return plan(
        lines.map((line, index) => ({
          sourceId: `return-line-item-${shopifyId(line.id, line.admin_graphql_api_id)}`,
          revision,
          itemPointer: `/return_line_items/${index}`,
          eventTime,
          feedback: true,
        })),
      );
    }
    const returnId =
      ret.id !== undefined || ret.admin_graphql_api_id
        ? `return-${shopifyId(ret.id ?? '', ret.admin_graphql_api_id)}`
        : deliveryId;
    return plan(
      [
        {
          sourceId: `${topic.replace('/', '.')}-${returnId}`,
          revision,
          itemPointer: '',
          eventTime,
          feedback: false,
        },
      ],
      `topic ${topic} carries no return line items; landed only`,
    );
  }

  if (topic === 'orders/cancelled') {
    const checked = validateCancelledOrder(body);
    if (!checked.ok) return rejectWith(422, checked.error);
    const order = checked.value;
    const cancelledAt = parseEventTime(order.cancelled_at);
    return plan([
      {
        sourceId: `order-${shopifyId(order.id, order.admin_graphql_api_id)}-cancellation`,
        revision: compactTimestamp(parseEventTime(order.updated_at) ?? cancelledAt ?? fallbackTime),
        itemPointer: '',
        eventTime: cancelledAt ?? fallbackTime,
        feedback: true,
      },
    ]);
  }

  const updatedAt = parseEventTime(body.updated_at);
  return plan(
    [
      {
        sourceId: `${topic.replace(/\//g, '.')}-${deliveryId}`,
        revision: compactTimestamp(updatedAt ?? fallbackTime),
        itemPointer: '',
        eventTime: updatedAt ?? fallbackTime,
        feedback: false,
      },
    ],
    landedOnlyNote(topic),
  );
}
