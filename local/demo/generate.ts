/**
 * The demo feed: a few thousand realistic feedback items in the generic webhook item format, over
 * the demo catalog's products, in English, Spanish, French and German, spanning the 14 days of
 * event time before `now`, with one defect spike in the last 24 hours (see `DEMO_SPIKE`).
 *
 * Pure and deterministic: the same options give the same items, byte for byte. Background volume
 * is laid out with cumulative rounding per product × category over hourly slots, so every window
 * (hour, day, rolling day) holds its expected count ± 1: nothing but the spike is anomalous.
 */
import catalogJson from '../../config/catalog.json' with { type: 'json' };
import type { Channel } from '../../shared/domain/record.js';
import type { GenericItem } from '../../shared/domain/ingest/generic-item.js';
import {
  carriers,
  closings,
  componentClauses,
  contextSentences,
  emoji,
  firstNames,
  genericClauses,
  lastNames,
  openings,
  piiSentences,
  praiseClauses,
  productVoices,
  sarcasmFrames,
  spamTexts,
  spikeClauses,
  spikeDetails,
  spikeTitles,
  titles,
  type Lang,
  type ProductVoice,
  type Tone,
} from './phrases.js';
import { makeRandom, type Random } from './random.js';

/** One item of the generic webhook; the demo always names the product, locale and channel. */
export interface DemoItem extends GenericItem {
  channel: Channel;
  sku: string;
  locale: string;
}

/** What the generator meant, for tests and evaluation; never sent. */
export interface DemoTruth {
  kind: 'background' | 'spike' | 'spam' | 'duplicate';
  category: string;
  component: string | null;
  language: Lang;
  /** For `duplicate`: the id of the item it copies. */
  duplicateOf?: string;
}

export interface LabelledDemoItem {
  item: DemoItem;
  truth: DemoTruth;
}

export interface DemoFeedOptions {
  now: Date;
  seed?: number;
  /** Total number of items; default 3000. */
  items?: number;
}

export interface DemoCatalogProduct {
  sku: string;
  productId: string;
  name: string;
  aliases: string[];
  category: string;
  priceCents: number;
  strategic: boolean;
  supplier: string;
}

export const demoCatalog: { version: string; currency: string; products: DemoCatalogProduct[] } = catalogJson;

/** The one injected incident. The score stage must raise exactly one alert, for this. */
export const DEMO_SPIKE = { sku: 'TRL-BOOT-42', category: 'defect', component: 'sole' } as const;

export const DEMO_DEFAULT_SEED = 20261127;
export const DEMO_DEFAULT_ITEMS = 3000;
export const DEMO_DAYS = 14;
/** The spike lies inside this many hours before `now`. */
export const DEMO_SPIKE_HOURS = 22;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const languageWeights: Record<Lang, number> = { en: 45, es: 20, fr: 17, de: 18 };
const localesByLanguage: Record<Lang, Record<string, number>> = {
  en: { 'en-GB': 5, 'en-US': 3, 'en-IE': 2 },
  es: { 'es-ES': 8, 'es-MX': 2 },
  fr: { 'fr-FR': 8, 'fr-BE': 2 },
  de: { 'de-DE': 7, 'de-AT': 3 },
};

/** Reviews after the weekend, fewer on Friday and Saturday; index is the UTC weekday (Sunday 0). */
const weekdayFactor = normalizeMean([1.1, 1.15, 1.05, 1.0, 0.95, 0.9, 0.85]);
/** European evenings busiest, nights quiet; index is the UTC hour. */
const hourFactor = normalizeMean([
  0.2, 0.15, 0.1, 0.1, 0.15, 0.3, 0.6, 0.9, 1.2, 1.4, 1.5, 1.5, 1.4, 1.3, 1.3, 1.3, 1.3, 1.4, 1.6, 1.8, 1.8,
  1.5, 1.0, 0.5,
]);

type Category =
  | 'defect'
  | 'quality'
  | 'sizing_fit'
  | 'not_as_described'
  | 'wrong_or_missing_item'
  | 'damaged_in_transit'
  | 'delivery'
  | 'customer_service'
  | 'returns_refunds'
  | 'price_value'
  | 'usability'
  | 'praise'
  | 'other';

