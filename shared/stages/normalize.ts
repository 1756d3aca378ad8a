/**
 * The normalize stage (blob trigger on `raw`): one raw envelope in, one normalized event out on
 * `feedback-normalized`, partitioned by product key, and the record stored with its lineage.
 *
 * A bad blob (not an envelope, unparseable body, unknown shape, an event that fails its schema)
 * is quarantined and the invocation succeeds; a topic that carries no feedback is skipped with
 * telemetry; a failing store or publish throws so the host retries and finally poisons the blob.
 */
import type { InvocationContext } from '@azure/functions';
import { createHash } from 'node:crypto';
import type { Catalog } from '../domain/catalog.js';
import { validateNormalizedEvent, type NormalizedEvent } from '../domain/events.js';
import type { DedupeStore } from '../domain/normalize/duplicates.js';
import { parseEnvelope } from '../domain/normalize/envelope.js';
import { normalizeEnvelope } from '../domain/normalize/record.js';
import type { Taxonomy } from '../domain/taxonomy.js';
import { hubs } from '../topology.js';
import type { Clock, EventPublisher, FeedbackStore, Logger, Quarantine } from './ports.js';

export type { DedupeStore, DedupeItem, DedupeOptions } from '../domain/normalize/duplicates.js';
export { MemoryDedupeStore } from '../domain/normalize/duplicates.js';

export interface NormalizeDeps {
  publisher: EventPublisher;
  feedbackStore: FeedbackStore;
  dedupeStore: DedupeStore;
  quarantine: Quarantine;
  catalog: Catalog;
  taxonomy: Taxonomy;
  /** HMAC key for order, tracking and customer tokens (setting PII_TOKEN_KEY). */
  tokenKey: string;
  /** Estimated Jaccard similarity from which two texts are near duplicates (default 0.5). */
  nearDuplicateThreshold: number;
  /** How far apart in event time two items may be to count as duplicates (default 14). */
  dedupeWindowDays: number;
  clock: Clock;
  logger: Logger;
}

export const DEFAULT_NEAR_DUPLICATE_THRESHOLD = 0.5;
export const DEFAULT_DEDUPE_WINDOW_DAYS = 14;

function blobPathOf(context: InvocationContext): string {
  const path = context.triggerMetadata?.blobTrigger;
  return typeof path === 'string' ? path : '';
}

function quarantineId(blobPath: string, blob: Buffer): string {
  return createHash('sha256')
    .update('normalize\u0000')
    .update(blobPath)
    .update('\u0000')
    .update(blob)
    .digest('hex')
    .slice(0, 32);
}

export function makeNormalize(
  deps: NormalizeDeps,
): (blob: Buffer, context: InvocationContext) => Promise<void> {
  const { logger } = deps;

  async function quarantine(
    blob: Buffer,
    blobPath: string,
    reason: string,
    details: { error?: string; feedbackId?: string; envelope?: unknown },
  ): Promise<void> {
    await deps.quarantine.put({
      id: quarantineId(blobPath, blob),
      stage: 'normalize',
      reason,
      ...(details.error ? { error: details.error.slice(0, 2000) } : {}),
      ...(details.feedbackId ? { feedbackId: details.feedbackId } : {}),
      payload: details.envelope
        ? { blobPath, envelope: details.envelope }
        : { blobPath, base64: blob.toString('base64') },
      quarantinedAt: deps.clock().toISOString(),
    });
    logger.warn('normalize: quarantined', {
      stage: 'normalize',
      blobPath,
      reason,
      feedbackId: details.feedbackId,
    });
  }

  async function publish(event: NormalizedEvent): Promise<void> {
    await deps.publisher.publish(hubs.normalized.name, [
      {
        body: event,
        partitionKey: event.productKey,
        properties: {
          feedbackId: event.feedbackId,
          revision: event.revision,
          schemaVersion: event.schemaVersion,
        },
      },
    ]);
  }

  return async function normalize(blob: Buffer, context: InvocationContext): Promise<void> {
    const blobPath = blobPathOf(context);
    const parsed = parseEnvelope(blob);
    if (!parsed.ok) {
      await quarantine(blob, blobPath, parsed.reason, { ...(parsed.error ? { error: parsed.error } : {}) });
      return;
    }
    const envelope = parsed.value;
    const ids = {
      stage: 'normalize',
      feedbackId: envelope.feedbackId,
      revision: envelope.revision,
      source: envelope.source,
      topic: envelope.topic,
      blobPath,
    };

    const rawBlob =
      blobPath === '' ? `raw/${envelope.source}/${envelope.sourceId}@${envelope.revision}.json` : blobPath;
    const outcome = normalizeEnvelope(envelope, rawBlob, deps.clock(), deps);
    if (outcome.kind === 'skip') {
      logger.info('normalize: skipped, no feedback', { ...ids, reason: outcome.reason });
      return;
    }
    if (outcome.kind === 'reject') {
      await quarantine(blob, blobPath, outcome.reason, {
        ...(outcome.error ? { error: outcome.error } : {}),
        feedbackId: envelope.feedbackId,
        envelope,
      });
      return;
    }

    const { event, scope, signature } = outcome.draft;
    // Validated before the dedupe index records it, so no later copy links to a quarantined item;
    // the links added below are ids and a similarity, which the schema always accepts.
    const checked = validateNormalizedEvent(event);
    if (!checked.ok) {
      await quarantine(blob, blobPath, 'normalized event fails its schema', {
        error: checked.error,
        feedbackId: event.feedbackId,
        envelope,
      });
      return;
    }

    // Checked and recorded in one step (one read and one conditional write per new item); a
    // replay gets the same answer. Spam is neither checked nor recorded.
    const customerToken = event.normalized.customer.token;
    const duplicate =
      event.normalized.spam.isSpam || signature.length === 0
        ? {}
        : await deps.dedupeStore.checkAndRecord(
            {
              feedbackId: event.feedbackId,
              revision: event.revision,
              eventTime: event.eventTime,
              scope,
              textHash: event.normalized.textHash,
              signature,
              ...(customerToken ? { customerToken } : {}),
            },
            { threshold: deps.nearDuplicateThreshold, windowDays: deps.dedupeWindowDays },
          );
    const { reason: duplicateReason, ...links } = duplicate;
    event.normalized.duplicate = links;

    const { normalized, ...header } = event;
    const stored = await deps.feedbackStore.putNormalized(
      event.feedbackId,
      event.revision,
      header,
      normalized,
    );
    if (stored === 'stale') {
      logger.info('normalize: older revision ignored', ids);
      return;
    }
    let outgoing = event;
    if (stored === 'unchanged') {
      // A redelivery: publish what was stored the first time, so downstream sees the same event
      // (same duplicate links) and counts nothing twice.
      const existing = await deps.feedbackStore.get(event.feedbackId);
      const again = existing
        ? validateNormalizedEvent({ ...existing.header, normalized: existing.normalized })
        : undefined;
      if (again?.ok) outgoing = again.value;
    }
    await publish(outgoing);
    logger.info('normalize: published', {
      ...ids,
      outcome: stored,
      channel: event.channel,
      productKey: event.productKey,
      language: event.normalized.language.code,
      piiTypes: event.normalized.piiTypes.join(','),
      spam: event.normalized.spam.isSpam,
      duplicate: duplicateReason ?? 'none',
      duplicateOf: links.nearDuplicateOf,
    });
  };
}
