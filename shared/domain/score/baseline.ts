/**
 * Expected daily counts of one product × category: the same weeks last year when the history
 * has them, otherwise the trailing baseline with day-of-week effects; a product with too little
 * history of its own borrows its category's typical per-product volume.
 */
import {
  countsInDays,
  ownHistoryDays,
  productTotalOfDay,
  weekdayFactor,
  type CategoryBaseline,
  type ProductFeatures,
  type ProductHistory,
} from './features.js';

export type BaselineSource = 'last_year' | 'trailing' | 'category' | 'none';

export interface DailyExpectation {
  /** Expected counted items for the whole day. */
  mean: number;
  /**
   * Relative variance of the estimate (about 1 / the counts it rests on): the test widens the
   * Poisson into a negative binomial by this much, so thin baselines need stronger evidence.
   */
  relativeVariance: number;
  source: BaselineSource;
  /** Human description for reasons. */
  describe: string;
}

export interface BaselineInputs {
  state: ProductFeatures;
  history?: ProductHistory;
  categoryBaselines: Map<string, CategoryBaseline>;
  baselineDays: number;
  minimumHistoryDays: number;
}

const NONE: DailyExpectation = { mean: 0, relativeVariance: 1, source: 'none', describe: 'no baseline yet' };

function historyCount(history: ProductHistory, day: number, category?: string): number {
  const counts = history.days[day];
  if (!counts) return 0;
  if (category !== undefined) return counts[category] ?? 0;
  let total = 0;
  for (const value of Object.values(counts)) total += value;
  return total;
}

function trailing(inputs: BaselineInputs, category: string, day: number): DailyExpectation | undefined {
  const { from, days } = ownHistoryDays(inputs.state, day, inputs.baselineDays);
  if (days < inputs.minimumHistoryDays) return undefined;
  const count = countsInDays(inputs.state, category, from, day - 1).n;
  // A category the product never had still gets half an item over the baseline as its rate.
  const mean = Math.max(count, 0.5) / days;
  const { factor, basis } = weekdayFactor(inputs.state, day, from);
  return {
    mean: mean * factor,
    relativeVariance: 1 / Math.max(count, 0.5) + 1 / basis,
    source: 'trailing',
    describe: `trailing ${days} days, weekday factor ${factor.toFixed(2)}`,
  };
}

function lastYear(
  inputs: BaselineInputs,
  category: string,
  day: number,
  recent: DailyExpectation,
): DailyExpectation | undefined {
  const { history, state } = inputs;
  const historyFrom = state.historyFromDay;
  if (!history || historyFrom === undefined || historyFrom > day - 371) return undefined;
  const sameWeekdays = [day - 371, day - 364, day - 357];
  const sameCount = sameWeekdays.reduce((sum, d) => sum + historyCount(history, d, category), 0);
  const mean = sameCount / sameWeekdays.length;
  // Scale last year to this year's level (all categories of the product), within 0.5–2×.
  let now = 0;
  let then = 0;
  for (let d = day - inputs.baselineDays; d < day; d++) {
    now += productTotalOfDay(state, d);
    if (d - 364 >= historyFrom) then += historyCount(history, d - 364);
  }
  const level = then === 0 ? 1 : Math.min(2, Math.max(0.5, now / then));
  // Never below half of the recent baseline: a category absent last year is not a surprise forever.
  const scaled = Math.max(mean * level, 0.5 * recent.mean);
  return {
    mean: scaled,
    relativeVariance: 1 / Math.max(sameCount, 1) + (then === 0 ? 0.25 : 1 / then),
    source: 'last_year',
    describe: `same weeks last year ×${level.toFixed(2)} level`,
  };
}

/** The median per-product daily volume of the category among products with enough history. */
function borrowed(inputs: BaselineInputs, category: string, day: number): DailyExpectation | undefined {
  const doc = inputs.categoryBaselines.get(category);
  if (!doc) return undefined;
  const means: number[] = [];
  for (const [productKey, entry] of Object.entries(doc.products)) {
    if (productKey === inputs.state.productKey) continue;
    const from = Math.max(entry.firstDay + 1, day - inputs.baselineDays);
    const days = day - from;
    if (days < inputs.minimumHistoryDays) continue;
    let total = 0;
    for (let d = from; d < day; d++) total += entry.days[d] ?? 0;
    means.push(total / days);
  }
  if (means.length === 0) return undefined;
  means.sort((a, b) => a - b);
  const middle = means.length >> 1;
  const median = means.length % 2 === 1 ? means[middle]! : (means[middle - 1]! + means[middle]!) / 2;
  return {
    mean: median,
    // Another product's volume is a loose guide: about ±50%.
    relativeVariance: 0.25,
    source: 'category',
    describe: `borrowed from ${means.length} products in category ${category}`,
  };
}

export function expectedDaily(inputs: BaselineInputs, category: string, day: number): DailyExpectation {
  const recent = trailing(inputs, category, day);
  if (!recent) return borrowed(inputs, category, day) ?? NONE;
  return lastYear(inputs, category, day, recent) ?? recent;
}
