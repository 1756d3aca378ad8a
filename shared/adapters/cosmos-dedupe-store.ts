/**
 * The dedupe store on Cosmos DB (container `dedupe`, partition key /key, id = key). Point reads
 * and writes only, one small document per lookup key:
 *
 *   exact:<hash>     the first item with this text hash in this product scope
 *   band:<hash>      items sharing one LSH band in this scope (bounded list, newest kept)
 *   customer:<hash>  one customer's items about this product scope (bounded list)
 *   item:<id>        an item's MinHash signature, read only for band candidates
 *
 * Keys hash the scope and value, so ids never contain characters Cosmos forbids. Lists are
 * updated with ETag preconditions and retried on a conflict; writing the same item twice changes
 * nothing. Every document carries `ttl` (twice the window): it expires when the container has
 * TTL enabled (`defaultTtl: -1`), and lookups ignore old entries by event time anyway.
 */
import type { Container } from '@azure/cosmos';
import { createHash } from 'node:crypto';
import {
  addMember,
  withinWindow,
  type DedupeItem,
  type DedupeMember,
  type DedupeRecord,
  type DedupeStore,
} from '../domain/normalize/duplicates.js';

interface MemberListDocument {
  id: string;
  key: string;
  kind: 'band' | 'customer';
  members: DedupeMember[];
  ttl: number;
  _etag?: string;
}

interface ExactDocument extends DedupeMember {
  id: string;
  key: string;
  kind: 'exact';
  ttl: number;
  _etag?: string;
}

interface ItemDocument extends DedupeItem {
  id: string;
  key: string;
  kind: 'item';
  ttl: number;
}

/** Each round of a contended list lets at least one writer through; more writers need more rounds. */
const MAX_ATTEMPTS = 12;

/** Jittered pause before retrying a conflicted write, so contending writers spread out. */
function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * (attempt + 1)));
}
const DAY_SECONDS = 86_400;

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number') return code;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function keyOf(kind: string, scope: string, value: string): string {
  return `${kind}:${createHash('sha256').update(`${scope}\u0000${value}`).digest('hex').slice(0, 40)}`;
}

const itemKey = (feedbackId: string): string => `item:${feedbackId}`;

function member(value: DedupeMember): DedupeMember {
  return { feedbackId: value.feedbackId, eventTime: value.eventTime };
}

export class CosmosDedupeStore implements DedupeStore {
  constructor(private readonly container: Container) {}

  private async read<T>(key: string): Promise<(T & { _etag?: string }) | undefined> {
    const response = await this.container.item(key, key).read<T & { _etag?: string }>();
    if (response.statusCode === 404 || !response.resource) return undefined;
    return response.resource;
  }

  async findExact(scope: string, textHash: string): Promise<DedupeMember | undefined> {
    const doc = await this.read<ExactDocument>(keyOf('exact', scope, textHash));
    return doc ? member(doc) : undefined;
  }

  async findBandMembers(scope: string, bands: string[]): Promise<DedupeMember[]> {
    const docs = await Promise.all(
      bands.map((band) => this.read<MemberListDocument>(keyOf('band', scope, band))),
    );
    return docs.flatMap((doc) => doc?.members.map(member) ?? []);
  }

  async findCustomerItems(scope: string, customerToken: string): Promise<DedupeMember[]> {
    const doc = await this.read<MemberListDocument>(keyOf('customer', scope, customerToken));
    return doc?.members.map(member) ?? [];
  }

  async getItems(feedbackIds: string[]): Promise<DedupeItem[]> {
    const docs = await Promise.all(feedbackIds.map((id) => this.read<ItemDocument>(itemKey(id))));
    return docs.flatMap((doc) => (doc ? [{ ...member(doc), signature: doc.signature }] : []));
  }

  async record(entry: DedupeRecord): Promise<void> {
    const ttl = Math.max(1, Math.ceil(entry.windowDays * 2 * DAY_SECONDS));
    const self = member(entry);
    const item: ItemDocument = {
      id: itemKey(entry.feedbackId),
      key: itemKey(entry.feedbackId),
      kind: 'item',
      ...self,
      signature: entry.signature,
      ttl,
    };
    await Promise.all([
      this.container.items.upsert(item),
      this.recordExact(keyOf('exact', entry.scope, entry.textHash), self, entry.windowDays, ttl),
      ...entry.bands.map((band) => this.addToList(keyOf('band', entry.scope, band), 'band', self, ttl)),
      ...(entry.customerToken
        ? [this.addToList(keyOf('customer', entry.scope, entry.customerToken), 'customer', self, ttl)]
        : []),
    ]);
  }

  /** The first item keeps the exact key until it falls out of the window. */
  private async recordExact(key: string, self: DedupeMember, windowDays: number, ttl: number): Promise<void> {
    const doc: ExactDocument = { id: key, key, kind: 'exact', ...self, ttl };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const existing = await this.read<ExactDocument>(key);
      try {
        if (!existing) {
          await this.container.items.create(doc);
        } else if (
          existing.feedbackId !== self.feedbackId &&
          !withinWindow(existing.eventTime, self.eventTime, windowDays)
        ) {
          await this.container
            .item(key, key)
            .replace(doc, { accessCondition: { type: 'IfMatch', condition: existing._etag ?? '' } });
        }
        return;
      } catch (error) {
        const status = statusOf(error);
        if (status !== 409 && status !== 412) throw error;
      }
    }
  }

  private async addToList(
    key: string,
    kind: MemberListDocument['kind'],
    self: DedupeMember,
    ttl: number,
  ): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const existing = await this.read<MemberListDocument>(key);
      try {
        if (!existing) {
          await this.container.items.create<MemberListDocument>({ id: key, key, kind, members: [self], ttl });
          return;
        }
        const members = addMember(existing.members, self);
        if (members === existing.members) return;
        const doc: MemberListDocument = { id: key, key, kind, members, ttl };
        await this.container
          .item(key, key)
          .replace(doc, { accessCondition: { type: 'IfMatch', condition: existing._etag ?? '' } });
        return;
      } catch (error) {
        const status = statusOf(error);
        if (status !== 409 && status !== 412) throw error;
        await backoff(attempt);
      }
    }
    throw new Error(`dedupe list ${key} kept changing; giving up after ${MAX_ATTEMPTS} attempts`);
  }
}
