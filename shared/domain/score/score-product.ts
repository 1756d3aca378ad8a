/**
 * Scores one product's items in event order against its feature state: counts what should be
 * counted, tests the item's product × category windows against the baseline, and decides. Pure:
 * the stage reads the state, calls this, and writes the state back under its ETag (on a conflict
 * it re-reads and calls this again, so the result is always computed from the latest state).
 *
 * Processing items one by one in order makes the outcome independent of batch boundaries, so a
 * replay with different batching gives the same state and decisions.
 */
import type { ClassifiedEvent, ScoreBlock } from '../events.js';
import { expectedDaily, type BaselineSource, type DailyExpectation } from './baseline.js';
import { findExpectedEvent } from './expected-events.js';
import {
  addCountedItem,
  componentRecurrence,
  countsInDays,
  countsInHours,
  dayOfHour,
  defectFrequency,
  emptyProductFeatures,
  hourOf,
  hourShares,
  isoOfHour,
  ownHistoryDays,
  revisionTag,
  seenRevisionTag,
  customerTag,
  sentimentTrend,
  type CategoryBaseline,
  type Counts,
  type Episode,
  type ProductFeatures,
  type ProductHistory,
} from './features.js';
import { incidentKeyOf } from './incident-key.js';
import { alphaOf, SCORE_MODEL_VERSION, type ScoreSettings } from './settings.js';
import { binomialUpperTail, negativeBinomialUpperTail, poissonUpperTail } from './stats.js';

/** What the score stage needs from a catalog entry (a structural subset of CatalogProduct). */
export interface ScoreCatalogEntry {
  priceCents?: number;
  strategic?: boolean;
  supplier?: string;
}

export interface ProductBatchContext {
  settings: ScoreSettings;
  catalogEntry?: ScoreCatalogEntry;
  currency?: string;
  history?: ProductHistory;
  /** Defect recurrence across the product's supplier (closed days), when the catalog names one. */
  supplierRecurrence?: { defectItems: number; products: number };
  /** Category baseline documents for the categories of this batch, when the product is new. */
  categoryBaselines: Map<string, CategoryBaseline>;
}

export interface ItemOutcome {
  event: ClassifiedEvent;
  block: ScoreBlock;
  /** This feedback id and revision was already counted: a redelivery. */
  redelivered: boolean;
  /** Too late to count: it may also be a redelivery whose markers were already pruned. */
  late: boolean;
}

export interface ProductBatchResult {
  state: ProductFeatures;
  outcomes: ItemOutcome[];
  /** Whether the state must be written back. */
  changed: boolean;
  /** Days that left the hot window: day → category → count, to merge into the history document. */
  historyAppend: Record<string, Record<string, number>>;
  /** The product's recent closed days per category, to set on the category baseline documents. */
  contributions?: {
    firstDay: number;
    byCategory: Record<string, Record<string, number>>;
    /** Per day, items in the defect-evidence categories (for the supplier document). */
    defects: Record<string, number>;
  };
}

interface Detection {
  kind: 'volume_spike' | 'sentiment_shift' | 'safety';
  observed: number;
  expected: number;
  pValue: number;
  windowStart: string;
  windowEnd: string;
  reason: string;
}

const round = (value: number, digits = 3): number => Math.round(value * 10 ** digits) / 10 ** digits;
const precise = (value: number): number => Number(value.toPrecision(3));

const severityWeight = { critical: 25, high: 15, medium: 5, low: 0 } as const;
const decisionWeight = { alert: 60, ticket_candidate: 30, review: 15, none: 0 } as const;

/** Values that depend only on the days before their own day, memoized per day. */
class DayMemo<V> {
  private readonly byDay = new Map<number, Map<string, V>>();

  get(day: number, key: string): V | undefined {
    return this.byDay.get(day)?.get(key);
  }

  set(day: number, key: string, value: V): void {
    let values = this.byDay.get(day);
    if (!values) {
      values = new Map();
      this.byDay.set(day, values);
    }
    values.set(key, value);
  }

  /** Drops the days for which `drop(day)` holds. */
  dropWhere(drop: (day: number) => boolean): void {
    for (const day of this.byDay.keys()) if (drop(day)) this.byDay.delete(day);
  }
}

