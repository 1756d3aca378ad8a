/**
 * Exact and near duplicates against recent items of the same product scope. Each scope keeps one
 * small index of its recent items (Cosmos document `recent:<scope hash>` in the `dedupe`
 * container, a Map in tests); a new item is checked against it and added to it in one step, so a
 * new item costs one read and one conditional write (docs/decisions/0007-dedupe-index.md).
 *
 * - exact: the same textHash;
 * - near: estimated Jaccard similarity of the MinHash signatures at or above the threshold;
 * - repeat: the same customer (one person's repeated complaint).
 *
 * Only items within the window (event time, either direction) that were recorded before this one
 * count; the earliest match wins, so copies link to the first item and scoring counts it once.
 * Re-processing an item (a replay, the same revision again) gives the same answer and changes
 * nothing: it is compared only with the items recorded before it, never with itself or later ones.
 */

/** One recent item, with short keys: the whole index is read and written per new item. */
export interface RecentEntry {
  /** Feedback id. */
  f: string;
  /** Revision recorded (a newer one replaces the fingerprint, an older one changes nothing). */
  r: string;
  /** Event time, epoch milliseconds. */
  t: number;
  /** Order of recording in this scope. */
  n: number;
  /** Text hash, first 16 hex digits (64 bits: no collision among a product's recent items). */
  h: string;
  /** Customer token, when known. */
  c?: string;
  /** MinHash signature, the low 16 bits of each value, base64 (see packSignature). */
  s: string;
}

export interface RecentItems {
  /** Sequence number of the next entry. */
  next: number;
  entries: RecentEntry[];
}

export interface DedupeItem {
  feedbackId: string;
  revision: string;
  eventTime: string;
  /** Product scope: tenant + sku, else source + tenant + product id, else source + tenant + '*'. */
  scope: string;
  textHash: string;
  signature: number[];
  customerToken?: string;
}

export interface DedupeOptions {
  /** Estimated Jaccard similarity from which two texts are near duplicates. */
  threshold: number;
  /** How far apart in event time two items may be to count as duplicates. */
  windowDays: number;
}

export interface DuplicateVerdict {
  exactOf?: string;
  nearDuplicateOf?: string;
  similarity?: number;
  /** Why it was linked: 'exact', 'near' or 'same_customer'. */
  reason?: 'exact' | 'near' | 'same_customer';
}

/**
 * Checks an item against its scope's recent items and records it there, atomically per scope
 * (adapters retry on a concurrent change). Idempotent per feedback id and revision.
 */
export interface DedupeStore {
  checkAndRecord(item: DedupeItem, options: DedupeOptions): Promise<DuplicateVerdict>;
}

/** Recent items kept per scope: about 300 bytes each, so an index stays under 40 KB. */
export const MAX_RECENT = 128;
/** Entries older than this many windows before the newest one are dropped. */
const KEEP_WINDOWS = 2;
const DAY_MS = 86_400_000;
const EXACT_HASH_LENGTH = 16;

/** The low 16 bits of each signature value, little-endian, base64: 172 characters for 64 values. */
export function packSignature(signature: readonly number[]): string {
  const bytes = Buffer.alloc(signature.length * 2);
  for (const [index, value] of signature.entries()) bytes.writeUInt16LE(value & 0xffff, index * 2);
  return bytes.toString('base64');
}

/**
 * Share of equal positions between a full signature and a packed one. Random 16-bit collisions
 * (1 in 65,536 per position) move the estimate by less than its rounding.
 */
