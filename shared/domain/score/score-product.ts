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
  markerKey,
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

/** Baseline computations, cached per batch and dropped when a late item changes a past day. */
class BaselineCache {
  private daily = new Map<string, DailyExpectation>();
  private shares = new Map<number, { shares: number[]; basis: number[] }>();
  private windows = new Map<string, ReturnType<BaselineCache['expectedOverHours']>>();
  private closed = new Map<string, { counts: Counts; days: number }>();
  private itemFeatures = new Map<number, { sentimentTrend: unknown; defectFrequency28d: number | null }>();
  private maxDay = -Infinity;
  constructor(
    private readonly state: ProductFeatures,
    private readonly context: ProductBatchContext,
  ) {}

  invalidateFrom(day: number): void {
    if (day < this.maxDay) {
      this.daily.clear();
      this.shares.clear();
      this.windows.clear();
      this.itemFeatures.clear();
      this.closed.clear();
      this.maxDay = -Infinity;
    }
  }

  expectation(category: string, day: number): DailyExpectation {
    const key = `${category}\u0000${day}`;
    let value = this.daily.get(key);
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
      this.daily.set(key, value);
      if (day > this.maxDay) this.maxDay = day;
    }
    return value;
  }

  hourShare(hour: number): { share: number; basis: number } {
    const day = dayOfHour(hour);
    let shares = this.shares.get(day);
    if (!shares) {
      shares = hourShares(
        this.state,
        day,
        ownHistoryDays(this.state, day, this.context.settings.baselineDays).from,
      );
      this.shares.set(day, shares);
      if (day > this.maxDay) this.maxDay = day;
    }
    return { share: shares.shares[hour - day * 24] ?? 1 / 24, basis: shares.basis[hour - day * 24] ?? 1 };
  }

  /** The category's counts over the product's own closed baseline days before `day`. */
  closedDays(category: string, day: number): { counts: Counts; days: number } {
    const key = `${category}\u0000${day}`;
    let value = this.closed.get(key);
    if (!value) {
      const { from, days } = ownHistoryDays(this.state, day, this.context.settings.baselineDays);
      value = { counts: countsInDays(this.state, category, from, day - 1), days };
      this.closed.set(key, value);
      if (day > this.maxDay) this.maxDay = day;
    }
    return value;
  }

  /** Expected count over the hour alone and over the 24 h ending with it. */
  expectedWindow(
    category: string,
    hour: number,
    hours: 1 | 24,
  ): ReturnType<BaselineCache['expectedOverHours']> {
    const key = `${category}\u0000${hour}\u0000${hours}`;
    let value = this.windows.get(key);
    if (!value) {
      value = this.expectedOverHours(category, hour - hours + 1, hour);
      this.windows.set(key, value);
    }
    return value;
  }

  /** Product-level features of closed days, for `whyItMatters`. */
  productFeatures(
    day: number,
    defectCategories: string[],
  ): { sentimentTrend: unknown; defectFrequency28d: number | null } {
    let value = this.itemFeatures.get(day);
    if (!value) {
      value = {
        sentimentTrend: sentimentTrend(this.state, day),
        defectFrequency28d: defectFrequency(this.state, day, defectCategories),
      };
      this.itemFeatures.set(day, value);
      if (day > this.maxDay) this.maxDay = day;
    }
    return value;
  }

  /**
   * Expected count over hours [from, to] with its relative variance (the weakest day's; a single
   * hour adds the uncertainty of its hour-of-day share).
   */
  expectedOverHours(
    category: string,
    from: number,
    to: number,
  ): { expected: number; relativeVariance: number; source: BaselineSource; describe: string } {
    let expected = 0;
    let relativeVariance = 0;
    let last: DailyExpectation | undefined;
    for (let hour = from; hour <= to; hour++) {
      const daily = this.expectation(category, dayOfHour(hour));
      if (daily.source === 'none')
        return { expected: 0, relativeVariance: 1, source: 'none', describe: daily.describe };
      const { share, basis } = this.hourShare(hour);
      expected += daily.mean * share;
      relativeVariance = Math.max(relativeVariance, daily.relativeVariance + (from === to ? 1 / basis : 0));
      last = daily;
    }
    return { expected, relativeVariance, source: last?.source ?? 'none', describe: last?.describe ?? '' };
  }
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
  const cache = new BaselineCache(state, context);
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
    const seenRevision = state.hours[hour]?.seen[markerKey(event.feedbackId)];
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
      cache.invalidateFrom(day);
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

  const rolled = rollOver(state, settings);
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
): Pick<ProductBatchResult, 'historyAppend' | 'contributions'> & { changed: boolean } {
  let changed = false;
  const oldestHour = state.watermarkHour - settings.latenessHours - 24;
  for (const key of Object.keys(state.hours)) {
    if (Number(key) < oldestHour) {
      delete state.hours[key];
      changed = true;
    }
  }
  const watermarkDay = dayOfHour(state.watermarkHour);
  const lastOpenDay = dayOfHour(state.watermarkHour - settings.latenessHours);
  const oldestDay = watermarkDay - settings.baselineDays - 7;
  const historyAppend: Record<string, Record<string, number>> = {};
  for (const [key, bucket] of Object.entries(state.days)) {
    const day = Number(key);
    if (day < oldestDay) {
      const counts: Record<string, number> = {};
      for (const [category, value] of Object.entries(bucket.c)) counts[category] = value.n;
      historyAppend[key] = counts;
      delete state.days[key];
      state.historyFromDay = Math.min(state.historyFromDay ?? day, day);
      changed = true;
      continue;
    }
    if (day < lastOpenDay) {
      for (const value of Object.values(bucket.c)) {
        if (value.cust !== undefined) {
          delete value.cust;
          changed = true;
        }
      }
    }
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
