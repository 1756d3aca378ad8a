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
