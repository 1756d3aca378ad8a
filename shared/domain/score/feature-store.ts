/**
 * The feature store port: point reads and writes of small JSON documents by key, with ETags for
 * optimistic concurrency and a patch that sets one property. It is the portable subset of Cosmos
 * DB (container `features`, partition key /key, id = key): no queries, GROUP BY, change feed or TTL.
 *
 * The in-memory implementation lives here too (it is pure) so domain tests, stage tests and the
 * benchmark share it; `CountingFeatureStore` counts point operations (the RU proxy).
 */

export interface Versioned<T> {
  value: T;
  etag: string;
}

export type WriteResult = { ok: true; etag: string } | { ok: false; reason: 'conflict' };

export interface FeatureStore {
  read<T>(key: string): Promise<Versioned<T> | undefined>;
  /**
   * Creates the document when `etag` is undefined (conflict if it exists), otherwise replaces it
   * only if its ETag still matches (conflict if someone wrote in between). Other failures throw.
   */
  write<T>(key: string, value: T, etag: string | undefined): Promise<WriteResult>;
  /**
   * Sets `value` at top-level property `property`, then the nested `field` inside it, creating
   * the document (`{ [property]: {} }`) if it is missing. A set, so replays are idempotent.
   */
  setField(key: string, property: string, field: string, value: unknown): Promise<void>;
}

/** In-memory feature store with real ETag semantics; `injectConflicts` makes writes fail at a rate. */
export class MemoryFeatureStore implements FeatureStore {
  /**
   * Documents as JSON text, as a database would hold them (and cheaper to copy than objects);
   * documents only ever patched stay parsed until read.
   */
  readonly docs = new Map<
    string,
    { json?: string; parsed?: Record<string, Record<string, unknown>>; etag: string }
  >();

  private textOf(key: string): string | undefined {
    const doc = this.docs.get(key);
    if (!doc) return undefined;
    doc.json ??= JSON.stringify(doc.parsed);
    return doc.json;
  }
  private version = 0;
  /** Optional conflict injection for tests: returns true to fail this write with a conflict. */
  injectConflict: ((key: string) => boolean) | undefined;
  /** Yield to the event loop inside each operation, so concurrent handlers interleave. */
  constructor(private readonly options: { yieldBetweenOperations?: boolean } = {}) {}

  private async pause(): Promise<void> {
    if (this.options.yieldBetweenOperations) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  async read<T>(key: string): Promise<Versioned<T> | undefined> {
    await this.pause();
    const text = this.textOf(key);
    return text === undefined ? undefined : { value: JSON.parse(text) as T, etag: this.docs.get(key)!.etag };
  }

  async write<T>(key: string, value: T, etag: string | undefined): Promise<WriteResult> {
    await this.pause();
    const existing = this.docs.get(key);
    if (this.injectConflict?.(key)) return { ok: false, reason: 'conflict' };
    if (etag === undefined ? existing !== undefined : existing?.etag !== etag)
      return { ok: false, reason: 'conflict' };
    const next = `"${++this.version}"`;
    this.docs.set(key, { json: JSON.stringify(value), etag: next });
    return { ok: true, etag: next };
  }

  async setField(key: string, property: string, field: string, value: unknown): Promise<void> {
    await this.pause();
    const existing = this.docs.get(key);
    const doc =
      existing?.parsed ??
      (existing?.json !== undefined
        ? (JSON.parse(existing.json) as Record<string, Record<string, unknown>>)
        : { [property]: {} });
    (doc[property] ??= {})[field] = JSON.parse(JSON.stringify(value)) as unknown;
    this.docs.set(key, { parsed: doc, etag: `"${++this.version}"` });
  }

  /** Plain snapshot of every document (for replay comparisons). */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of [...this.docs.keys()].sort()) out[key] = JSON.parse(this.textOf(key)!) as unknown;
    return out;
  }
}

/** Wraps a store and counts point operations by kind (the request-unit proxy). */
export class CountingFeatureStore implements FeatureStore {
  readonly counts = { read: 0, write: 0, setField: 0, conflicts: 0 };
  constructor(private readonly inner: FeatureStore) {}
  get total(): number {
    return this.counts.read + this.counts.write + this.counts.setField;
  }
  read<T>(key: string): Promise<Versioned<T> | undefined> {
    this.counts.read += 1;
    return this.inner.read<T>(key);
  }
  async write<T>(key: string, value: T, etag: string | undefined): Promise<WriteResult> {
    this.counts.write += 1;
    const result = await this.inner.write(key, value, etag);
    if (!result.ok) this.counts.conflicts += 1;
    return result;
  }
  setField(key: string, property: string, field: string, value: unknown): Promise<void> {
    this.counts.setField += 1;
    return this.inner.setField(key, property, field, value);
  }
}