/** Share of a product's daily volume per category, before adjustment for the product's kind. */
const baseMix: Record<Category, number> = {
  praise: 42,
  other: 5,
  defect: 5,
  quality: 5,
  sizing_fit: 0,
  not_as_described: 4,
  wrong_or_missing_item: 3,
  damaged_in_transit: 3,
  delivery: 8,
  customer_service: 3,
  returns_refunds: 4,
  price_value: 4,
  usability: 0,
};

const channelsByCategory: Record<Category, Partial<Record<Channel, number>>> = {
  praise: { review: 60, nps: 25, appstore: 10, chat: 5 },
  defect: { review: 40, ticket: 30, return: 20, chat: 10 },
  quality: { review: 50, return: 30, ticket: 20 },
  sizing_fit: { return: 50, review: 40, chat: 10 },
  not_as_described: { review: 40, return: 40, ticket: 20 },
  wrong_or_missing_item: { ticket: 50, chat: 30, return: 20 },
  damaged_in_transit: { ticket: 40, return: 30, review: 20, chat: 10 },
  delivery: { ticket: 40, chat: 30, nps: 20, review: 10 },
  customer_service: { nps: 40, ticket: 30, review: 20, chat: 10 },
  returns_refunds: { ticket: 50, chat: 30, nps: 20 },
  price_value: { review: 50, nps: 40, chat: 10 },
  usability: { review: 50, appstore: 30, ticket: 20 },
  other: { chat: 40, review: 30, ticket: 30 },
};

const returnReasonCodes: Partial<Record<Category, string>> = {
  defect: 'defective',
  quality: 'poor_quality',
  sizing_fit: 'size',
  not_as_described: 'not_as_described',
  wrong_or_missing_item: 'wrong_item',
  damaged_in_transit: 'damaged',
};

interface Slot {
  at: number;
  sku: string;
  category: Category;
  kind: DemoTruth['kind'];
}

interface Draft {
  at: number;
  item: Omit<DemoItem, 'id' | 'createdAt'>;
  truth: Omit<DemoTruth, 'duplicateOf'>;
  duplicateOf?: Draft;
}

export function generateDemoFeed(options: DemoFeedOptions): DemoItem[] {
  return generateLabelledDemoFeed(options).map((labelled) => labelled.item);
}

export function generateLabelledDemoFeed(options: DemoFeedOptions): LabelledDemoItem[] {
  const seed = options.seed ?? DEMO_DEFAULT_SEED;
  const total = options.items ?? DEMO_DEFAULT_ITEMS;
  const nowMs = options.now.getTime();
  if (!Number.isFinite(nowMs)) throw new Error('generateDemoFeed: now is not a valid date');
  if (!Number.isInteger(total) || total < 200)
    throw new Error('generateDemoFeed: items must be an integer >= 200');
  const random = makeRandom(seed);
  // Whole seconds keep createdAt stable and readable.
  const end = Math.floor(nowMs / 1000) * 1000;
  const start = end - DEMO_DAYS * DAY_MS;

  const spikeCount = Math.min(80, Math.max(40, Math.round(total * 0.02)));
  const spamCount = Math.max(3, Math.round(total * 0.003));
  const duplicateCount = Math.max(3, Math.round(total * 0.004));
  const backgroundCount = total - spikeCount - spamCount - duplicateCount;

  const backgroundSlots = layOutBackground(random, start, backgroundCount);
  const writer = makeWriter(random);
  const drafts: Draft[] = backgroundSlots.map((slot) => writer.background(slot));
  drafts.push(...spikeTimes(random, end, spikeCount).map((at, index) => writer.spike(at, index)));
  for (let index = 0; index < spamCount; index += 1) {
    drafts.push(writer.spam(rhythmTime(random, start, end - HOUR_MS)));
  }
  drafts.push(...copyPastes(random, drafts, duplicateCount, end));

  drafts.sort((a, b) => a.at - b.at);
  const ids = new Map<Draft, string>();
  const prefix = `demo-${seed.toString(36)}`;
  drafts.forEach((draft, index) => ids.set(draft, `${prefix}-${String(index + 1).padStart(5, '0')}`));
  return drafts.map((draft) => {
    const id = ids.get(draft) ?? '';
    const item: DemoItem = { id, ...draft.item, createdAt: new Date(draft.at).toISOString() };
    const truth: DemoTruth = { ...draft.truth };
    if (draft.duplicateOf) truth.duplicateOf = ids.get(draft.duplicateOf) ?? '';
    return { item: orderFields(item), truth };
  });
}

