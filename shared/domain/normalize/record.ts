/**
 * From a raw envelope to a normalized event (without its duplicate links, which need the
 * dedupe store): parse, map the source, prepare the text, build header and block.
 */
import type { Catalog } from '../catalog.js';
import { indexCatalog } from '../catalog.js';
import type { NormalizedEvent } from '../events.js';
import { SCHEMA_VERSION, type RawEnvelope } from '../record.js';
import type { Taxonomy } from '../taxonomy.js';
import { readItem } from './envelope.js';
import { prepareFeedbackText } from './prepare.js';
import { mapToCanonical, type CanonicalFeedback } from './sources.js';
import { customerToken, orderToken } from './tokens.js';

export interface NormalizeOptions {
  tokenKey: string;
  taxonomy: Taxonomy;
  catalog: Catalog;
}

export interface NormalizedDraft {
  event: NormalizedEvent;
  /**
   * Dedupe scope: tenant + sku across sources (a review syndicated from one source to another is
   * the same product's copy), else source + tenant + product id (ids are per source), else '*'.
   */
  scope: string;
  signature: number[];
}

export type NormalizeOutcome =
  | { kind: 'event'; draft: NormalizedDraft }
  | { kind: 'skip'; reason: string }
  | { kind: 'reject'; reason: string; error?: string };

/** Fills the product from the catalog: by sku, by product id, else the one product the text names. */
function resolveProduct(
  product: CanonicalFeedback['product'],
  mentioned: string[],
  catalog: Catalog,
): CanonicalFeedback['product'] {
  const index = indexCatalog(catalog);
  const known =
    (product.sku ? index.bySku.get(product.sku.toLowerCase()) : undefined) ??
    (product.productId ? index.byProductId.get(product.productId) : undefined) ??
    (product.productId ? index.byProductId.get(`gid://shopify/Product/${product.productId}`) : undefined) ??
    (!product.sku && !product.productId && mentioned.length === 1
      ? index.bySku.get(mentioned[0]!.toLowerCase())
      : undefined);
  if (!known) return product;
  // Literals, not `{ ...product, sku, ... }`: a clone whose keys are then redefined costs V8 a
  // microsecond.
  const sku = product.sku ?? known.sku;
  const productId = product.productId ?? known.productId;
  const name = product.name ?? known.name;
  return product.variant === undefined
    ? { sku, productId, name }
    : { sku, productId, variant: product.variant, name };
}

/**
 * `date.toISOString()`, remembered for the last time: items of a batch are normalized within the
 * same millisecond, and formatting a date costs about half a microsecond.
 */
function isoStringOf(date: Date): string {
  const time = date.getTime();
  if (time !== lastIso.time) lastIso = { time, iso: date.toISOString() };
  return lastIso.iso;
}
let lastIso = { time: Number.NaN, iso: '' };

export function normalizeEnvelope(
  envelope: RawEnvelope,
  blobPath: string,
  normalizedAt: Date,
  options: NormalizeOptions,
): NormalizeOutcome {
  const read = readItem(envelope);
  if (!read.ok) return { kind: 'reject', reason: read.reason, ...(read.error ? { error: read.error } : {}) };
  const mapped = mapToCanonical(envelope, read.value.document, read.value.item);
  if (mapped.kind !== 'feedback') return mapped;
  const feedback = mapped.feedback;

  const prepared = prepareFeedbackText(
    {
      text: feedback.text,
      ...(feedback.title !== undefined ? { title: feedback.title } : {}),
      ...(feedback.locale !== undefined ? { languageHint: feedback.locale } : {}),
      format: feedback.format,
      knownPersonNames: feedback.personNames,
    },
    options,
  );
  const product = resolveProduct(feedback.product, prepared.entities.products, options.catalog);
  const scopeProduct = product.sku ?? product.productId;
  const productKey = scopeProduct ?? envelope.sourceId;
  const order = feedback.orderRef ? orderToken(feedback.orderRef, options.tokenKey) : undefined;
  const customer = feedback.customer.id
    ? customerToken(`${envelope.source}\u0000${envelope.tenant}`, feedback.customer.id, options.tokenKey)
    : undefined;

  const event: NormalizedEvent = {
    schemaVersion: SCHEMA_VERSION,
    feedbackId: envelope.feedbackId,
    revision: envelope.revision,
    source: envelope.source,
    sourceId: envelope.sourceId,
    tenant: envelope.tenant,
    channel: feedback.channel,
    eventTime: feedback.eventTime,
    productKey,
    lineage: { rawBlob: blobPath, receivedAt: envelope.receivedAt, normalizedAt: isoStringOf(normalizedAt) },
    normalized: {
      text: prepared.text,
      ...(prepared.title !== undefined ? { title: prepared.title } : {}),
      ...(feedback.rating !== undefined ? { rating: feedback.rating } : {}),
      ...(feedback.npsScore !== undefined ? { npsScore: feedback.npsScore } : {}),
      product,
      ...(order ? { orderToken: order } : {}),
      customer: {
        ...(customer ? { token: customer } : {}),
        ...(feedback.customer.tier ? { tier: feedback.customer.tier } : {}),
      },
      ...(feedback.locale ? { locale: feedback.locale } : {}),
      ...(feedback.region ? { region: feedback.region } : {}),
      language: prepared.language,
      piiTypes: prepared.piiTypes,
      spam: prepared.spam,
      duplicate: {},
      textHash: prepared.textHash,
      entities: {
        products: prepared.entities.products,
        components: prepared.entities.components,
        milestones: prepared.entities.milestones,
        carriers: prepared.entities.carriers,
        orderTokens: order
          ? [...new Set([order, ...prepared.entities.orderTokens])]
          : prepared.entities.orderTokens,
      },
    },
  };
  return {
    kind: 'event',
    draft: {
      event,
      scope: product.sku
        ? `${envelope.tenant}\u0000sku\u0000${product.sku}`
        : `${envelope.source}\u0000${envelope.tenant}\u0000${product.productId ?? '*'}`,
      signature: prepared.signature,
    },
  };
}
