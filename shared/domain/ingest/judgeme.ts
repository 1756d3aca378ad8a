/**
 * Judge.me review webhooks (`review/created`, `review/updated`): one item per delivery, the
 * review, whose own updated_at orders its revisions.
 */
import { makeValidator } from '../validation.js';
import { compactTimestamp, parseEventTime } from './raw-path.js';
import {
  bodyDigest,
  idText,
  isValidTenant,
  landedOnlyNote,
  rejectWith,
  tenantFromQuery,
  type DeliveryInput,
  type Extraction,
} from './delivery.js';

export const judgemeReviewTopics = ['review/created', 'review/updated'] as const;

interface JudgemeDelivery {
  event?: string;
  shop_domain?: string;
  review?: {
    id: number | string;
    created_at: string;
    updated_at?: string | null;
  };
}

const validateJudgeme = makeValidator<JudgemeDelivery>({
  type: 'object',
  properties: {
    event: { type: 'string', maxLength: 100 },
    shop_domain: { type: 'string', maxLength: 100 },
    review: {
      type: 'object',
      required: ['id', 'rating', 'created_at'],
      properties: {
        id: { type: ['integer', 'string'], minLength: 1, maxLength: 128 },
        rating: { type: 'number', minimum: 1, maximum: 5 },
        title: { type: ['string', 'null'], maxLength: 1000 },
        body: { type: ['string', 'null'], maxLength: 100000 },
        product_external_id: { type: ['integer', 'string', 'null'], maxLength: 128 },
        reviewer: { type: ['object', 'null'] },
        created_at: { type: 'string', format: 'date-time' },
        updated_at: { type: ['string', 'null'], maxLength: 64 },
      },
    },
  },
});

export function extractJudgeme(input: DeliveryInput): Extraction {
  if (typeof input.body !== 'object' || input.body === null || Array.isArray(input.body))
    return rejectWith(422, '/ must be object');
  const checked = validateJudgeme(input.body);
  if (!checked.ok) return rejectWith(422, checked.error);
  const delivery = checked.value;
  const isReviewEvent = (judgemeReviewTopics as readonly string[]).includes(delivery.event ?? '');
  if (isReviewEvent && !delivery.review) return rejectWith(422, "/ must have property 'review'");
  const query = tenantFromQuery(input);
  if (!query.ok) return rejectWith(400, 'invalid tenant parameter');
  const shop = delivery.shop_domain?.toLowerCase();
  const tenant = shop && isValidTenant(shop) ? shop : (query.tenant ?? '');
  const deliveryId = bodyDigest(input.rawBody);
  const topic = delivery.event ?? (delivery.review ? 'review/created' : 'unknown');
  const review = delivery.review;
  if (!review || !(judgemeReviewTopics as readonly string[]).includes(topic)) {
    return {
      ok: true,
      plan: {
        topic,
        tenant,
        deliveryId,
        items: [
          {
            sourceId: `${topic.replace(/[^A-Za-z0-9]+/g, '.')}-${deliveryId}`,
            revision: compactTimestamp(input.receivedAt),
            itemPointer: '',
            feedback: false,
          },
        ],
        note: landedOnlyNote(topic),
      },
    };
  }
  const createdAt = parseEventTime(review.created_at);
  const updatedAt = parseEventTime(review.updated_at) ?? createdAt;
  return {
    ok: true,
    plan: {
      topic,
      tenant,
      deliveryId,
      items: [
        {
          sourceId: `review-${idText(review.id)}`,
          revision: compactTimestamp(updatedAt ?? input.receivedAt),
          itemPointer: '/review',
          eventTime: createdAt ?? input.receivedAt,
          feedback: true,
        },
      ],
    },
  };
}
