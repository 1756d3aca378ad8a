/**
 * Feature definitions: the one place that says what is counted, in which event-time bucket, and
 * how the per-product features (windows, baselines, trends, recurrence) are read back. Alerts,
 * dashboards and the evaluation scripts all read features through these functions.
 *
 * Time is event time in UTC: hour = floor(ms / 3.6e6), day = floor(hour / 24).
 */

export const HOUR_MS = 3_600_000;

export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS);
export const dayOfHour = (hour: number): number => Math.floor(hour / 24);
/** 0 = Sunday (1970-01-01, day 0, was a Thursday). */
export const weekdayOf = (day: number): number => (day + 4) % 7;
export const isoOfHour = (hour: number): string => new Date(hour * HOUR_MS).toISOString();

/** Counted items of one category in one bucket. */
export interface Counts {
  /** Counted items. */
  n: number;
  /** Of which negative sentiment. */
  neg: number;
  /** Sum of sentiment scores (−1..1). */
  sent: number;
  /** Of which critical severity (safety). */
  crit: number;
}

export interface HourBucket {
  c: Record<string, Counts>;
  /**
   * The idempotency markers of every item counted in this hour, dropped once the hour is beyond
   * the lateness allowance: one ` <markerKey><revisionTag>` entry per item (`markSeen`,
   * `seenRevisionTag`). A text rather than a map because the whole document is serialised on
   * every write, and one flat string costs a fraction of hundreds of small keys and values.
   */
  seen?: string;
}

export interface DayCounts extends Counts {
  /** Distinct customers counted this day. */
  dc: number;
  /** Their tokens (customerTag), kept only while the day can still receive late events. */
  cust?: string[];
}

export interface DayBucket {
  c: Record<string, DayCounts>;
  /** Counted items of all categories per hour of day (the diurnal profile). */
  h: number[];
  /** Counted items per component (recurrence). */
  comp: Record<string, number>;
}

/** The alert state of one product × category: the window that fired and how long it stays open. */
export interface Episode {
  kind: 'volume_spike' | 'sentiment_shift' | 'safety';
  incidentKey: string;
  firedBy: { feedbackId: string; revision: string };
  windowStart: string;
  windowEnd: string;
  openedHour: number;
  lastSignificantHour: number;
}

/** Hot state of one product (features document `product:<productKey>`). */
export interface ProductFeatures {
  schemaVersion: 1;
  productKey: string;
  firstHour: number;
  /** Newest event hour seen: lateness and retention are measured from it, never from the wall clock. */
  watermarkHour: number;
  hours: Record<string, HourBucket>;
  days: Record<string, DayBucket>;
  /** Per category. */
  episodes: Record<string, Episode>;
  /** First day moved to the history document, when any. */
  historyFromDay?: number;
  /** Last closed day published to the category baselines. */
  contributedThroughDay?: number;
}

/** Daily counts per category older than the hot window (features document `history:<productKey>`). */
export interface ProductHistory {
  schemaVersion: 1;
  productKey: string;
  days: Record<string, Record<string, number>>;
}

/**
 * Per category, each product's recent daily counts (features document `category:<category>`),
 * written by patching the product's own entry (a set, so idempotent), read to give new products
 * a borrowed baseline.
 */
export interface CategoryBaseline {
  products: Record<string, { firstDay: number; days: Record<string, number> }>;
}

/**
 * Per supplier, each of its products' daily defect-evidence counts over recent closed days
 * (features document `supplier:<supplier>`), patched like the category baselines.
 */
export type SupplierRecurrence = CategoryBaseline;

/** Defect-evidence items across a supplier's products over the 28 closed days before `day`. */
export function supplierRecurrence(
  doc: SupplierRecurrence,
  day: number,
): { defectItems: number; products: number } {
  let defectItems = 0;
  let products = 0;
  for (const entry of Object.values(doc.products)) {
    let own = 0;
    for (let d = day - 28; d < day; d++) own += entry.days[d] ?? 0;
    defectItems += own;
    if (own > 0) products += 1;
  }
  return { defectItems, products };
}

export const featureKeys = {
  product: (productKey: string): string => `product:${productKey}`,
  supplier: (supplier: string): string => `supplier:${supplier}`,
  history: (productKey: string): string => `history:${productKey}`,
  category: (category: string): string => `category:${category}`,
};