type Window = { expected: number; relativeVariance: number; source: BaselineSource; describe: string };

/**
 * Baseline computations of one product state. Every value for day D (or for an hour of day D)
 * depends only on the days before D, so counting an item on day C drops the values of the days
 * after C and keeps the rest; the cache lives as long as the state object (the stage keeps it
 * between batches), and is rebuilt when the history, borrowed baselines or settings change.
 */
class BaselineCache {
  private readonly daily = new DayMemo<DailyExpectation>();
  private readonly shares = new DayMemo<{ shares: number[]; basis: number[] }>();
  /** Keyed by day of the window's last hour, then `${hours}:${category}:${hour}`. */
  private readonly windows = new DayMemo<Window>();
  private readonly closed = new DayMemo<{ counts: Counts; days: number }>();
  private readonly itemFeatures = new DayMemo<{
    sentimentTrend: unknown;
    defectFrequency28d: number | null;
  }>();
  /** The newest day any value is held for: counting on it or later invalidates nothing. */
  private maxDay = -Infinity;
  constructor(
    private readonly state: ProductFeatures,
    readonly context: ProductBatchContext,
    readonly historyFromDay: number | undefined,
  ) {}

  /** Whether this cache was built from the same inputs as `context` describes. */
  fits(context: ProductBatchContext, historyFromDay: number | undefined): boolean {
    const own = this.context;
    if (
      own.settings !== context.settings ||
      own.history !== context.history ||
      this.historyFromDay !== historyFromDay ||
      own.categoryBaselines.size !== context.categoryBaselines.size
    )
      return false;
    for (const [category, doc] of context.categoryBaselines)
      if (own.categoryBaselines.get(category) !== doc) return false;
    return true;
  }

  private note(day: number): void {
    if (day > this.maxDay) this.maxDay = day;
  }

  /** An item was counted on `day`: values of later days are stale. */
  invalidateAfter(day: number): void {
    if (day >= this.maxDay) return;
    const stale = (held: number): boolean => held > day;
    this.daily.dropWhere(stale);
    this.shares.dropWhere(stale);
    this.windows.dropWhere(stale);
    this.closed.dropWhere(stale);
    this.itemFeatures.dropWhere(stale);
    this.maxDay = day;
  }

  /** Forgets days before `day` (they are no longer asked for, or their inputs were removed). */
  forgetBefore(day: number): void {
    const old = (held: number): boolean => held < day;
    this.daily.dropWhere(old);
    this.shares.dropWhere(old);
    this.windows.dropWhere(old);
    this.closed.dropWhere(old);
    this.itemFeatures.dropWhere(old);
  }

  expectation(category: string, day: number): DailyExpectation {
    let value = this.daily.get(day, category);
    if (!value) {
      value = expectedDaily(
        {
          state: this.state,
          history: this.context.history,
          categoryBaselines: this.context.categoryBaselines,
          baselineDays: this.context.settings.baselineDays,
          minimumHistoryDays: this.context.settings.minimumHistoryDays,
        },
        category,
        day,
      );
      this.daily.set(day, category, value);
      this.note(day);
    }
    return value;
  }

  private sharesOf(day: number): { shares: number[]; basis: number[] } {
    let shares = this.shares.get(day, '');
    if (!shares) {
      shares = hourShares(
        this.state,
        day,
        ownHistoryDays(this.state, day, this.context.settings.baselineDays).from,
      );
      this.shares.set(day, '', shares);
      this.note(day);
    }
    return shares;
  }

  /** The category's counts over the product's own closed baseline days before `day`. */
  closedDays(category: string, day: number): { counts: Counts; days: number } {
    let value = this.closed.get(day, category);
    if (!value) {
      const { from, days } = ownHistoryDays(this.state, day, this.context.settings.baselineDays);
      value = { counts: countsInDays(this.state, category, from, day - 1), days };
      this.closed.set(day, category, value);
      this.note(day);
    }
    return value;
  }