/** Per product × category, hourly expected counts accumulated and rounded: steady by construction. */
function layOutBackground(random: Random, start: number, target: number): Slot[] {
  const products = demoCatalog.products;
  const weightSum = products.reduce((sum, product) => sum + voiceOf(product.sku).weight, 0);
  const slots: Slot[] = [];
  for (const product of products) {
    const voice = voiceOf(product.sku);
    const mix = mixFor(voice);
    const mixSum = Object.values(mix).reduce((sum, share) => sum + share, 0);
    const productPerDay = (target / DEMO_DAYS) * (voice.weight / weightSum);
    for (const [category, share] of Object.entries(mix) as [Category, number][]) {
      if (share === 0) continue;
      const perDay = (productPerDay * share) / mixSum;
      let cumulative = random.next();
      for (let day = 0; day < DEMO_DAYS; day += 1) {
        const jitter = 0.85 + 0.3 * random.next();
        for (let hour = 0; hour < 24; hour += 1) {
          const slotStart = start + day * DAY_MS + hour * HOUR_MS;
          const when = new Date(slotStart);
          const expected =
            (perDay / 24) *
            jitter *
            (weekdayFactor[when.getUTCDay()] ?? 1) *
            (hourFactor[when.getUTCHours()] ?? 1);
          const count = Math.floor(cumulative + expected) - Math.floor(cumulative);
          cumulative += expected;
          for (let k = 0; k < count; k += 1) {
            slots.push({
              at: slotStart + random.int(0, 3599) * 1000,
              sku: product.sku,
              category,
              kind: 'background',
            });
          }
        }
      }
    }
  }
  // Rounding leaves the total a few items off: trim or pad with praise, which never alerts.
  while (slots.length > target) {
    const praiseIndexes = slots.flatMap((slot, index) => (slot.category === 'praise' ? [index] : []));
    slots.splice(random.pick(praiseIndexes), 1);
  }
  while (slots.length < target) {
    const product = random.pick(products);
    slots.push({
      at: rhythmTime(random, start, start + DEMO_DAYS * DAY_MS),
      sku: product.sku,
      category: 'praise',
      kind: 'background',
    });
  }
  return slots;
}

function mixFor(voice: ProductVoice): Record<Category, number> {
  const mix = { ...baseMix };
  if (voice.kind === 'footwear' || voice.kind === 'apparel') mix.sizing_fit = 7;
  if (voice.kind === 'home' && voice.sized) mix.sizing_fit = 2;
  if (voice.kind === 'kitchen') {
    mix.usability = 4;
    mix.damaged_in_transit = 5;
  }
  if (voice.kind === 'electronics') mix.usability = voice.hasApp ? 6 : 3;
  if (voice.kind === 'home' && !voice.sized) mix.usability = 3;
  return mix;
}

/** A time in [from, to) following the daily and weekly rhythm. */
function rhythmTime(random: Random, from: number, to: number): number {
  const maxWeight = Math.max(...weekdayFactor) * Math.max(...hourFactor);
  for (;;) {
    const at = from + Math.floor((random.next() * (to - from)) / 1000) * 1000;
    const when = new Date(at);
    const weight = (weekdayFactor[when.getUTCDay()] ?? 1) * (hourFactor[when.getUTCHours()] ?? 1);
    if (random.next() * maxWeight < weight) return at;
  }
}

/** The spike's event times: inside the last `DEMO_SPIKE_HOURS` hours, ramping up, following the day. */
function spikeTimes(random: Random, end: number, count: number): number[] {
  const from = end - DEMO_SPIKE_HOURS * HOUR_MS;
  const to = end - 5 * 60_000;
  const maxWeight = 2.5 * Math.max(...hourFactor);
  const times: number[] = [];
  while (times.length < count) {
    const at = from + Math.floor((random.next() * (to - from)) / 1000) * 1000;
    const ramp = 1 + 1.5 * ((at - from) / (to - from));
    // A floor on the diurnal weight keeps the night from emptying the spike's first hours.
    const weight = ramp * Math.max(0.6, hourFactor[new Date(at).getUTCHours()] ?? 1);
    if (random.next() * maxWeight < weight) times.push(at);
  }
  return times.sort((a, b) => a - b);
}