export function packedSimilarity(signature: readonly number[], packed: string): number {
  const bytes = Buffer.from(packed, 'base64');
  if (signature.length === 0 || bytes.length !== signature.length * 2) return 0;
  let equal = 0;
  for (let i = 0; i < signature.length; i++)
    if ((signature[i]! & 0xffff) === bytes.readUInt16LE(i * 2)) equal++;
  return equal / signature.length;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function earliest<T extends RecentEntry>(entries: T[]): T | undefined {
  let first: T | undefined;
  for (const entry of entries)
    if (!first || entry.t < first.t || (entry.t === first.t && entry.n < first.n)) first = entry;
  return first;
}

/** The verdict for an item against the entries recorded before it. */
export function findDuplicateIn(
  recent: RecentItems,
  item: DedupeItem,
  options: DedupeOptions,
): DuplicateVerdict {
  if (item.signature.length === 0) return {};
  const eventTime = Date.parse(item.eventTime);
  const self = recent.entries.find((entry) => entry.f === item.feedbackId);
  const candidates = recent.entries.filter(
    (entry) =>
      entry.f !== item.feedbackId &&
      (!self || entry.n < self.n) &&
      Math.abs(entry.t - eventTime) <= options.windowDays * DAY_MS,
  );
  const hash = item.textHash.slice(0, EXACT_HASH_LENGTH);
  const exact = earliest(candidates.filter((entry) => entry.h === hash));
  if (exact) return { exactOf: exact.f, nearDuplicateOf: exact.f, similarity: 1, reason: 'exact' };

  const scored = candidates.map((entry) => ({
    ...entry,
    similarity: packedSimilarity(item.signature, entry.s),
  }));
  const near = earliest(scored.filter((entry) => entry.similarity >= options.threshold));
  if (near) return { nearDuplicateOf: near.f, similarity: round(near.similarity), reason: 'near' };

  const repeat = item.customerToken
    ? earliest(scored.filter((entry) => entry.c === item.customerToken))
    : undefined;
  if (repeat)
    return { nearDuplicateOf: repeat.f, similarity: round(repeat.similarity), reason: 'same_customer' };
  return {};
}

/**
 * The index with the item recorded, or undefined when nothing changes (the same or an older
 * revision of an item already there). Bounded by age and count: entries more than two windows
 * older than the newest go, then the oldest beyond MAX_RECENT.
 */
export function withItem(
  recent: RecentItems,
  item: DedupeItem,
  options: DedupeOptions,
): RecentItems | undefined {
  const existing = recent.entries.find((entry) => entry.f === item.feedbackId);
  if (existing && existing.r >= item.revision) return undefined;
  const entry: RecentEntry = {
    f: item.feedbackId,
    r: item.revision,
    t: Date.parse(item.eventTime),
    n: existing?.n ?? recent.next,
    h: item.textHash.slice(0, EXACT_HASH_LENGTH),
    ...(item.customerToken ? { c: item.customerToken } : {}),
    s: packSignature(item.signature),
  };
  const entries = [...recent.entries.filter((other) => other.f !== item.feedbackId), entry];
  const newest = Math.max(...entries.map((other) => other.t));
  const horizon = newest - KEEP_WINDOWS * options.windowDays * DAY_MS;
  const kept = entries
    .filter((other) => other.t >= horizon)
    .sort((a, b) => b.t - a.t || b.n - a.n)
    .slice(0, MAX_RECENT)
    .sort((a, b) => a.n - b.n);
  return { next: existing ? recent.next : recent.next + 1, entries: kept };
}

/** Check and record in one step: the verdict, and the index to write back (undefined: no write). */
export function checkAndRecordIn(
  recent: RecentItems,
  item: DedupeItem,
  options: DedupeOptions,
): { verdict: DuplicateVerdict; updated: RecentItems | undefined } {
  return { verdict: findDuplicateIn(recent, item, options), updated: withItem(recent, item, options) };
}

export const emptyRecentItems = (): RecentItems => ({ next: 0, entries: [] });

/** In-memory DedupeStore with the same semantics as the Cosmos adapter (tests, bench, demo). */
export class MemoryDedupeStore implements DedupeStore {
  readonly scopes = new Map<string, RecentItems>();

  checkAndRecord(item: DedupeItem, options: DedupeOptions): Promise<DuplicateVerdict> {
    const { verdict, updated } = checkAndRecordIn(
      this.scopes.get(item.scope) ?? emptyRecentItems(),
      item,
      options,
    );
    if (updated) this.scopes.set(item.scope, updated);
    return Promise.resolve(verdict);
  }
}