  /** Expected count over the hour alone and over the 24 h ending with it. */
  expectedWindow(category: string, hour: number, hours: 1 | 24): Window {
    const day = dayOfHour(hour);
    const key = `${hours}:${category}:${hour}`;
    let value = this.windows.get(day, key);
    if (!value) {
      value = this.expectedOverHours(category, hour - hours + 1, hour);
      this.windows.set(day, key, value);
      this.note(day);
    }
    return value;
  }

  /** Product-level features of closed days, for `whyItMatters`. */
  productFeatures(
    day: number,
    defectCategories: string[],
  ): { sentimentTrend: unknown; defectFrequency28d: number | null } {
    let value = this.itemFeatures.get(day, '');
    if (!value) {
      value = {
        sentimentTrend: sentimentTrend(this.state, day),
        defectFrequency28d: defectFrequency(this.state, day, defectCategories),
      };
      this.itemFeatures.set(day, '', value);
      this.note(day);
    }
    return value;
  }

  /**
   * Expected count over hours [from, to] with its relative variance (the weakest day's; a single
   * hour adds the uncertainty of its hour-of-day share).
   */
  private expectedOverHours(category: string, from: number, to: number): Window {
    let expected = 0;
    let relativeVariance = 0;
    let last: DailyExpectation | undefined;
    // Walk the window day by day: one expectation and one share table per day.
    for (let hour = from; hour <= to;) {
      const day = dayOfHour(hour);
      const daily = this.expectation(category, day);
      if (daily.source === 'none')
        return { expected: 0, relativeVariance: 1, source: 'none', describe: daily.describe };
      const { shares, basis } = this.sharesOf(day);
      const dayEnd = Math.min(to, day * 24 + 23);
      for (; hour <= dayEnd; hour++) {
        const index = hour - day * 24;
        expected += daily.mean * (shares[index] ?? 1 / 24);
        relativeVariance = Math.max(
          relativeVariance,
          daily.relativeVariance + (from === to ? 1 / (basis[index] ?? 1) : 0),
        );
      }
      last = daily;
    }
    return { expected, relativeVariance, source: last?.source ?? 'none', describe: last?.describe ?? '' };
  }
}

const baselineCaches = new WeakMap<ProductFeatures, BaselineCache>();

/** The state's baseline cache, kept across batches while its inputs stay the same. */
function baselineCacheOf(state: ProductFeatures, context: ProductBatchContext): BaselineCache {
  const cached = baselineCaches.get(state);
  if (cached?.fits(context, state.historyFromDay)) return cached;
  const cache = new BaselineCache(state, context, state.historyFromDay);
  baselineCaches.set(state, cache);
  return cache;
}

