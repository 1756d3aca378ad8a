/**
 * Exact and near duplicates against recent items of the same product scope. Each scope keeps one
 * small index of its recent items (Cosmos document `recent:<scope hash>` in the `dedupe`
 * container, a Map in tests); a new item is checked against it and added to it in one step, so a
 * new item costs one read and one conditional write (docs/decisions/0007-dedupe-index.md).
 *
 * - exact: the same textHash;
 * - near: estimated Jaccard similarity of the bottom-k sketches at or above the threshold;
 * - repeat: the same customer (one person's repeated complaint).
 *
 * Only items within the window (event time, either direction) that were recorded before this one
 * count; the earliest match wins, so copies link to the first item and scoring counts it once.
 * Re-processing an item (a replay, the same revision again) gives the same answer and changes
 * nothing: it is compared only with the items recorded before it, never with itself or later ones.
 */
import { estimatedJaccard } from './similarity.js';

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
  /**
   * Bottom-k sketch, the high 16 bits of each value, base64 (see packSketch). Absent from entries
   * written before decision 0009 (they have `s`, a MinHash signature): those are compared by text
   * hash and customer only, and age out of the index within two windows.
   */
  k?: string;
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

/**
 * A sketch's values cut to their high 16 bits, which keeps them in order. A shingle of one text
 * shares its high bits with a different one of the other about once in sixteen pairs of full
 * sketches (64 × 64 / 65,536): that moves the estimate by one value of the union, about 0.02.
 */
export function truncatedSketch(sketch: readonly number[]): Uint16Array {
  const keys = new Uint16Array(sketch.length);
  for (let i = 0; i < sketch.length; i++) keys[i] = sketch[i]! >>> 16;
  return keys;
}

/** The truncated sketch, little-endian, base64: 172 characters for 64 values. */
export function packSketch(sketch: readonly number[]): string {
  const bytes = Buffer.alloc(sketch.length * 2);
  for (let i = 0; i < sketch.length; i++) bytes.writeUInt16LE(sketch[i]! >>> 16, i * 2);
  return bytes.toString('base64');
}

function unpackSketch(packed: string): Uint16Array {
  const bytes = Buffer.from(packed, 'base64');
  const keys = new Uint16Array(bytes.length >> 1);
  for (let i = 0; i < keys.length; i++) keys[i] = bytes.readUInt16LE(i * 2);
  return keys;
}

/** Estimated Jaccard similarity between a truncated sketch and a packed one (0 without one). */
export function packedSimilarity(keys: Uint16Array, packed: string | undefined): number {
  if (keys.length === 0 || packed === undefined) return 0;
  return estimatedJaccard(keys, unpackSketch(packed));
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

  const keys = truncatedSketch(item.signature);
  const scored = candidates.map((entry) => ({ ...entry, similarity: packedSimilarity(keys, entry.k) }));
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
    k: packSketch(item.signature),
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