export function emptyProductFeatures(productKey: string, firstHour: number): ProductFeatures {
  return {
    schemaVersion: 1,
    productKey,
    firstHour,
    watermarkHour: firstHour,
    hours: {},
    days: {},
    episodes: {},
  };
}

const emptyCounts = (): Counts => ({ n: 0, neg: 0, sent: 0, crit: 0 });

export function hourBucket(state: ProductFeatures, hour: number): HourBucket {
  let bucket = state.hours[hour];
  if (!bucket) {
    bucket = { c: {}, seen: '' };
    state.hours[hour] = bucket;
  }
  return bucket;
}

export function dayBucket(state: ProductFeatures, day: number): DayBucket {
  let bucket = state.days[day];
  if (!bucket) {
    bucket = { c: {}, h: new Array<number>(24).fill(0), comp: {} };
    state.days[day] = bucket;
  }
  return bucket;
}

/** 53-bit string hash (cyrb53) as 14 hex digits: short, stable stand-ins keep documents small. */
function shortHash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/**
 * Marker key of a feedback id: its first 16 hex digits (64 bits; ids are already hashes, and a
 * marker only has to be unique within one product's hour).
 */
const MARKER_KEY_LENGTH = 16;
const markerKey = (feedbackId: string): string => feedbackId.slice(0, MARKER_KEY_LENGTH);
/** One entry of an hour's marker text. */
const markerEntry = (key: string, tag: string): string => ` ${key}${tag}`;

/** Customer tokens as stored for the once-per-day rule: short tokens as is, longer ones hashed. */
export const customerTag = (token: string): string => (token.length <= 14 ? token : `~${shortHash(token)}`);

/** Printable ASCII without the space, which separates the markers of an hour. */
const PLAIN_TAG = /^[\x21-\x7e]*$/;

/**
 * A short, stable stand-in for a revision in the idempotency markers (keeps documents small):
 * short plain revisions as is, anything else hashed.
 */
export function revisionTag(revision: string): string {
  if (revision.length <= 12 && PLAIN_TAG.test(revision)) return revision;
  let hash = 0x811c9dc5;
  for (let i = 0; i < revision.length; i++) hash = Math.imul(hash ^ revision.charCodeAt(i), 0x01000193);
  return `~${(hash >>> 0).toString(16).padStart(8, '0')}`;
}

/** The revision tag this hour counted for a feedback id, if it counted it. */
export function seenRevisionTag(bucket: HourBucket | undefined, feedbackId: string): string | undefined {
  const seen = bucket?.seen;
  if (!seen) return undefined;
  // Keys are hex and tags have no spaces, so " <key>" only matches at the start of an entry.
  const at = seen.indexOf(markerEntry(markerKey(feedbackId), ''));
  if (at === -1) return undefined;
  const start = at + 1 + MARKER_KEY_LENGTH;
  const end = seen.indexOf(' ', start);
  return seen.slice(start, end === -1 ? undefined : end);
}

function markSeen(bucket: HourBucket, feedbackId: string, revision: string): void {
  bucket.seen = (bucket.seen ?? '') + markerEntry(markerKey(feedbackId), revisionTag(revision));
}

/** What one counted item adds. */
export interface CountedItem {
  feedbackId: string;
  revision: string;
  hour: number;
  category: string;
  negative: boolean;
  sentiment: number;
  critical: boolean;
  component: string | null;
  customerToken?: string;
}

function addTo(counts: Counts, item: CountedItem): void {
  counts.n += 1;
  if (item.negative) counts.neg += 1;
  // Rounded so that sums do not drift with the order of additions in replays.
  counts.sent = Math.round((counts.sent + item.sentiment) * 1e6) / 1e6;
  if (item.critical) counts.crit += 1;
}

export function addCountedItem(state: ProductFeatures, item: CountedItem): void {
  const hourly = hourBucket(state, item.hour);
  const hc = (hourly.c[item.category] ??= emptyCounts());
  const day = dayOfHour(item.hour);
  const daily = dayBucket(state, day);
  const dc = (daily.c[item.category] ??= { ...emptyCounts(), dc: 0, cust: [] });
  addTo(hc, item);
  addTo(dc, item);
  if (item.customerToken !== undefined) {
    dc.dc += 1;
    (dc.cust ??= []).push(customerTag(item.customerToken));
  }
  daily.h[item.hour - day * 24] = (daily.h[item.hour - day * 24] ?? 0) + 1;
  if (item.component) daily.comp[item.component] = (daily.comp[item.component] ?? 0) + 1;
  markSeen(hourly, item.feedbackId, item.revision);
  if (item.hour > state.watermarkHour) state.watermarkHour = item.hour;
  if (item.hour < state.firstHour) state.firstHour = item.hour;
}

