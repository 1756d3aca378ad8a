/**
 * The dedupe store on Cosmos DB: container `dedupe` (partition key /key, id = key), one document
 * per product scope holding its recent items (docs/decisions/0007-dedupe-index.md):
 *
 *   { id: 'recent:<sha>', key: same, kind: 'recent', next, entries: RecentEntry[], ttl }
 *
 * A new item costs one point read and one conditional write (create, or replace with If-Match on
 * the ETag read); a replay costs the read only. When two workers add to the same scope at once,
 * the loser's write fails with 409/412 and it starts over from a fresh read, so no entry is lost
 * and the later item sees the earlier one. `ttl` (twice the window, renewed by each write) lets a
 * quiet scope's document expire when the container has TTL enabled.
 */
import type { Container } from '@azure/cosmos';
import { createHash } from 'node:crypto';
import {
  checkAndRecordIn,
  emptyRecentItems,
  type DedupeItem,
  type DedupeOptions,
  type DedupeStore,
  type DuplicateVerdict,
  type RecentItems,
} from '../domain/normalize/duplicates.js';

interface RecentDocument extends RecentItems {
  id: string;
  key: string;
  kind: 'recent';
  ttl: number;
  _etag?: string;
}

/** Each round lets at least one contending writer through; more writers need more rounds. */
const MAX_ATTEMPTS = 12;
const DAY_SECONDS = 86_400;

/** Jittered pause before retrying a conflicted write, so contending writers spread out. */
function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * (attempt + 1)));
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number') return code;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The scope is hashed, so ids never contain characters Cosmos forbids. */
export function recentItemsKey(scope: string): string {
  return `recent:${createHash('sha256').update(scope).digest('hex').slice(0, 40)}`;
}

export class CosmosDedupeStore implements DedupeStore {
  constructor(private readonly container: Container) {}

  async checkAndRecord(item: DedupeItem, options: DedupeOptions): Promise<DuplicateVerdict> {
    const key = recentItemsKey(item.scope);
    const ttl = Math.max(1, Math.ceil(options.windowDays * 2 * DAY_SECONDS));
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const response = await this.container.item(key, key).read<RecentDocument>();
      const existing = response.statusCode === 404 ? undefined : response.resource;
      const { verdict, updated } = checkAndRecordIn(existing ?? emptyRecentItems(), item, options);
      if (!updated) return verdict;
      const doc: RecentDocument = {
        id: key,
        key,
        kind: 'recent',
        next: updated.next,
        entries: updated.entries,
        ttl,
      };
      try {
        if (existing) {
          await this.container
            .item(key, key)
            .replace(doc, { accessCondition: { type: 'IfMatch', condition: existing._etag ?? '' } });
        } else {
          await this.container.items.create(doc);
        }
        return verdict;
      } catch (error) {
        const status = statusOf(error);
        if (status !== 409 && status !== 412) throw error;
        await backoff(attempt);
      }
    }
    throw new Error(`dedupe index ${key} kept changing; giving up after ${MAX_ATTEMPTS} attempts`);
  }
}