/** Customers who submitted the same text twice, a few minutes apart. */
function copyPastes(random: Random, drafts: Draft[], count: number, end: number): Draft[] {
  const candidates = drafts.filter(
    (draft) => draft.truth.kind === 'background' && draft.at < end - 2 * HOUR_MS,
  );
  random.shuffle(candidates);
  return candidates.slice(0, count).map((original) => ({
    at: original.at + random.int(60, 1800) * 1000,
    item: { ...original.item },
    truth: { ...original.truth, kind: 'duplicate' },
    duplicateOf: original,
  }));
}

function voiceOf(sku: string): ProductVoice {
  const voice = productVoices[sku];
  if (!voice) throw new Error(`no demo voice for catalog sku ${sku}`);
  return voice;
}

function productOf(sku: string): DemoCatalogProduct {
  const product = demoCatalog.products.find((candidate) => candidate.sku === sku);
  if (!product) throw new Error(`sku ${sku} is not in the demo catalog`);
  return product;
}

function makeWriter(random: Random) {
  const catalogSize = demoCatalog.products.length;
  const customerPool = 2400;
  let spikeCustomer = 0;
  let spamAccount = 0;

  const pick = <T>(values: readonly T[]): T => random.pick(values);
  const language = (): Lang => random.weighted(languageWeights);
  const localeOf = (lang: Lang): string => random.weighted(localesByLanguage[lang]);
  const orderNumber = (): string => `#${random.int(10200, 48999)}`;

  const fill = (template: string, lang: Lang, voice: ProductVoice, category: string): string =>
    template
      .replaceAll('{product}', pick(voice.mentions[lang]))
      .replaceAll('{days}', String(category === 'delivery' ? random.int(8, 15) : random.int(2, 12)))
      .replaceAll('{carrier}', pick(carriers[lang]))
      .replaceAll('{order}', orderNumber())
      .replaceAll('{email}', `${pick(firstNames)}.${pick(lastNames)}${random.int(1, 99)}@example.com`)
      .replaceAll('{phone}', phoneNumber(random, lang));

  const rating = (tone: Tone): number => {
    if (tone === 'positive') return random.chance(0.7) ? 5 : 4;
    if (tone === 'neutral') return random.int(3, 4);
    const roll = random.next();
    return roll < 0.55 ? 1 : roll < 0.9 ? 2 : 3;
  };
  const npsScore = (tone: Tone): number =>
    tone === 'positive' ? random.int(9, 10) : tone === 'neutral' ? random.int(7, 8) : random.int(0, 6);

  /** Opening, core, context, closing, contact details, emoji; with typos, case and sarcasm now and then. */
  const compose = (
    core: string,
    tone: Tone,
    lang: Lang,
    voice: ProductVoice,
    category: string,
    extras: string[],
    withContext = true,
  ): string => {
    const parts: string[] = [];
    let sentence: string;
    if (tone === 'negative' && random.chance(0.06)) {
      sentence = pick(sarcasmFrames[lang]).replace('{clause}', core);
    } else {
      const opening = random.chance(0.5) ? pick(openings[tone][lang]) : '';
      sentence = opening ? joinOpening(opening, core) : capitalize(core);
      sentence = terminate(sentence);
    }
    parts.push(sentence, ...extras);
    let tail: string[] = [];
    if (withContext && random.chance(0.3))
      tail.push(fill(pick(contextSentences[lang]), lang, voice, category));
    if (random.chance(0.5)) tail.push(pick(closings[tone][lang]));
    if (random.chance(0.07)) tail = tail.map((part) => withTypo(random, part));
    parts.push(...tail);
    if (random.chance(tone === 'negative' ? 0.1 : 0.02))
      parts.push(fill(pick(piiSentences[lang]), lang, voice, category));
    if (random.chance(0.2)) parts.push(pick(emoji[tone]));
    let text = parts.join(' ');
    if (tone === 'negative' && random.chance(0.02)) text = text.toUpperCase();
    else if (random.chance(0.05)) text = text.toLowerCase();
    return text;
  };

  const channelFor = (category: Category, voice: ProductVoice): Channel => {
    const channel = random.weighted(channelsByCategory[category]);
    return channel === 'appstore' && !voice.hasApp ? 'review' : channel;
  };

  const shape = (
    at: number,
    sku: string,
    channel: Channel,
    lang: Lang,
    text: string,
    tone: Tone,
    category: Category,
    titleOptions: readonly string[],
    customerId: string | undefined,
  ): Omit<Draft, 'truth'> => {
    const product = productOf(sku);
    const voice = voiceOf(sku);
    const item: Draft['item'] = { channel, text, sku, locale: localeOf(lang) };
    const attributes: Record<string, string> = { feed: 'demo' };
    if (channel === 'review' || channel === 'appstore') {
      item.rating = rating(tone);
      if (random.chance(0.6)) item.title = pick(titleOptions);
    }
    if (channel === 'ticket') item.title = pick(titleOptions);
    if (channel === 'nps') item.npsScore = npsScore(tone);
    // The return form's reason code travels as an attribute; the text is the customer's comment.
    if (channel === 'return') attributes.returnReason = returnReasonCodes[category] ?? 'other';
    if (channel === 'appstore') {
      attributes.platform = random.chance(0.55) ? 'ios' : 'android';
      attributes.appVersion = `3.${random.int(2, 4)}.${random.int(0, 9)}`;
    }
    if (random.chance(0.85)) item.productId = product.productId;
    if (channel !== 'nps' && (channel !== 'review' || random.chance(0.3))) item.orderRef = orderNumber();
    if (customerId) item.customerId = customerId;
    if (random.chance(0.5)) attributes.variant = pick(voice.variants);
    item.attributes = attributes;
    return { at, item };
  };

  return {
    background(slot: Slot): Draft {
      const voice = voiceOf(slot.sku);
      const lang = language();
      const tone: Tone =
        slot.category === 'praise' ? 'positive' : slot.category === 'other' ? 'neutral' : 'negative';
      const { clause, component } = coreClause(random, slot.category, voice, lang);
      const extras: string[] = [];
      if (slot.category === 'praise' && random.chance(0.3)) {
        extras.push(terminate(capitalize(fill(pick(praiseClauses.any[lang]), lang, voice, slot.category))));
      }
      const text = compose(
        fill(clause, lang, voice, slot.category),
        tone,
        lang,
        voice,
        slot.category,
        extras,
      );
      const channel = channelFor(slot.category, voice);
      const titleOptions = titles[slot.category]?.[lang] ?? [];
      const draft = shape(
        slot.at,
        slot.sku,
        channel,
        lang,
        text,
        tone,
        slot.category,
        titleOptions,
        `cus_${String(random.int(1, customerPool)).padStart(5, '0')}`,
      );
      return { ...draft, truth: { kind: 'background', category: slot.category, component, language: lang } };
    },

    /** Languages are dealt round the spike so each of the four has its share. */
    spike(at: number, index: number): Draft {
      const lang = spikeLanguage(index);
      const voice = voiceOf(DEMO_SPIKE.sku);
      const details = random.shuffle([...spikeDetails[lang]]).slice(0, random.int(1, 2));
      const extras = details.map((detail) => fill(detail, lang, voice, DEMO_SPIKE.category));
      // No generic context sentences: the spike's own details say enough, and stay on topic.
      const text = compose(
        pick(spikeClauses[lang]),
        'negative',
        lang,
        voice,
        DEMO_SPIKE.category,
        extras,
        false,
      );
      const channel = random.weighted<Channel>({ review: 55, ticket: 20, chat: 17, return: 8 });
      spikeCustomer += 1;
      const draft = shape(
        at,
        DEMO_SPIKE.sku,
        channel,
        lang,
        text,
        'negative',
        'defect',
        spikeTitles[lang],
        `cus_${String(90000 + spikeCustomer)}`,
      );
      if (draft.item.rating !== undefined) draft.item.rating = random.chance(0.7) ? 1 : 2;
      return {
        ...draft,
        truth: {
          kind: 'spike',
          category: DEMO_SPIKE.category,
          component: DEMO_SPIKE.component,
          language: lang,
        },
      };
    },

    spam(at: number): Draft {
      const lang = language();
      const product = demoCatalog.products[random.int(0, catalogSize - 1)] ?? productOf(DEMO_SPIKE.sku);
      spamAccount += 1;
      const draft = shape(
        at,
        product.sku,
        'review',
        lang,
        pick(spamTexts[lang]),
        'positive',
        'other',
        ['!!!', 'WOW'],
        `guest_${String(spamAccount)}`,
      );
      draft.item.rating = 5;
      return { ...draft, truth: { kind: 'spam', category: 'other', component: null, language: lang } };
    },
  };
}