/** Sum of a category's counts over hours [fromHour, toHour]. */
export function countsInHours(
  state: ProductFeatures,
  category: string,
  fromHour: number,
  toHour: number,
): Counts {
  const total = emptyCounts();
  for (let hour = fromHour; hour <= toHour; hour++) {
    const counts = state.hours[hour]?.c[category];
    if (!counts) continue;
    total.n += counts.n;
    total.neg += counts.neg;
    total.sent += counts.sent;
    total.crit += counts.crit;
  }
  return total;
}

/** Sum of a category's daily counts over days [fromDay, toDay]. */
export function countsInDays(
  state: ProductFeatures,
  category: string,
  fromDay: number,
  toDay: number,
): Counts {
  const total = emptyCounts();
  for (let day = fromDay; day <= toDay; day++) {
    const counts = state.days[day]?.c[category];
    if (!counts) continue;
    total.n += counts.n;
    total.neg += counts.neg;
    total.sent += counts.sent;
    total.crit += counts.crit;
  }
  return total;
}

export function productTotalOfDay(state: ProductFeatures, day: number): number {
  const bucket = state.days[day];
  if (!bucket) return 0;
  let total = 0;
  for (const category in bucket.c) total += bucket.c[category]!.n;
  return total;
}

/** The complete days of own history before `day` (the first, partial, day does not count). */
export function ownHistoryDays(
  state: ProductFeatures,
  day: number,
  baselineDays: number,
): { from: number; days: number } {
  const from = Math.max(dayOfHour(state.firstHour) + 1, day - baselineDays);
  return { from, days: Math.max(0, day - from) };
}

/**
 * Day-of-week factor of `day` from the product's totals over [from, day − 1]: the mean of the
 * same weekdays over the mean of all days, shrunk towards 1 with one average day as a prior.
 */
export function weekdayFactor(
  state: ProductFeatures,
  day: number,
  from: number,
): { factor: number; basis: number } {
  const weekday = weekdayOf(day);
  let total = 0;
  let same = 0;
  let sameDays = 0;
  for (let d = from; d < day; d++) {
    const value = productTotalOfDay(state, d);
    total += value;
    if (weekdayOf(d) === weekday) {
      same += value;
      sameDays += 1;
    }
  }
  const days = day - from;
  if (days <= 0 || total === 0) return { factor: 1, basis: 1 };
  const average = total / days;
  const factor = (same + average) / ((sameDays + 1) * average);
  // basis: the counts the factor rests on (its relative variance is about 1 / basis).
  return { factor: Math.min(4, Math.max(0.25, factor)), basis: same + average };
}

/**
 * Share of a day's volume falling in each hour of day, shrunk towards uniform (two days' prior),
 * with the counts each share rests on.
 */
export function hourShares(
  state: ProductFeatures,
  day: number,
  from: number,
): { shares: number[]; basis: number[] } {
  const perHour = new Array<number>(24).fill(0);
  let total = 0;
  for (let d = from; d < day; d++) {
    const bucket = state.days[d];
    if (!bucket) continue;
    for (let h = 0; h < 24; h++) {
      const value = bucket.h[h] ?? 0;
      perHour[h] = (perHour[h] ?? 0) + value;
      total += value;
    }
  }
  const days = day - from;
  if (days <= 0 || total === 0) return { shares: perHour.map(() => 1 / 24), basis: perHour.map(() => 1) };
  const prior = (2 * total) / days / 24;
  return {
    shares: perHour.map((value) => (value + prior) / (total + 24 * prior)),
    basis: perHour.map((value) => value + prior),
  };
}

/**
 * Mean sentiment of the product over the 7 closed days before `day` against the 28 before those
 * (item-level feature; closed days only, so it is stable within a day).
 */
export function sentimentTrend(
  state: ProductFeatures,
  day: number,
): { recent: number | null; before: number | null } {
  const mean = (from: number, to: number): number | null => {
    let n = 0;
    let sum = 0;
    for (let d = from; d <= to; d++) {
      for (const counts of Object.values(state.days[d]?.c ?? {})) {
        n += counts.n;
        sum += counts.sent;
      }
    }
    return n === 0 ? null : Math.round((sum / n) * 1000) / 1000;
  };
  return { recent: mean(day - 7, day - 1), before: mean(day - 35, day - 8) };
}