export function scoreProductBatch(
  previous: ProductFeatures | undefined,
  events: ClassifiedEvent[],
  context: ProductBatchContext,
): ProductBatchResult {
  const { settings } = context;
  const alpha = alphaOf(settings.sensitivity);
  const first = events[0];
  if (!first) throw new Error('scoreProductBatch needs at least one event');
  const state = previous ?? emptyProductFeatures(first.productKey, hourOf(Date.parse(first.eventTime)));
  let changed = previous === undefined;
  const watermarkBefore = previous?.watermarkHour;
  const cache = baselineCacheOf(state, context);
  const customerSets = new Map<string, Set<string>>();
  const incidentKeys = new Map<string, string>();
  const provenances = new Map<BaselineSource, Record<string, unknown>>();
  const provenanceOf = (baseline: BaselineSource): Record<string, unknown> => {
    let value = provenances.get(baseline);
    if (!value) {
      value = {
        modelVersion: SCORE_MODEL_VERSION,
        sensitivity: settings.sensitivity,
        alpha,
        minimumVolume: settings.minimumVolume,
        minimumRatio: settings.minimumRatio,
        baseline,
        expectedEventsVersion: settings.expectedEvents.version,
      };
      provenances.set(baseline, value);
    }
    return value;
  };
  const isoCache = new Map<number, string>();
  const isoOf = (hour: number): string => {
    let value = isoCache.get(hour);
    if (value === undefined) {
      value = isoOfHour(hour);
      isoCache.set(hour, value);
    }
    return value;
  };
  const outcomes: ItemOutcome[] = [];

  const significant = (observed: number, expected: number, pValue: number): boolean =>
    observed >= settings.minimumVolume && observed >= settings.minimumRatio * expected && pValue < alpha;

  for (const event of events) {
    const eventTimeMs = Date.parse(event.eventTime);
    const hour = hourOf(eventTimeMs);
    const day = dayOfHour(hour);
    const { classification, normalized } = event;
    const category = classification.primaryCategory;
    let incidentKey = incidentKeys.get(category);
    if (incidentKey === undefined) {
      incidentKey = incidentKeyOf(event.productKey, category);
      incidentKeys.set(category, incidentKey);
    }
    const critical = classification.severity === 'critical';
    const negative = classification.sentiment.label === 'negative';
    const customerToken = normalized.customer.token;

    // Counting honestly: what does not count, and why.
    let notCounted: string | undefined;
    let redelivered = false;
    let late = false;
    const seenRevision = seenRevisionTag(state.hours[hour], event.feedbackId);
    if (normalized.spam.isSpam) notCounted = 'spam';
    else if (normalized.duplicate.exactOf) notCounted = `exact duplicate of ${normalized.duplicate.exactOf}`;
    else if (normalized.duplicate.nearDuplicateOf)
      notCounted = `near duplicate of ${normalized.duplicate.nearDuplicateOf}`;
    else if (hour < state.watermarkHour - settings.latenessHours) {
      late = true;
      notCounted = `later than the ${settings.latenessHours} h lateness allowance`;
    } else if (seenRevision === revisionTag(event.revision)) redelivered = true;
    else if (seenRevision !== undefined)
      notCounted = 'an earlier revision of this feedback was already counted';
    else if (customerToken !== undefined) {
      const setKey = `${day}\u0000${category}`;
      let customers = customerSets.get(setKey);
      if (!customers) {
        customers = new Set(state.days[day]?.c[category]?.cust ?? []);
        customerSets.set(setKey, customers);
      }
      const tag = customerTag(customerToken);
      if (customers.has(tag))
        notCounted = 'this customer already counted for this product and category today';
      else customers.add(tag);
    }
    const counted = notCounted === undefined && !redelivered;
    if (counted) {
      cache.invalidateAfter(day);
      addCountedItem(state, {
        feedbackId: event.feedbackId,
        revision: event.revision,
        hour,
        category,
        negative,
        sentiment: classification.sentiment.score,
        critical,
        component: classification.component,
        customerToken,
      });
      changed = true;
    }

    // Anomaly tests, only for items that are (or were) counted.
    const window24 = { from: hour - 23, to: hour };
    const last24 = countsInHours(state, category, window24.from, window24.to);
    const volume24 = cache.expectedWindow(category, hour, 24);
    let detection: Detection | undefined;
    if (counted || redelivered) {
      if (critical) {
        const { counts, days } = cache.closedDays(category, day);
        const expected = days > 0 ? counts.crit / days : 0;
        detection = {
          kind: 'safety',
          observed: last24.crit,
          expected: round(expected),
          pValue: precise(poissonUpperTail(last24.crit, Math.max(expected, 0.01))),
          windowStart: isoOf(window24.from),
          windowEnd: isoOf(window24.to + 1),
          reason: `critical safety mention (${last24.crit} in the last 24 h of event time)`,
        };
      }
      const incidentCategory = !settings.nonIncidentCategories.includes(category);
      if (!detection && incidentCategory && volume24.source !== 'none') {
        const hourObserved = state.hours[hour]?.c[category]?.n ?? 0;
        const hourExpected = cache.expectedWindow(category, hour, 1);
        const candidates = [
          { observed: hourObserved, ...hourExpected, from: hour, to: hour, label: '1 h' },
          { observed: last24.n, ...volume24, from: window24.from, to: window24.to, label: '24 h' },
        ]
          // The volume floor and the ratio are cheap; the tail only runs for windows that pass them.
          .filter(
            (w) => w.observed >= settings.minimumVolume && w.observed >= settings.minimumRatio * w.expected,
          )
          .map((w) => ({
            ...w,
            pValue: negativeBinomialUpperTail(w.observed, w.expected, 1 / (w.expected * w.relativeVariance)),
          }))
          .filter((w) => significant(w.observed, w.expected, w.pValue))
          .sort((a, b) => a.pValue - b.pValue);
        const best = candidates[0];
        if (best) {
          detection = {
            kind: 'volume_spike',
            observed: best.observed,
            expected: round(best.expected),
            pValue: precise(best.pValue),
            windowStart: isoOf(best.from),
            windowEnd: isoOf(best.to + 1),
            reason: `volume spike: ${best.observed} ${category} items in ${best.label} vs ${round(best.expected, 2)} expected (${best.describe}), p=${precise(best.pValue)}`,
          };
        }
      }
      if (
        !detection &&
        incidentCategory &&
        negative &&
        volume24.source !== 'none' &&
        volume24.source !== 'category'
      ) {
        const { counts: base, days } = cache.closedDays(category, day);
        const p0 = (base.neg + 1) / (base.n + 2);
        const share = last24.n === 0 ? 0 : last24.neg / last24.n;
        const pValue = binomialUpperTail(last24.neg, last24.n, p0);
        if (
          days > 0 &&
          last24.n >= settings.minimumVolume &&
          share - p0 >= settings.minimumSentimentShift &&
          pValue < alpha
        ) {
          detection = {
            kind: 'sentiment_shift',
            observed: last24.neg,
            expected: round(p0 * last24.n),
            pValue: precise(pValue),
            windowStart: isoOf(window24.from),
            windowEnd: isoOf(window24.to + 1),
            reason: `sentiment shift: ${last24.neg} of ${last24.n} ${category} items negative in 24 h vs ${round(p0 * 100, 1)}% usual, p=${precise(pValue)}`,
          };
        }
      }
    }

    // Decision and suppression.
    const reasons: string[] = [];
    if (notCounted) reasons.push(`not counted: ${notCounted}`);
    if (redelivered) reasons.push('redelivery: already counted');
    let decision: ScoreBlock['decision'];
    let suppressed: ScoreBlock['suppressed'];
    if (detection) {
      decision = 'alert';
      reasons.push(detection.reason);
      const expectedEvent =
        detection.kind === 'safety'
          ? undefined
          : findExpectedEvent(settings.expectedEvents, {
              eventTimeMs,
              category,
              productKey: event.productKey,
              supplier: context.catalogEntry?.supplier,
            });
      const episode = state.episodes[category];
      const open =
        episode !== undefined &&
        hour <= episode.lastSignificantHour + settings.episodeQuietHours &&
        hour >= episode.openedHour - settings.episodeQuietHours;
      if (expectedEvent) {
        suppressed = { reason: `${expectedEvent.reason} (${expectedEvent.id})` };
      } else if (
        open &&
        episode.firedBy.feedbackId === event.feedbackId &&
        episode.firedBy.revision === event.revision
      ) {
        // The redelivered item that opened the episode: the same alert again (route dedupes on its key).
      } else if (open) {
        suppressed = {
          reason: `open incident ${episode.incidentKey}: alert fired by ${episode.firedBy.feedbackId} for ${episode.windowStart}–${episode.windowEnd}; added as evidence`,
        };
        if (counted && hour > episode.lastSignificantHour) {
          episode.lastSignificantHour = hour;
          changed = true;
        }
      } else if (counted) {
        const opened: Episode = {
          kind: detection.kind,
          incidentKey,
          firedBy: { feedbackId: event.feedbackId, revision: event.revision },
          windowStart: detection.windowStart,
          windowEnd: detection.windowEnd,
          openedHour: hour,
          lastSignificantHour: hour,
        };
        state.episodes[category] = opened;
        changed = true;
      }
    } else if (
      normalized.spam.isSpam ||
      normalized.duplicate.exactOf ||
      normalized.duplicate.nearDuplicateOf
    ) {
      decision = 'none';
    } else if (classification.needsReview || classification.confidence < settings.reviewThreshold) {
      decision = 'review';
      reasons.push(
        classification.needsReview
          ? 'classification flagged for review'
          : `classification confidence ${classification.confidence} under ${settings.reviewThreshold}`,
      );
    } else if (
      settings.ticketCategories.includes(category) &&
      classification.confidence >= settings.ticketConfidenceThreshold &&
      classification.intent !== 'praise' &&
      classification.sentiment.label !== 'positive'
    ) {
      decision = 'ticket_candidate';
      reasons.push(
        `defect evidence: ${category}${classification.component ? ` (${classification.component})` : ''} at confidence ${classification.confidence}`,
      );
    } else {
      decision = 'none';
    }

    // Why it matters.
    const catalog = context.catalogEntry;
    const affected = Math.max(last24.n, counted || redelivered ? 1 : 0);
    const whyItMatters: Record<string, unknown> = {
      severity: classification.severity,
      category,
      volume: {
        window: '24h',
        windowStart: isoOf(window24.from),
        windowEnd: isoOf(window24.to + 1),
        observed: last24.n,
        expected: round(volume24.expected),
        baseline: volume24.source,
      },
      strategicProduct: catalog?.strategic === true,
    };
    if (classification.component) whyItMatters.component = classification.component;
    if (catalog?.supplier) whyItMatters.supplier = catalog.supplier;
    if (decision !== 'none' && context.supplierRecurrence)
      whyItMatters.supplierRecurrence28d = context.supplierRecurrence;
    let revenueDigits = 0;
    if (catalog?.priceCents !== undefined) {
      const revenueAtRiskCents = catalog.priceCents * affected;
      Object.assign(whyItMatters, {
        priceCents: catalog.priceCents,
        affectedCount: affected,
        revenueAtRiskCents,
        ...(context.currency ? { currency: context.currency } : {}),
      });
      revenueDigits = Math.log10(Math.max(1, revenueAtRiskCents / 100));
    }
    if (decision !== 'none') {
      whyItMatters.distinctCustomersToday = state.days[day]?.c[category]?.dc ?? 0;
      Object.assign(whyItMatters, cache.productFeatures(day, settings.ticketCategories));
      if (classification.component)
        whyItMatters.componentRecurrence28d = componentRecurrence(state, day, classification.component);
    }

    let priority = 0;
    if (decision !== 'none') {
      priority =
        decisionWeight[decision] +
        severityWeight[classification.severity] +
        (catalog?.strategic ? 5 : 0) +
        Math.min(10, Math.round(revenueDigits * 2));
      if (suppressed) priority -= 30;
      priority = Math.min(100, Math.max(1, priority));
    }

    const block: ScoreBlock = {
      decision,
      priority,
      reasons,
      incidentKey,
      counted,
      whyItMatters,
      ownerTeam: classification.ownerTeam,
      provenance: provenanceOf(volume24.source),
    };
    if (detection) {
      const { reason: _reason, ...anomaly } = detection;
      block.anomaly = anomaly;
    }
    if (suppressed) block.suppressed = suppressed;
    outcomes.push({ event, block, redelivered, late });
  }

  const rolled = rollOver(state, settings, cache, watermarkBefore);
  return {
    state,
    outcomes,
    changed: changed || rolled.changed,
    historyAppend: rolled.historyAppend,
    contributions: rolled.contributions,
  };
}

