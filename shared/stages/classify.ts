/**
 * The classify stage: Event Hubs batch from `feedback-normalized` → classification block →
 * stored on the feedback record → published to `feedback-classified` (partition key = product
 * key), with uncertain items queued for review. A bad item is quarantined and the batch goes
 * on; a failing store, queue or publisher throws so the host's retry policy runs (writes are
 * idempotent per feedback id and revision, so a retried batch changes nothing).
 */
import { createHash } from 'node:crypto';
import type { InvocationContext } from '@azure/functions';
import { hubs } from '../topology.js';
import {
  validateClassifiedEvent,
  validateNormalizedEvent,
  type ClassifiedEvent,
  type NormalizedEvent,
} from '../domain/events.js';
import type { ClassifyInput } from '../domain/classify/labels.js';
import type { FeedbackClassifier } from '../domain/classify/classifier.js';
import type { ReviewQueueStore } from '../domain/review.js';
import type { Clock, EventPublisher, FeedbackStore, Logger, OutgoingEvent, Quarantine } from './ports.js';

export type { FeedbackClassifier } from '../domain/classify/classifier.js';
export { buildClassifier } from '../domain/classify/classifier.js';

export interface ClassifyDeps {
  publisher: EventPublisher;
  feedbackStore: FeedbackStore;
  quarantine: Quarantine;
  reviewQueue: ReviewQueueStore;
  /** Rules + model + optional LLM, built once per process. */
  classifier: FeedbackClassifier;
  /** Below this overall confidence an item goes to the review queue. */
  confidenceThreshold: number;
  clock: Clock;
  logger: Logger;
}

export function classifyInputOf(event: NormalizedEvent): ClassifyInput {
  const normalized = event.normalized;
  return {
    text: normalized.text,
    title: normalized.title,
    language: normalized.language.code,
    rating: normalized.rating,
    npsScore: normalized.npsScore,
    isSpam: normalized.spam.isSpam,
    components: normalized.entities.components,
  };
}

function hashOf(message: unknown): string {
  const text = typeof message === 'string' ? message : (JSON.stringify(message) ?? String(message));
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

function feedbackIdIn(message: unknown): string | undefined {
  if (message && typeof message === 'object' && 'feedbackId' in message) {
    const id = message.feedbackId;
    if (typeof id === 'string' && /^[0-9a-f]{32}$/.test(id)) return id;
  }
  return undefined;
}

export function makeClassify(
  deps: ClassifyDeps,
): (messages: unknown[], context: InvocationContext) => Promise<void> {
  const { classifier, clock, logger } = deps;

  async function quarantine(message: unknown, reason: string, error?: string): Promise<void> {
    const feedbackId = feedbackIdIn(message);
    await deps.quarantine.put({
      id: `classify:${feedbackId ?? hashOf(message)}`,
      stage: 'classify',
      reason,
      error,
      feedbackId,
      payload: message,
      quarantinedAt: clock().toISOString(),
    });
    logger.warn('classify: item quarantined', { feedbackId, reason, error });
  }

  return async (messages: unknown[], context: InvocationContext): Promise<void> => {
    const outgoing: OutgoingEvent[] = [];
    let escalated = 0;
    let llmTokens = 0;
    let queued = 0;
    for (const raw of Array.isArray(messages) ? messages : [messages]) {
      let message: unknown = raw;
      if (typeof raw === 'string') {
        try {
          message = JSON.parse(raw);
        } catch (error) {
          await quarantine(raw, 'body is not JSON', (error as Error).message);
          continue;
        }
      }
      const parsed = validateNormalizedEvent(message);
      if (!parsed.ok) {
        await quarantine(message, 'invalid normalized event', parsed.error);
        continue;
      }
      const event = parsed.value;
      const outcome = await classifier.classify(classifyInputOf(event));
      const needsReview = outcome.classification.confidence < deps.confidenceThreshold;
      const classified: ClassifiedEvent = {
        ...event,
        lineage: { ...event.lineage, classifiedAt: clock().toISOString() },
        classification: { ...outcome.classification, needsReview },
      };
      const checked = validateClassifiedEvent(classified);
      if (!checked.ok) {
        await quarantine(message, 'classified event failed validation', checked.error);
        continue;
      }
      if (outcome.llm?.attempted) escalated++;
      llmTokens += outcome.llm?.usage.totalTokens ?? 0;

      const stored = await deps.feedbackStore.putBlock(
        event.feedbackId,
        event.revision,
        'classification',
        classified.classification,
      );
      if (stored === 'stale') {
        const current = await deps.feedbackStore.get(event.feedbackId);
        if (current && current.revision > event.revision) {
          logger.info('classify: superseded revision skipped', {
            feedbackId: event.feedbackId,
            revision: event.revision,
          });
          continue;
        }
        // The record is missing or older: still publish, downstream keys on id + revision.
        logger.warn('classify: feedback record not at this revision', {
          feedbackId: event.feedbackId,
          revision: event.revision,
        });
      }
      if (needsReview) {
        await deps.reviewQueue.enqueue({
          id: event.feedbackId,
          feedbackId: event.feedbackId,
          revision: event.revision,
          text: event.normalized.text,
          language: event.normalized.language.code,
          candidates: outcome.candidates,
          reasons: classified.classification.provenance.reasons,
          createdAt: clock().toISOString(),
        });
        queued++;
      }
      outgoing.push({
        body: checked.value,
        partitionKey: event.productKey,
        properties: { feedbackId: event.feedbackId, schemaVersion: event.schemaVersion },
      });
      logger.info('classify: item classified', {
        feedbackId: event.feedbackId,
        method: classified.classification.provenance.method,
        category: classified.classification.primaryCategory,
        severity: classified.classification.severity,
        modelVersion: classifier.modelVersion,
        promptVersion: classified.classification.provenance.promptVersion,
        needsReview,
      });
    }
    if (outgoing.length > 0) await deps.publisher.publish(hubs.classified.name, outgoing);
    logger.info('classify: batch done', {
      invocationId: context.invocationId,
      received: Array.isArray(messages) ? messages.length : 1,
      published: outgoing.length,
      queuedForReview: queued,
      escalated,
      llmTokens,
    });
  };
}
