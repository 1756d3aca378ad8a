/**
 * Exact and near duplicates against recent items, through a DedupeStore (Cosmos container
 * `dedupe` in Azure, a Map in tests). Decides which earlier item a new one repeats:
 *
 * - exact: the same textHash within the same product scope;
 * - near: an item sharing an LSH band whose estimated Jaccard similarity reaches the threshold;
 * - repeat: the same customer about the same product (one person's repeated complaint).
 *
 * Only items within the window (event time, either direction) count. The earliest match wins, so
 * copies link to the first item and scoring counts the complaint once.
 */
import { estimatedJaccard } from './similarity.js';

export interface DedupeMember {
  feedbackId: string;
  eventTime: string;
}

export interface DedupeItem extends DedupeMember {
  signature: number[];
}

export interface DedupeRecord extends DedupeMember {
  /** Product scope: tenant + sku, else product id, else '*' (items without a product). */
  scope: string;
  textHash: string;
  signature: number[];
  bands: string[];
  customerToken?: string;
  /** The dedupe window: an exact-hash entry older than this is replaced; entries expire after twice it. */
  windowDays: number;
}

/**
 * Recent items by exact hash, LSH band and customer, per product scope. Writes are idempotent
 * (recording the same item twice changes nothing); lookups are point reads.
 */
export interface DedupeStore {
  findExact(scope: string, textHash: string): Promise<DedupeMember | undefined>;
  findBandMembers(scope: string, bands: string[]): Promise<DedupeMember[]>;
  findCustomerItems(scope: string, customerToken: string): Promise<DedupeMember[]>;
  getItems(feedbackIds: string[]): Promise<DedupeItem[]>;
  record(entry: DedupeRecord): Promise<void>;
}

/** Members kept per band and per customer: enough for a window of one product's items. */
export const MAX_MEMBERS = 50;
/** Candidates compared per item: the signature reads are the cost. */
export const MAX_CANDIDATES = 20;

export interface DuplicateQuery {
  feedbackId: string;
  eventTime: string;
  scope: string;
  textHash: string;
  signature: number[];
  bands: string[];
  customerToken?: string;
}

export interface DuplicateVerdict {
  exactOf?: string;
  nearDuplicateOf?: string;
  similarity?: number;
  /** Why it was linked: 'exact', 'near' or 'same_customer'. */
  reason?: 'exact' | 'near' | 'same_customer';
}

const DAY_MS = 86_400_000;

export function withinWindow(a: string, b: string, windowDays: number): boolean {
  return Math.abs(Date.parse(a) - Date.parse(b)) <= windowDays * DAY_MS;
}

function earliest<T extends DedupeMember>(members: T[]): T | undefined {
  return [...members].sort(
    (a, b) => a.eventTime.localeCompare(b.eventTime) || a.feedbackId.localeCompare(b.feedbackId),
  )[0];
}

/** Adds a member to a bounded list: idempotent, newest kept. */
export function addMember(members: DedupeMember[], member: DedupeMember): DedupeMember[] {
  if (members.some((existing) => existing.feedbackId === member.feedbackId)) return members;
  return [...members, member].sort((a, b) => b.eventTime.localeCompare(a.eventTime)).slice(0, MAX_MEMBERS);
}

export async function findDuplicate(
  store: DedupeStore,
  query: DuplicateQuery,
  options: { threshold: number; windowDays: number },
): Promise<DuplicateVerdict> {
  if (query.signature.length === 0) return {};
  const recent = (member: DedupeMember): boolean =>
    member.feedbackId !== query.feedbackId &&
    withinWindow(member.eventTime, query.eventTime, options.windowDays);

  const [exact, banded, customerItems] = await Promise.all([
    store.findExact(query.scope, query.textHash),
    store.findBandMembers(query.scope, query.bands),
    query.customerToken ? store.findCustomerItems(query.scope, query.customerToken) : Promise.resolve([]),
  ]);
  if (exact && recent(exact)) {
    return { exactOf: exact.feedbackId, nearDuplicateOf: exact.feedbackId, similarity: 1, reason: 'exact' };
  }

  const candidates = new Map<string, DedupeMember>();
  for (const member of [...banded, ...customerItems])
    if (recent(member)) candidates.set(member.feedbackId, member);
  if (candidates.size === 0) return {};
  const nearest = [...candidates.values()]
    .sort(
      (a, b) =>
        Math.abs(Date.parse(a.eventTime) - Date.parse(query.eventTime)) -
        Math.abs(Date.parse(b.eventTime) - Date.parse(query.eventTime)),
    )
    .slice(0, MAX_CANDIDATES);
  const items = await store.getItems(nearest.map((member) => member.feedbackId));
  const scored = items.map((item) => ({
    ...item,
    similarity: estimatedJaccard(query.signature, item.signature),
  }));

  const near = earliest(scored.filter((item) => item.similarity >= options.threshold));
  if (near) return { nearDuplicateOf: near.feedbackId, similarity: round(near.similarity), reason: 'near' };

  const sameCustomer = new Set(customerItems.filter(recent).map((member) => member.feedbackId));
  const repeat = earliest(scored.filter((item) => sameCustomer.has(item.feedbackId)));
  if (repeat)
    return {
      nearDuplicateOf: repeat.feedbackId,
      similarity: round(repeat.similarity),
      reason: 'same_customer',
    };
  return {};
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** In-memory DedupeStore with the same semantics as the Cosmos adapter (tests, bench, CLI). */
export class MemoryDedupeStore implements DedupeStore {
  readonly exact = new Map<string, DedupeMember>();
  readonly bands = new Map<string, DedupeMember[]>();
  readonly customers = new Map<string, DedupeMember[]>();
  readonly items = new Map<string, DedupeItem>();

  findExact(scope: string, textHash: string): Promise<DedupeMember | undefined> {
    return Promise.resolve(this.exact.get(`${scope}|${textHash}`));
  }
  findBandMembers(scope: string, bands: string[]): Promise<DedupeMember[]> {
    return Promise.resolve(bands.flatMap((band) => this.bands.get(`${scope}|${band}`) ?? []));
  }
  findCustomerItems(scope: string, customerToken: string): Promise<DedupeMember[]> {
    return Promise.resolve(this.customers.get(`${scope}|${customerToken}`) ?? []);
  }
  getItems(feedbackIds: string[]): Promise<DedupeItem[]> {
    return Promise.resolve(feedbackIds.flatMap((id) => this.items.get(id) ?? []));
  }
  record(entry: DedupeRecord): Promise<void> {
    const member = { feedbackId: entry.feedbackId, eventTime: entry.eventTime };
    const exactKey = `${entry.scope}|${entry.textHash}`;
    const first = this.exact.get(exactKey);
    if (!first || !withinWindow(first.eventTime, entry.eventTime, entry.windowDays))
      this.exact.set(exactKey, member);
    for (const band of entry.bands) {
      const key = `${entry.scope}|${band}`;
      this.bands.set(key, addMember(this.bands.get(key) ?? [], member));
    }
    if (entry.customerToken) {
      const key = `${entry.scope}|${entry.customerToken}`;
      this.customers.set(key, addMember(this.customers.get(key) ?? [], member));
    }
    this.items.set(entry.feedbackId, { ...member, signature: [...entry.signature] });
    return Promise.resolve();
  }
}
