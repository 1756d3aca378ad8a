/**
 * The ports every stage talks through. Stage handlers are made from these (makeX(deps));
 * production passes the SDK adapters in shared/adapters, tests pass in-memory fakes.
 */
import type { StageName } from '../topology.js';

/** A structured logger with ids; never pass customer text beyond what is redacted. */
export interface Logger {
  info(message: string, properties?: Record<string, unknown>): void;
  warn(message: string, properties?: Record<string, unknown>): void;
  error(message: string, properties?: Record<string, unknown>): void;
}

export interface OutgoingEvent {
  body: unknown;
  /** The product key: one product's events land on one partition, in order. */
  partitionKey: string;
  properties?: Record<string, string | number | boolean>;
}

/** Publishes events to a hub, in batches, with partition keys (the SDK producer in Azure). */
export interface EventPublisher {
  publish(hubName: string, events: OutgoingEvent[]): Promise<void>;
}

/** Something that could not be processed: kept with its reason, replayable later. */
export interface QuarantineEntry {
  /** Deterministic, so quarantining the same thing twice is one entry. */
  id: string;
  stage: StageName;
  reason: string;
  error?: string;
  feedbackId?: string;
  /** The input as received (an event body, a blob path and its bytes, an outgoing payload). */
  payload: unknown;
  quarantinedAt: string;
}

export interface Quarantine {
  put(entry: QuarantineEntry): Promise<void>;
}

/** The wall clock, injectable; domain windows use event time, never this. */
export type Clock = () => Date;

/** The stages' blocks on the stored feedback record (the `feedback` container, id = feedbackId). */
export type FeedbackBlockName = 'normalized' | 'classification' | 'score' | 'route';

export interface FeedbackDocument {
  id: string;
  revision: string;
  header: Record<string, unknown>;
  normalized?: unknown;
  classification?: unknown;
  score?: unknown;
  route?: unknown;
}

/**
 * The enriched record with its lineage, one document per feedback id. Writes are idempotent per
 * feedback id and revision: a newer revision supersedes, an older one is ignored.
 */
export interface FeedbackStore {
  get(feedbackId: string): Promise<FeedbackDocument | undefined>;
  /**
   * Stores the header and the normalized block of a revision. Returns 'stale' (and writes nothing)
   * when a newer revision is already stored, 'unchanged' when this revision is already stored.
   */
  putNormalized(
    feedbackId: string,
    revision: string,
    header: Record<string, unknown>,
    normalized: unknown,
  ): Promise<'written' | 'unchanged' | 'stale'>;
  /** Adds a later stage's block to the stored revision; 'stale' when the stored revision differs. */
  putBlock(
    feedbackId: string,
    revision: string,
    block: Exclude<FeedbackBlockName, 'normalized'>,
    value: unknown,
  ): Promise<'written' | 'stale'>;
}
