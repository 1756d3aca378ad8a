/**
 * The score stage: Event Hubs batch from `feedback-classified` → feature state in the feature
 * store → a decision per item → `feedback-scored` (partition key = product key) and the `score`
 * block on the stored record.
 *
 * A batch is grouped by product: each product's feature document is read once, all its items are
 * scored in order, and it is written back once under its ETag (re-read and recomputed on a
 * conflict). Invalid items are quarantined and the batch goes on; store and hub failures are
 * rethrown so the trigger's retry policy runs, and the replay is idempotent (markers per
 * feedback id and revision in the feature state, stored blocks reused for redeliveries).
 */
import type { InvocationContext } from '@azure/functions';
import { createHash } from 'node:crypto';
import { hubs } from '../topology.js';
import { scoreBlockSchema } from '../domain/blocks/score.js';
import { makeValidator } from '../domain/validation.js';
import {
  validateClassifiedEvent,
  type ClassifiedEvent,
  type ScoreBlock,
  type ScoredEvent,
} from '../domain/events.js';
import {
  dayOfHour,
  featureKeys,
  fromStoredFeatures,
  hourOf,
  mergeHistory,
  ownHistoryDays,
  scoreProductBatch,
  supplierRecurrence,
  toStoredFeatures,
  type CategoryBaseline,
  type SupplierRecurrence,
  type FeatureStore,
  type ItemOutcome,
  type ProductFeatures,
  type ProductHistory,
  type ScoreCatalogEntry,
  type ScoreSettings,
  type AnyStoredProductFeatures,
  type Versioned,
} from '../domain/score/index.js';
import type { Clock, EventPublisher, FeedbackStore, Logger, OutgoingEvent, Quarantine } from './ports.js';

export type { FeatureStore, ScoreSettings };
export { defaultScoreSettings } from '../domain/score/settings.js';

/** What the stage reads from the catalog; `Catalog` from shared/domain/catalog.ts fits. */
export interface ScoreCatalog {
  currency?: string;
  products: ({ sku: string; productId?: string } & ScoreCatalogEntry)[];
}

export interface ScoreDeps {
  publisher: EventPublisher;
  feedbackStore: FeedbackStore;
  featureStore: FeatureStore;
  quarantine: Quarantine;
  catalog: ScoreCatalog;
  settings: ScoreSettings;
  clock: Clock;
  logger: Logger;
  /** ETag conflicts retried per product before the batch fails (default 12). */
  maxConflictRetries?: number;
  /** Product states kept in memory to write without reading first (default 1000). */
  stateCacheSize?: number;
}

/**
 * A scored event is the validated classified event plus `lineage.scoredAt` (a clock string) and
 * the score block, so checking the block checks everything new; the rest was checked on the way in.
 */