/**
 * Retention by the product's own watermark (event time): hourly buckets live for the lateness
 * allowance plus a day, customer tokens while their day can still change, daily buckets for the
 * baseline plus a week (older days move to the history document), and closed days are offered to
 * the category baselines once per day.
 */
function rollOver(
  state: ProductFeatures,
  settings: ScoreSettings,
  cache: BaselineCache,
  watermarkBefore: number | undefined,
): Pick<ProductBatchResult, 'historyAppend' | 'contributions'> & { changed: boolean } {
  let changed = false;
  const historyAppend: Record<string, Record<string, number>> = {};
  const watermarkDay = dayOfHour(state.watermarkHour);
  // Everything below depends only on the watermark: when it stays, there is nothing to prune.
  if (state.watermarkHour !== watermarkBefore) {
    changed = pruneByWatermark(state, settings, cache, historyAppend, watermarkBefore);
  }
  for (const [category, episode] of Object.entries(state.episodes)) {
    if (
      state.watermarkHour >
      episode.lastSignificantHour + settings.episodeQuietHours + settings.latenessHours
    ) {
      delete state.episodes[category];
      changed = true;
    }
  }

  let contributions: ProductBatchResult['contributions'];
  const closedDay = watermarkDay - 1;
  if ((state.contributedThroughDay ?? -Infinity) < closedDay) {
    const byCategory: Record<string, Record<string, number>> = {};
    const defects: Record<string, number> = {};
    for (let day = closedDay - settings.baselineDays + 1; day <= closedDay; day++) {
      for (const [category, value] of Object.entries(state.days[day]?.c ?? {})) {
        (byCategory[category] ??= {})[day] = value.n;
        if (settings.ticketCategories.includes(category) && value.n > 0)
          defects[day] = (defects[day] ?? 0) + value.n;
      }
    }
    if (Object.keys(byCategory).length > 0)
      contributions = { firstDay: dayOfHour(state.firstHour), byCategory, defects };
    state.contributedThroughDay = closedDay;
    changed = true;
  }
  return { historyAppend, contributions, changed };
}