/** Share of the product's counted items in defect categories over the 28 closed days before `day`. */
export function defectFrequency(
  state: ProductFeatures,
  day: number,
  defectCategories: string[],
): number | null {
  let all = 0;
  let defects = 0;
  for (let d = day - 28; d < day; d++) {
    for (const [category, counts] of Object.entries(state.days[d]?.c ?? {})) {
      all += counts.n;
      if (defectCategories.includes(category)) defects += counts.n;
    }
  }
  return all === 0 ? null : Math.round((defects / all) * 1000) / 1000;
}

/** How often a component was mentioned for this product over the last 28 days. */
export function componentRecurrence(state: ProductFeatures, day: number, component: string): number {
  let total = 0;
  for (let d = day - 27; d <= day; d++) total += state.days[d]?.comp[component] ?? 0;
  return total;
}

/*
 * Stored shape of the product document. The per-batch write serialises the whole document, so
 * it is kept compact: counts as arrays of integers (sentiment sums in millionths, the precision
 * they are kept at), hours and days as arrays of entries, each hour's markers as one text, and
 * the days that can no longer change (all their hours older than the lateness allowance) as one
 * JSON text, serialised once when they close instead of on every write.
 */

/** [n, neg, sent × 10⁶, crit] */
type StoredCounts = [number, number, number, number];
/** [n, neg, sent × 10⁶, crit, dc, cust?] */
type StoredDayCounts = [number, number, number, number, number, string[]?];
type StoredHour = [hour: number, counts: Record<string, StoredCounts>, seen?: string];
type StoredDay = [
  day: number,
  counts: Record<string, StoredDayCounts>,
  hourly: number[],
  components: Record<string, number>,
];

/** The product document as stored (`product:<productKey>`); versions 1 and 2 are still read. */
export interface StoredProductFeatures extends Omit<ProductFeatures, 'schemaVersion' | 'hours' | 'days'> {
  schemaVersion: 3;
  hours: StoredHour[];
  /** Days that can still receive items. */
  days: StoredDay[];
  /** JSON text of the older days (`StoredDay[]`), which never change again. */
  closedDays: string;
}

/** Sentiment sums are rounded to millionths (`addTo`), so the stored integer is exact. */
const toMillionths = (sent: number): number => Math.round(sent * 1e6);
const fromMillionths = (stored: number): number => stored / 1e6;

/**
 * The stored entry of each hour, reused while the hour stays the same: counting an item adds to
 * `n` and appends a marker, pruning drops the markers, so same markers and same total mean the
 * same hour. Most hours of a product do not change from one batch to the next.
 */
const storedHourEntries = new WeakMap<HourBucket, { seen?: string; items: number; entry: StoredHour }>();

function storedHour(hour: string, bucket: HourBucket): StoredHour {
  let items = 0;
  for (const category in bucket.c) items += bucket.c[category]!.n;
  const cached = storedHourEntries.get(bucket);
  if (cached !== undefined && cached.seen === bucket.seen && cached.items === items) return cached.entry;
  const counts: Record<string, StoredCounts> = {};
  for (const category in bucket.c) {
    const value = bucket.c[category]!;
    counts[category] = [value.n, value.neg, toMillionths(value.sent), value.crit];
  }
  const entry: StoredHour =
    bucket.seen === undefined ? [Number(hour), counts] : [Number(hour), counts, bucket.seen];
  storedHourEntries.set(bucket, { seen: bucket.seen, items, entry });
  return entry;
}

function storedDay(day: string, bucket: DayBucket): StoredDay {
  const counts: Record<string, StoredDayCounts> = {};
  for (const category in bucket.c) {
    const value = bucket.c[category]!;
    const sent = toMillionths(value.sent);
    counts[category] =
      value.cust === undefined
        ? [value.n, value.neg, sent, value.crit, value.dc]
        : [value.n, value.neg, sent, value.crit, value.dc, value.cust];
  }
  return [Number(day), counts, bucket.h, bucket.comp];
}

/**
 * The closed days' text of a state, kept while its closed days stay the same (they only grow at
 * the front and leave at the back, once per event day). Closed days are never changed in place:
 * an item on a closed day is late, with the lateness fixed for the life of the process.
 */
const closedDayTexts = new WeakMap<ProductFeatures, { from: number; before: number; text: string }>();