const validateScoreBlock = makeValidator<ScoreBlock>(scoreBlockSchema);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function makeScore(
  deps: ScoreDeps,
): (messages: unknown[], context: InvocationContext) => Promise<void> {
  const { featureStore, settings, logger } = deps;
  const maxRetries = deps.maxConflictRetries ?? 12;
  const catalogIndex = new Map<string, ScoreCatalogEntry>();
  for (const product of deps.catalog.products) {
    catalogIndex.set(product.sku, product);
    if (product.productId !== undefined && !catalogIndex.has(product.productId))
      catalogIndex.set(product.productId, product);
  }
  // Category baselines change once per event day; history only when days roll out. Cache both.
  const categoryCache = new Map<string, { day: number; doc: CategoryBaseline | undefined }>();
  const historyCache = new Map<string, Versioned<ProductHistory> | undefined>();
  const supplierCache = new Map<string, { day: number; value: { defectItems: number; products: number } }>();

  const stateCache = new Map<string, Versioned<ProductFeatures>>();
  const stateCacheSize = deps.stateCacheSize ?? 1000;
  function takeCachedState(key: string): Versioned<ProductFeatures> | undefined {
    const cached = stateCache.get(key);
    stateCache.delete(key);
    return cached;
  }
  function cacheState(key: string, state: Versioned<ProductFeatures>): void {
    stateCache.delete(key);
    stateCache.set(key, state);
    if (stateCache.size > stateCacheSize) stateCache.delete(stateCache.keys().next().value!);
  }

  async function quarantineItem(
    payload: unknown,
    reason: string,
    error: string,
    feedbackId?: string,
  ): Promise<void> {
    const id = `score-${createHash('sha256')
      .update(typeof payload === 'string' ? payload : (JSON.stringify(payload) ?? 'undefined'))
      .digest('hex')
      .slice(0, 32)}`;
    await deps.quarantine.put({
      id,
      stage: 'score',
      reason,
      error,
      ...(feedbackId ? { feedbackId } : {}),
      payload,
      quarantinedAt: deps.clock().toISOString(),
    });
    logger.warn('score: quarantined', { quarantineId: id, reason, feedbackId });
  }

  async function categoryBaselines(
    categories: string[],
    day: number,
  ): Promise<Map<string, CategoryBaseline>> {
    const out = new Map<string, CategoryBaseline>();
    for (const category of categories) {
      let cached = categoryCache.get(category);
      if (!cached || cached.day < day) {
        const read = await featureStore.read<CategoryBaseline>(featureKeys.category(category));
        cached = { day, doc: read?.value };
        categoryCache.set(category, cached);
      }
      if (cached.doc) out.set(category, cached.doc);
    }
    return out;
  }

  /** Supplier-wide defect recurrence over closed days, read once per supplier per event day. */
  async function supplierOf(
    supplier: string,
    day: number,
  ): Promise<{ defectItems: number; products: number }> {
    let cached = supplierCache.get(supplier);
    if (!cached || cached.day < day) {
      const read = await featureStore.read<SupplierRecurrence>(featureKeys.supplier(supplier));
      cached = { day, value: read ? supplierRecurrence(read.value, day) : { defectItems: 0, products: 0 } };
      supplierCache.set(supplier, cached);
    }
    return cached.value;
  }

  async function history(productKey: string): Promise<Versioned<ProductHistory> | undefined> {
    if (!historyCache.has(productKey)) {
      historyCache.set(productKey, await featureStore.read<ProductHistory>(featureKeys.history(productKey)));
    }
    return historyCache.get(productKey);
  }

  /** Merges rolled-out days into the history document (a set per day, so retries are harmless). */
  async function appendHistory(
    productKey: string,
    append: Record<string, Record<string, number>>,
    watermarkDay: number,
  ) {
    const key = featureKeys.history(productKey);
    for (let attempt = 0; ; attempt++) {
      const current = await history(productKey);
      const merged = mergeHistory(
        current ? structuredClone(current.value) : undefined,
        productKey,
        append,
        watermarkDay,
      );
      const result = await featureStore.write(key, merged, current?.etag);
      if (result.ok) {
        historyCache.set(productKey, { value: merged, etag: result.etag });
        return;
      }
      historyCache.delete(productKey);
      if (attempt >= maxRetries) throw new Error(`score: history ${productKey} kept conflicting`);
    }
  }

  async function readState(key: string): Promise<Versioned<ProductFeatures> | undefined> {
    const read = await featureStore.read<AnyStoredProductFeatures>(key);
    return read && { value: fromStoredFeatures(read.value), etag: read.etag };
  }

  async function scoreProduct(productKey: string, events: ClassifiedEvent[]): Promise<ItemOutcome[]> {
    const key = featureKeys.product(productKey);
    const catalogEntry =
      catalogIndex.get(productKey) ?? catalogIndex.get(events[0]?.normalized.product.sku ?? '');
    const hours = events.map((event) => hourOf(Date.parse(event.eventTime)));
    const minDay = dayOfHour(Math.min(...hours));
    const maxDay = dayOfHour(Math.max(...hours));
    for (let attempt = 0; ; attempt++) {
      // The state this process last wrote is tried first, without a read; if anyone else wrote
      // since, its ETag no longer matches, the write conflicts and the next attempt reads.
      const cached = attempt === 0 ? takeCachedState(key) : undefined;
      const current = cached ?? (await readState(key));
      const state = current?.value;
      const needsHistory = state?.historyFromDay !== undefined && state.historyFromDay <= maxDay - 357;
      const isNew =
        !state || ownHistoryDays(state, minDay, settings.baselineDays).days < settings.minimumHistoryDays;
      const categories = [...new Set(events.map((event) => event.classification.primaryCategory))];
      const result = scoreProductBatch(state, events, {
        settings,
        catalogEntry,
        currency: deps.catalog.currency,
        history: needsHistory ? (await history(productKey))?.value : undefined,
        supplierRecurrence: catalogEntry?.supplier
          ? await supplierOf(catalogEntry.supplier, maxDay)
          : undefined,
        categoryBaselines: isNew
          ? await categoryBaselines(categories, maxDay)
          : new Map<string, CategoryBaseline>(),
      });
      const watermarkDay = dayOfHour(result.state.watermarkHour);
      if (Object.keys(result.historyAppend).length > 0)
        await appendHistory(productKey, result.historyAppend, watermarkDay);
      if (result.changed) {
        const written = await featureStore.write(
          key,
          toStoredFeatures(result.state, settings.latenessHours),
          current?.etag,
        );
        if (!written.ok) {
          if (attempt >= maxRetries) throw new Error(`score: features of ${productKey} kept conflicting`);
          if (!cached) await sleep(Math.random() * Math.min(50, 2 ** attempt));
          continue;
        }
        cacheState(key, { value: result.state, etag: written.etag });
      } else if (current) {
        cacheState(key, current);
      }
      if (result.contributions) {
        const { firstDay, byCategory, defects } = result.contributions;
        if (catalogEntry?.supplier) {
          await featureStore.setField(featureKeys.supplier(catalogEntry.supplier), 'products', productKey, {
            firstDay,
            days: defects,
          });
        }
        for (const [category, days] of Object.entries(byCategory)) {
          await featureStore.setField(featureKeys.category(category), 'products', productKey, {
            firstDay,
            days,
          });
        }
      }
      return result.outcomes;
    }
  }

  /**
   * An item this pass did not count (a redelivery, or spam, a duplicate, a repeat, a late item that
   * may have been seen before) gets the block it was given the first time, when the record has it.
   */
  async function storedBlock(event: ClassifiedEvent): Promise<ScoreBlock | undefined> {
    const doc = await deps.feedbackStore.get(event.feedbackId);
    if (!doc || doc.revision !== event.revision || doc.score === undefined) return undefined;
    const check = validateScoreBlock(doc.score);
    return check.ok ? check.value : undefined;
  }

  return async function score(messages: unknown[], context: InvocationContext): Promise<void> {
    const byProduct = new Map<string, ClassifiedEvent[]>();
    let quarantined = 0;
    for (const message of messages) {
      let parsed: unknown = message;
      if (typeof message === 'string') {
        try {
          parsed = JSON.parse(message);
        } catch (error) {
          await quarantineItem(message, 'not JSON', String(error));
          quarantined += 1;
          continue;
        }
      }
      const valid = validateClassifiedEvent(parsed);
      if (!valid.ok) {
        const feedbackId = (parsed as { feedbackId?: unknown } | null)?.feedbackId;
        await quarantineItem(
          parsed,
          'invalid classified event',
          valid.error,
          typeof feedbackId === 'string' ? feedbackId : undefined,
        );
        quarantined += 1;
        continue;
      }
      // A wildly future event time would drag the product's watermark ahead and make every real
      // item "late"; the wall clock is used only for this sanity check, never for windows.
      if (
        Date.parse(valid.value.eventTime) >
        deps.clock().getTime() + settings.futureToleranceHours * 3_600_000
      ) {
        await quarantineItem(
          parsed,
          'event time in the future',
          valid.value.eventTime,
          valid.value.feedbackId,
        );
        quarantined += 1;
        continue;
      }
      const list = byProduct.get(valid.value.productKey) ?? [];
      list.push(valid.value);
      byProduct.set(valid.value.productKey, list);
    }

    const scoredAt = deps.clock().toISOString();
    const perProduct = await Promise.all(
      [...byProduct].map(async ([productKey, events]) => {
        const outcomes = await scoreProduct(productKey, events);
        const out: OutgoingEvent[] = [];
        for (const outcome of outcomes) {
          const block = !outcome.block.counted
            ? ((await storedBlock(outcome.event)) ?? outcome.block)
            : outcome.block;
          const scored: ScoredEvent = {
            ...outcome.event,
            lineage: { ...outcome.event.lineage, scoredAt },
            score: block,
          };
          const check = validateScoreBlock(block);
          if (!check.ok) {
            await quarantineItem(
              scored,
              'scored event failed validation',
              `score block: ${check.error}`,
              scored.feedbackId,
            );
            continue;
          }
          const stored = await deps.feedbackStore.putBlock(
            scored.feedbackId,
            scored.revision,
            'score',
            block,
          );
          if (stored === 'stale') {
            logger.warn('score: stored record has another revision', {
              feedbackId: scored.feedbackId,
              revision: scored.revision,
            });
          }
          if (block.decision === 'alert') {
            logger.info('score: alert', {
              feedbackId: scored.feedbackId,
              incidentKey: block.incidentKey,
              kind: block.anomaly?.kind,
              suppressed: block.suppressed?.reason,
              invocationId: context.invocationId,
            });
          }
          out.push({
            body: scored,
            partitionKey: scored.productKey,
            properties: { decision: block.decision, incidentKey: block.incidentKey },
          });
        }
        return out;
      }),
    );
    const outgoing = perProduct.flat();
    if (outgoing.length > 0) await deps.publisher.publish(hubs.scored.name, outgoing);
    logger.info('score: batch done', {
      invocationId: context.invocationId,
      received: messages.length,
      products: byProduct.size,
      published: outgoing.length,
      quarantined,
    });
  };
}