function coreClause(
  random: Random,
  category: Category,
  voice: ProductVoice,
  lang: Lang,
): { clause: string; component: string | null } {
  const device =
    voice.kind === 'kitchen' || voice.kind === 'electronics' || (voice.kind === 'home' && !voice.sized);
  if (category === 'defect' || category === 'quality') {
    const components = category === 'defect' ? voice.defectComponents : voice.qualityComponents;
    const bank = componentClauses[category];
    if (components.length > 0 && random.chance(category === 'defect' ? 0.75 : 0.6)) {
      const component = random.pick(components);
      const clauses = bank[component]?.[lang];
      if (clauses) return { clause: random.pick(clauses), component };
    }
    const generic =
      category === 'quality'
        ? genericClauses.quality
        : device
          ? genericClauses.defect_device
          : genericClauses.defect_wearable;
    return { clause: random.pick(generic?.[lang] ?? []), component: null };
  }
  if (category === 'praise') {
    const specific = device ? praiseClauses.device : praiseClauses.wearable;
    return {
      clause: random.pick(random.chance(0.6) ? praiseClauses.any[lang] : specific[lang]),
      component: null,
    };
  }
  let clauses = genericClauses[category]?.[lang] ?? [];
  // Only products with a companion app get complaints about one.
  if (!voice.hasApp) clauses = clauses.filter((clause) => !/\bapp\b|aplicaci|application/i.test(clause));
  return { clause: random.pick(clauses), component: null };
}