/** The document to store for `state`; days before the lateness allowance go into `closedDays`. */
export function toStoredFeatures(state: ProductFeatures, latenessHours: number): StoredProductFeatures {
  const closedBefore = dayOfHour(state.watermarkHour - latenessHours);
  const { schemaVersion: _version, hours, days, ...rest } = state;
  const openDays: StoredDay[] = [];
  let firstDay = Infinity;
  // Day keys are integers, so they iterate in ascending order.
  for (const key in days) {
    const day = Number(key);
    if (day < firstDay) firstDay = day;
    if (day >= closedBefore) openDays.push(storedDay(key, days[key]!));
  }
  let closed = closedDayTexts.get(state);
  if (closed?.from !== firstDay || closed.before !== closedBefore) {
    const closedDays: StoredDay[] = [];
    for (const key in days) if (Number(key) < closedBefore) closedDays.push(storedDay(key, days[key]!));
    closed = { from: firstDay, before: closedBefore, text: JSON.stringify(closedDays) };
    closedDayTexts.set(state, closed);
  }
  const storedHours: StoredHour[] = [];
  for (const key in hours) storedHours.push(storedHour(key, hours[key]!));
  return { ...rest, schemaVersion: 3, hours: storedHours, days: openDays, closedDays: closed.text };
}

/** Version 2 stored sentiment sums as they are and markers as a map of marker key → tag. */
interface StoredProductFeaturesV2 extends Omit<StoredProductFeatures, 'schemaVersion' | 'hours'> {
  schemaVersion: 2;
  hours: [hour: number, counts: Record<string, StoredCounts>, seen?: Record<string, string>][];
}

/** Version 1 was the state itself, with each hour's markers as a map. */
interface StoredProductFeaturesV1 extends Omit<ProductFeatures, 'hours'> {
  hours: Record<string, { c: Record<string, Counts>; seen?: Record<string, string> }>;
}

/**
 * Markers of versions 1 and 2 as a marker text. Their tags were the revision itself up to 12
 * characters; `revisionTag` of such a tag is what the revision gives today.
 */
function seenText(seen: Record<string, string>): string {
  let text = '';
  for (const key in seen) text += markerEntry(key, revisionTag(seen[key]!));
  return text;
}

/** A product document as read: the current version or an older one. */
export type AnyStoredProductFeatures =
  StoredProductFeatures | StoredProductFeaturesV2 | StoredProductFeaturesV1;

/** The state of a stored product document of any version. */
export function fromStoredFeatures(doc: AnyStoredProductFeatures): ProductFeatures {
  const version = (doc as { schemaVersion: unknown }).schemaVersion;
  if (version === 1) {
    const v1 = doc as StoredProductFeaturesV1;
    const hours: Record<string, HourBucket> = {};
    for (const key in v1.hours) {
      const { c, seen } = v1.hours[key]!;
      hours[key] = seen === undefined ? { c } : { c, seen: seenText(seen) };
    }
    return { ...v1, hours };
  }
  if (version !== 2 && version !== 3)
    throw new Error(`product features ${doc.productKey}: unknown schemaVersion ${String(version)}`);
  // Version 2 kept sentiment sums as they are.
  const sentOf = version === 3 ? fromMillionths : (stored: number): number => stored;
  const {
    schemaVersion: _version,
    hours: storedHours,
    days: openDays,
    closedDays,
    ...rest
  } = doc as StoredProductFeatures | StoredProductFeaturesV2;
  const hours: Record<string, HourBucket> = {};
  for (const [hour, counts, seen] of storedHours) {
    const c: Record<string, Counts> = {};
    for (const category in counts) {
      const [n, neg, sent, crit] = counts[category]!;
      c[category] = { n, neg, sent: sentOf(sent), crit };
    }
    if (seen === undefined) hours[hour] = { c };
    else hours[hour] = { c, seen: typeof seen === 'string' ? seen : seenText(seen) };
  }
  const days: Record<string, DayBucket> = {};
  for (const [day, counts, h, comp] of [...(JSON.parse(closedDays) as StoredDay[]), ...openDays]) {
    const c: Record<string, DayCounts> = {};
    for (const category in counts) {
      const [n, neg, stored, crit, dc, cust] = counts[category]!;
      const sent = sentOf(stored);
      c[category] = cust === undefined ? { n, neg, sent, crit, dc } : { n, neg, sent, crit, dc, cust };
    }
    days[day] = { c, h, comp };
  }
  return { ...rest, schemaVersion: 1, hours, days };
}