/**
 * Retention by the watermark: hourly counts live for the lateness allowance plus a day (the 24 h
 * windows of the latest late item), their idempotency markers only for the lateness allowance
 * (older items are late, so never counted again whatever the markers say), customer tokens while
 * their day can still change, and daily buckets for the baseline plus a week (older days move to
 * the history document).
 */
function pruneByWatermark(
  state: ProductFeatures,
  settings: ScoreSettings,
  cache: BaselineCache,
  historyAppend: Record<string, Record<string, number>>,
  watermarkBefore: number | undefined,
): boolean {
  let changed = false;
  const lateness = settings.latenessHours;
  const oldestHour = state.watermarkHour - lateness - 24;
  const oldestMarkerHour = state.watermarkHour - lateness;
  const dayMoved =
    watermarkBefore === undefined || dayOfHour(watermarkBefore) !== dayOfHour(state.watermarkHour);
  const pruneHour = (key: string | number): void => {
    const hour = Number(key);
    const bucket = state.hours[key];
    if (!bucket) return;
    if (hour < oldestHour) {
      delete state.hours[key];
      changed = true;
    } else if (hour < oldestMarkerHour && bucket.seen !== undefined) {
      delete bucket.seen;
      changed = true;
    }
  };
  if (dayMoved || watermarkBefore === undefined) {
    for (const key in state.hours) pruneHour(key);
  } else {
    // Earlier batches pruned below the old bounds: only the hours the watermark passed remain.
    for (let hour = watermarkBefore - lateness - 24; hour < oldestMarkerHour; hour++) pruneHour(hour);
  }
  if (!dayMoved) return changed;
  const watermarkDay = dayOfHour(state.watermarkHour);
  const lastOpenDay = dayOfHour(oldestMarkerHour);
  const oldestDay = watermarkDay - settings.baselineDays - 7;
  let newestRemoved: number | undefined;
  for (const key in state.days) {
    const day = Number(key);
    const bucket = state.days[key]!;
    if (day < oldestDay) {
      const counts: Record<string, number> = {};
      for (const category in bucket.c) counts[category] = bucket.c[category]!.n;
      historyAppend[key] = counts;
      delete state.days[key];
      state.historyFromDay = Math.min(state.historyFromDay ?? day, day);
      newestRemoved = Math.max(newestRemoved ?? day, day);
      changed = true;
    } else if (day < lastOpenDay) {
      for (const category in bucket.c) {
        const value = bucket.c[category]!;
        if (value.cust !== undefined) {
          delete value.cust;
          changed = true;
        }
      }
    }
  }
  // Values of a day rest on the 35 days before it; older days are only asked for by late items.
  cache.forgetBefore(newestRemoved === undefined ? lastOpenDay - 1 : newestRemoved + 36);
  return changed;
}

/** Merges days leaving the hot window into the history document; keeps about 13 months. */
export function mergeHistory(
  history: ProductHistory | undefined,
  productKey: string,
  append: Record<string, Record<string, number>>,
  watermarkDay: number,
): ProductHistory {
  const merged: ProductHistory = history ?? { schemaVersion: 1, productKey, days: {} };
  Object.assign(merged.days, append);
  for (const key of Object.keys(merged.days)) if (Number(key) < watermarkDay - 400) delete merged.days[key];
  return merged;
}