/** Dealt in a cycle of ten (7 is coprime to 10): four English, two each of Spanish, French, German. */
const spikeLanguageCycle: readonly Lang[] = ['en', 'en', 'en', 'en', 'es', 'es', 'fr', 'fr', 'de', 'de'];

function spikeLanguage(index: number): Lang {
  return spikeLanguageCycle[(index * 7) % spikeLanguageCycle.length] ?? 'en';
}

function phoneNumber(random: Random, lang: Lang): string {
  const digits = (n: number): string => Array.from({ length: n }, () => String(random.int(0, 9))).join('');
  // Ranges reserved for drama and fiction where the country has one (UK 07700 900xxx, FR 06 39 98).
  if (lang === 'en') return `+44 7700 900${digits(3)}`;
  if (lang === 'fr') return `06 39 98 ${digits(2)} ${digits(2)}`;
  if (lang === 'es') return `+34 600 000 ${digits(3)}`;
  return `+49 151 0000 ${digits(4)}`;
}

/** An adjacent-letter swap in one longer word, as people type on phones. */
function withTypo(random: Random, text: string): string {
  const words = text.split(' ');
  const candidates = words.flatMap((word, index) => (/^\p{L}{6,}$/u.test(word) ? [index] : []));
  if (candidates.length === 0) return text;
  const index = random.pick(candidates);
  const word = words[index] ?? '';
  const at = random.int(1, word.length - 3);
  words[index] = word.slice(0, at) + (word[at + 1] ?? '') + (word[at] ?? '') + word.slice(at + 2);
  return words.join(' ');
}

function joinOpening(opening: string, core: string): string {
  return /[.!]$/.test(opening) ? `${opening} ${capitalize(core)}` : `${opening} ${core}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function terminate(text: string): string {
  return /[.!?…)]$/.test(text) ? text : `${text}.`;
}

/** A stable key order, so the serialized feed is byte-identical for a seed. */
function orderFields(item: DemoItem): DemoItem {
  const ordered: DemoItem = { id: item.id, channel: item.channel, text: item.text } as DemoItem;
  if (item.title !== undefined) ordered.title = item.title;
  if (item.rating !== undefined) ordered.rating = item.rating;
  if (item.npsScore !== undefined) ordered.npsScore = item.npsScore;
  ordered.sku = item.sku;
  if (item.productId !== undefined) ordered.productId = item.productId;
  if (item.orderRef !== undefined) ordered.orderRef = item.orderRef;
  if (item.customerId !== undefined) ordered.customerId = item.customerId;
  ordered.locale = item.locale;
  ordered.createdAt = item.createdAt;
  if (item.attributes !== undefined) ordered.attributes = item.attributes;
  return ordered;
}

function normalizeMean(values: number[]): number[] {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return values.map((value) => value / mean);
}
