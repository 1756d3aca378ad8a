/**
 * The feedback record as it moves through the pipeline. Each stage adds its own block and never
 * rewrites another's, so the final record is its own audit trail:
 *
 *   RawEnvelope (blob) → NormalizedEvent → ClassifiedEvent → ScoredEvent
 *
 * JSON Schemas for each block live next to the stage's domain code and are composed in
 * `shared/domain/schemas.ts`; every event carries `schemaVersion`.
 */
import { createHash } from 'node:crypto';

export const SCHEMA_VERSION = 1 as const;

export const sources = ['shopify', 'judgeme', 'zendesk', 'generic'] as const;
export type Source = (typeof sources)[number];

export const channels = ['review', 'ticket', 'return', 'nps', 'appstore', 'chat'] as const;
export type Channel = (typeof channels)[number];

/** The immutable raw blob: what arrived, byte for byte, plus how to find this item in it. */
export interface RawEnvelope {
  schemaVersion: typeof SCHEMA_VERSION;
  feedbackId: string;
  source: Source;
  sourceId: string;
  /** The webhook id, or the record's own updated_at/revision; orders revisions of one item. */
  revision: string;
  /** ISO 8601, when our endpoint accepted the delivery. */
  receivedAt: string;
  /** Shop domain, Zendesk subdomain, or the generic sender's tenant; '' when unknown. */
  tenant: string;
  /** Webhook topic or event type ('returns/request', 'review/created', 'generic', 'export'...). */
  topic: string;
  /** Id of the delivery (webhook id or a hash of the body) shared by all items of one request. */
  deliveryId: string;
  /** JSON Pointer (RFC 6901) of this item inside the body; '' when the body is the item. */
  itemPointer: string;
  contentType: string;
  /** The original request body, base64 encoded, exactly as received. */
  body: string;
}

/** The stable id of one piece of feedback: a hash of where it came from. */
export function feedbackIdOf(source: Source, tenant: string, sourceId: string): string {
  return createHash('sha256').update(`${source}\u0000${tenant}\u0000${sourceId}`).digest('hex').slice(0, 32);
}

/** Lineage back to the raw blob and through each stage. */
export interface Lineage {
  rawBlob: string;
  receivedAt: string;
  normalizedAt?: string;
  classifiedAt?: string;
  scoredAt?: string;
  routedAt?: string;
}

/** Fields every inter-stage event carries at the top level. */
export interface EventHeader {
  schemaVersion: typeof SCHEMA_VERSION;
  feedbackId: string;
  revision: string;
  source: Source;
  sourceId: string;
  tenant: string;
  channel: Channel;
  /** ISO 8601 event time: the feedback's own creation time. All windows use it. */
  eventTime: string;
  /** Partition key on every hub: sku, else product id, else source id. */
  productKey: string;
  lineage: Lineage;
}
