/**
 * In-memory implementations of the stage ports, for stage tests, benchmarks and the offline CLI.
 * They honour the same contracts as the Azure adapters (idempotency, revision ordering).
 */
import type {
  EventPublisher,
  FeedbackDocument,
  FeedbackStore,
  Logger,
  OutgoingEvent,
  Quarantine,
  QuarantineEntry,
} from '../stages/ports.js';

export class MemoryPublisher implements EventPublisher {
  readonly sent = new Map<string, OutgoingEvent[]>();
  publish(hubName: string, events: OutgoingEvent[]): Promise<void> {
    const list = this.sent.get(hubName) ?? [];
    list.push(...events.map((event) => ({ ...event, body: structuredClone(event.body) })));
    this.sent.set(hubName, list);
    return Promise.resolve();
  }
  bodies(hubName: string): unknown[] {
    return (this.sent.get(hubName) ?? []).map((event) => event.body);
  }
}

export class MemoryQuarantine implements Quarantine {
  readonly entries = new Map<string, QuarantineEntry>();
  put(entry: QuarantineEntry): Promise<void> {
    this.entries.set(entry.id, structuredClone(entry));
    return Promise.resolve();
  }
}

export class MemoryFeedbackStore implements FeedbackStore {
  readonly docs = new Map<string, FeedbackDocument>();
  get(feedbackId: string): Promise<FeedbackDocument | undefined> {
    const doc = this.docs.get(feedbackId);
    return Promise.resolve(doc ? structuredClone(doc) : undefined);
  }
  putNormalized(
    feedbackId: string,
    revision: string,
    header: Record<string, unknown>,
    normalized: unknown,
  ): Promise<'written' | 'unchanged' | 'stale'> {
    const existing = this.docs.get(feedbackId);
    if (existing && existing.revision > revision) return Promise.resolve('stale');
    if (existing && existing.revision === revision) return Promise.resolve('unchanged');
    this.docs.set(feedbackId, structuredClone({ id: feedbackId, revision, header, normalized }));
    return Promise.resolve('written');
  }
  putBlock(
    feedbackId: string,
    revision: string,
    block: 'classification' | 'score' | 'route',
    value: unknown,
  ): Promise<'written' | 'stale'> {
    const existing = this.docs.get(feedbackId);
    if (!existing || existing.revision !== revision) return Promise.resolve('stale');
    existing[block] = structuredClone(value);
    return Promise.resolve('written');
  }
}

/** Collects log lines; tests can assert on them. */
export class MemoryLogger implements Logger {
  readonly lines: { level: string; message: string; properties?: Record<string, unknown> }[] = [];
  info(message: string, properties?: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, properties });
  }
  warn(message: string, properties?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, properties });
  }
  error(message: string, properties?: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, properties });
  }
}
