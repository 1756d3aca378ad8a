/**
 * The generic webhook item: our own format for app-store reviews, NPS verbatims, chat
 * transcripts and custom sources. One object or an array of them. The same schema is published
 * as `schemas/generic-webhook.schema.json` (a test checks the two agree).
 */
import { channels, type Channel } from '../record.js';
import { makeValidator } from '../validation.js';

export interface GenericItem {
  id: string;
  channel?: Channel;
  text: string;
  title?: string;
  rating?: number;
  npsScore?: number;
  sku?: string;
  productId?: string;
  orderRef?: string;
  customerId?: string;
  locale?: string;
  createdAt: string;
  revision?: string;
  attributes?: Record<string, string>;
}

/** Each item's envelope carries the whole body, so the batch size bounds the write amplification. */
export const GENERIC_BATCH_MAX_ITEMS = 100;

const shortString = (maxLength: number, description: string) => ({
  type: 'string',
  minLength: 1,
  maxLength,
  description,
});

export const genericItemSchema = {
  type: 'object',
  required: ['id', 'text', 'createdAt'],
  additionalProperties: false,
  properties: {
    id: shortString(256, "The sender's id of this piece of feedback; stable across revisions."),
    channel: { enum: [...channels], description: 'Kind of feedback.' },
    text: { type: 'string', minLength: 1, maxLength: 100000, description: 'The customer’s words.' },
    title: { type: 'string', maxLength: 1000 },
    rating: { type: 'integer', minimum: 1, maximum: 5 },
    npsScore: { type: 'integer', minimum: 0, maximum: 10 },
    sku: shortString(256, 'Stock keeping unit of the product concerned.'),
    productId: shortString(256, 'Product id in the sender’s catalogue.'),
    orderRef: shortString(256, 'Order reference (tokenized downstream).'),
    customerId: shortString(256, 'Customer id (tokenized downstream).'),
    locale: {
      type: 'string',
      pattern: '^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$',
      maxLength: 35,
      description: 'BCP 47 language tag, e.g. en-GB.',
    },
    createdAt: { type: 'string', format: 'date-time', description: 'ISO 8601 event time with a time zone.' },
    revision: {
      type: 'string',
      pattern: '^[A-Za-z0-9._:+-]{1,64}$',
      description:
        'Orders revisions of one item: compared as strings, a greater revision supersedes. Must sort chronologically (e.g. a zero-padded counter or YYYYMMDDTHHmmssSSSZ). Defaults to createdAt in that compact form.',
    },
    attributes: {
      type: 'object',
      maxProperties: 50,
      propertyNames: { maxLength: 100 },
      additionalProperties: { type: 'string', maxLength: 2000 },
      description: 'Free-form string map, kept as sent.',
    },
  },
} as const;

/** The published document: an item, or a non-empty array of at most 100 items. */
export const genericWebhookSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://schemas.feedback-pipeline.example/generic-webhook.schema.json',
  title: 'Generic feedback webhook',
  description:
    'Body of POST /api/webhooks/generic: one item or an array of items. Signed with X-Feedback-Signature: sha256=<hex HMAC-SHA256 of "<X-Feedback-Timestamp>.<raw body>">, X-Feedback-Timestamp in Unix seconds.',
  $defs: { item: genericItemSchema },
  if: { type: 'array' },
  then: { type: 'array', minItems: 1, maxItems: GENERIC_BATCH_MAX_ITEMS, items: { $ref: '#/$defs/item' } },
  else: { $ref: '#/$defs/item' },
} as const;

/** Validators compiled from the same item schema; separate so errors name only the real path. */
export const validateGenericItem = makeValidator<GenericItem>(genericItemSchema);
export const validateGenericBatch = makeValidator<GenericItem[]>({
  type: 'array',
  minItems: 1,
  maxItems: GENERIC_BATCH_MAX_ITEMS,
  items: genericItemSchema,
});
