import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  DEMO_DAYS,
  DEMO_SPIKE,
  DEMO_SPIKE_HOURS,
  demoCatalog,
  generateDemoFeed,
  generateLabelledDemoFeed,
  type LabelledDemoItem,
} from '../../local/demo/generate.js';
import { languages, productVoices } from '../../local/demo/phrases.js';
import { validateGenericBatch, validateGenericItem } from '../../shared/domain/ingest/generic-item.js';
import { channels } from '../../shared/domain/record.js';
import type { Taxonomy } from '../../shared/domain/taxonomy.js';

const taxonomy = JSON.parse(readFileSync('config/taxonomy.json', 'utf8')) as Taxonomy;
const catalogFile = JSON.parse(readFileSync('config/catalog.json', 'utf8')) as typeof demoCatalog;
const now = new Date('2026-11-28T09:30:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const feed = generateLabelledDemoFeed({ now, seed: 7 });
const spike = feed.filter((labelled) => labelled.truth.kind === 'spike');

/** Items per product × category in each 24-hour block ending at `now` (block DEMO_DAYS - 1 is the last day). */
function dailyCounts(items: LabelledDemoItem[]): Map<string, number[]> {
  const counts = new Map<string, number[]>();
  for (const { item, truth } of items) {
    const key = `${item.sku}|${truth.category}`;
    const block = DEMO_DAYS - 1 - Math.floor((now.getTime() - 1 - Date.parse(item.createdAt)) / DAY);
    const days = counts.get(key) ?? new Array<number>(DEMO_DAYS).fill(0);
    days[block] = (days[block] ?? 0) + 1;
    counts.set(key, days);
  }
  return counts;
}

const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;

/** Words and word pairs, as a near-duplicate filter sees a text (shorter texts: character 4-grams). */
function shingles(text: string): Set<string> {
  const words = text
    .toLowerCase()
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 2);
  if (words.length < 8) {
    const joined = words.join(' ');
    return new Set(
      Array.from({ length: Math.max(0, joined.length - 3) }, (_, index) => joined.slice(index, index + 4)),
    );
  }
  const grams = new Set<string>(words);
  for (let index = 0; index + 1 < words.length; index += 1) grams.add(`${words[index]} ${words[index + 1]}`);
  return grams;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const gram of a) if (b.has(gram)) shared += 1;
  const union = a.size + b.size - shared;
  return union === 0 ? 1 : shared / union;
}

void describe('demo catalog', () => {
  void it('has a dozen products with unique skus and ids, prices and a voice for each', () => {
    assert.equal(catalogFile.version, 'demo-2026-11');
    assert.equal(catalogFile.currency, 'EUR');
    assert.equal(catalogFile.products.length, 12);
    assert.equal(new Set(catalogFile.products.map((product) => product.sku)).size, 12);
    assert.equal(new Set(catalogFile.products.map((product) => product.productId)).size, 12);
    assert.deepEqual(
      new Set(catalogFile.products.map((product) => product.category)),
      new Set(['footwear', 'outdoor_apparel', 'kitchen_appliances', 'electronics_accessories', 'home']),
    );
    for (const product of catalogFile.products) {
      assert.match(product.productId, /^gid:\/\/shopify\/Product\/\d+$/);
      assert.ok(Number.isInteger(product.priceCents) && product.priceCents > 0, product.sku);
      assert.ok(product.aliases.length >= 3, product.sku);
      assert.ok(
        product.aliases.every((alias) => alias === alias.toLowerCase()),
        product.sku,
      );
      assert.ok(productVoices[product.sku], `no demo voice for ${product.sku}`);
    }
  });

  void it('names only taxonomy components, each allowed for the category it is used in', () => {
    const components = new Map(taxonomy.components.map((component) => [component.id, component]));
    for (const [sku, voice] of Object.entries(productVoices)) {
      for (const id of voice.defectComponents)
        assert.ok(components.get(id)?.categories.includes('defect'), `${sku} ${id}`);
      for (const id of voice.qualityComponents)
        assert.ok(components.get(id)?.categories.includes('quality'), `${sku} ${id}`);
    }
    assert.ok(components.get(DEMO_SPIKE.component)?.categories.includes(DEMO_SPIKE.category));
    assert.ok(catalogFile.products.some((product) => product.sku === DEMO_SPIKE.sku && product.strategic));
  });
});

void describe('generateDemoFeed', () => {
  void it('is deterministic for a seed and differs between seeds', () => {
    const again = generateLabelledDemoFeed({ now, seed: 7 });
    assert.equal(JSON.stringify(again), JSON.stringify(feed));
    assert.deepEqual(
      generateDemoFeed({ now, seed: 7 }),
      feed.map((labelled) => labelled.item),
    );
    const other = generateDemoFeed({ now, seed: 8 });
    assert.notEqual(JSON.stringify(other), JSON.stringify(feed.map((labelled) => labelled.item)));
  });

  void it('returns the requested number of items, 3000 by default', () => {
    assert.equal(feed.length, 3000);
    assert.equal(generateDemoFeed({ now, items: 1200 }).length, 1200);
    assert.throws(() => generateDemoFeed({ now, items: 10 }), /items/);
  });

  void it('emits valid generic webhook items with unique ids, in event-time order, inside the 14 days', () => {
    const items = feed.map((labelled) => labelled.item);
    assert.equal(new Set(items.map((item) => item.id)).size, items.length);
    const products = new Map(catalogFile.products.map((product) => [product.sku, product]));
    let previous = 0;
    for (const item of items) {
      const checked = validateGenericItem(item);
      assert.ok(checked.ok, `${item.id}: ${checked.ok ? '' : checked.error}`);
      const at = Date.parse(item.createdAt);
      assert.ok(
        at <= now.getTime() && at > now.getTime() - DEMO_DAYS * DAY,
        `${item.id} at ${item.createdAt}`,
      );
      assert.ok(at >= previous, `${item.id} out of order`);
      previous = at;
      assert.ok(item.text.trim().length > 0);
      if (item.rating !== undefined)
        assert.ok(Number.isInteger(item.rating) && item.rating >= 1 && item.rating <= 5);
      if (item.npsScore !== undefined)
        assert.ok(Number.isInteger(item.npsScore) && item.npsScore >= 0 && item.npsScore <= 10);
      assert.ok(item.channel !== 'nps' || item.npsScore !== undefined, `${item.id} nps without a score`);
      assert.ok(item.channel !== 'review' || item.rating !== undefined, `${item.id} review without a rating`);
      const product = products.get(item.sku);
      assert.ok(product, `${item.id} unknown sku ${item.sku}`);
      if (item.productId !== undefined) assert.equal(item.productId, product.productId);
    }
    for (let start = 0; start < items.length; start += 100) {
      assert.ok(validateGenericBatch(items.slice(start, start + 100)).ok);
    }
  });

  void it('spreads over four languages, every channel, every product, every category and all 14 days', () => {
    const share = (predicate: (labelled: LabelledDemoItem) => boolean) =>
      feed.filter(predicate).length / feed.length;
    for (const lang of languages) {
      assert.ok(share((labelled) => labelled.truth.language === lang) > 0.12, lang);
      assert.ok(
        feed
          .filter((labelled) => labelled.truth.language === lang)
          .every((labelled) => labelled.item.locale.startsWith(lang)),
      );
    }
    for (const channel of channels)
      assert.ok(
        feed.some((labelled) => labelled.item.channel === channel),
        channel,
      );
    for (const product of catalogFile.products)
      assert.ok(share((labelled) => labelled.item.sku === product.sku) > 0.03, product.sku);
    for (const category of taxonomy.categories) {
      assert.ok(feed.filter((labelled) => labelled.truth.category === category.id).length >= 30, category.id);
    }
    assert.ok(share((labelled) => labelled.truth.category === 'praise') > 0.35);
    const perDay = new Array<number>(DEMO_DAYS).fill(0);
    for (const { item } of feed)
      perDay[DEMO_DAYS - 1 - Math.floor((now.getTime() - 1 - Date.parse(item.createdAt)) / DAY)]! += 1;
    const background = perDay.slice(0, DEMO_DAYS - 1);
    assert.ok(
      Math.min(...background) > 0.7 * mean(background) && Math.max(...background) < 1.3 * mean(background),
      `${perDay.join(',')}`,
    );
    // A daily rhythm: the busiest hour of the day sees several times the quietest.
    const perHour = new Array<number>(24).fill(0);
    for (const { item } of feed) perHour[new Date(item.createdAt).getUTCHours()]! += 1;
    assert.ok(Math.max(...perHour) > 4 * Math.min(...perHour));
  });

  void it('injects the spike on DEMO_SPIKE only, 40 to 80 distinct complaints in all four languages within the last day', () => {
    assert.ok(spike.length >= 40 && spike.length <= 80, `${spike.length}`);
    const windowStart = now.getTime() - DEMO_SPIKE_HOURS * HOUR;
    const sole = taxonomy.components.find((component) => component.id === DEMO_SPIKE.component);
    for (const { item, truth } of spike) {
      assert.equal(item.sku, DEMO_SPIKE.sku);
      assert.equal(truth.category, DEMO_SPIKE.category);
      assert.equal(truth.component, DEMO_SPIKE.component);
      assert.ok(Date.parse(item.createdAt) >= windowStart && Date.parse(item.createdAt) <= now.getTime());
      const synonyms = sole?.synonyms[truth.language] ?? [];
      assert.ok(
        synonyms.some((word) => item.text.toLowerCase().includes(word)),
        item.text,
      );
      assert.ok(item.rating === undefined || item.rating <= 2);
    }
    for (const lang of languages) {
      assert.ok(
        spike.filter((labelled) => labelled.truth.language === lang).length >= 0.15 * spike.length,
        lang,
      );
    }
    // One customer complaining twice counts once, so the spike's customers are all different.
    assert.equal(new Set(spike.map((labelled) => labelled.item.customerId)).size, spike.length);
    // A near-duplicate filter (Jaccard 0.5 against every earlier item of the product) leaves 40 or more.
    const earlier: Set<string>[] = [];
    let distinct = 0;
    for (const { item, truth } of feed.filter((labelled) => labelled.item.sku === DEMO_SPIKE.sku)) {
      const grams = shingles(item.text);
      if (truth.kind === 'spike' && !earlier.some((other) => jaccard(grams, other) >= 0.5)) distinct += 1;
      earlier.push(grams);
    }
    assert.ok(distinct >= 40, `only ${distinct} distinct spike texts`);
  });

  void it('keeps every product × category steady: only the spike stands out', () => {
    const counts = dailyCounts(feed);
    const spikeKey = `${DEMO_SPIKE.sku}|${DEMO_SPIKE.category}`;
    for (const [key, days] of counts) {
      const history = key === spikeKey ? days.slice(0, DEMO_DAYS - 1) : days;
      const average = mean(history);
      // Complaints stay within a few items of their mean; praise (a dozen a day) within half of it.
      const allowance = key.endsWith('|praise') ? Math.max(3, average / 2) : 3;
      assert.ok(Math.max(...history) - average <= allowance, `${key}: ${days.join(',')}`);
    }
    const spikeDays = counts.get(spikeKey) ?? [];
    const baseline = mean(spikeDays.slice(0, DEMO_DAYS - 1));
    assert.ok(baseline >= 0.5 && baseline <= 3, `baseline ${baseline}`);
    assert.ok((spikeDays[DEMO_DAYS - 1] ?? 0) >= 40 + Math.floor(baseline), `${spikeDays.join(',')}`);
    // Hour by hour too: outside the spike no product × category complaint count bunches up.
    const hourly = new Map<string, number>();
    for (const { item, truth } of feed) {
      if (truth.kind === 'spike' || truth.category === 'praise') continue;
      const key = `${item.sku}|${truth.category}|${Math.floor(Date.parse(item.createdAt) / HOUR)}`;
      hourly.set(key, (hourly.get(key) ?? 0) + 1);
    }
    assert.ok(Math.max(...hourly.values()) <= 3, `max ${Math.max(...hourly.values())} in an hour`);
  });

  void it('names the intended component in the customer’s language', () => {
    const byId = new Map(taxonomy.components.map((component) => [component.id, component]));
    const named = feed.filter((labelled) => labelled.truth.component !== null);
    assert.ok(named.length > 100);
    for (const { item, truth } of named) {
      const synonyms = byId.get(truth.component ?? '')?.synonyms[truth.language] ?? [];
      assert.ok(
        synonyms.some((word) => item.text.toLowerCase().includes(word)),
        `${truth.component}: ${item.text}`,
      );
    }
  });

  void it('mentions no safety hazard in any language, so the spike is the only alert', () => {
    const stems = [
      // en
      'fire',
      'smok',
      'melt',
      'burn',
      'shock',
      'spark',
      'explo',
      'injur',
      'hurt',
      'bleed',
      'blood',
      'chok',
      'allerg',
      'blister',
      'overheat',
      'scald',
      'danger',
      'hazard',
      'died',
      'dead',
      'death',
      'kill',
      'toxic',
      'poison',
      // es
      'fuego',
      'humo',
      'quem',
      'derret',
      'descarga',
      'chispa',
      'herid',
      'lesión',
      'alergi',
      'explot',
      'ahog',
      'incendi',
      'peligr',
      'tóxic',
      // fr
      'fumée',
      'brûl',
      'brul',
      'fondu',
      'étincel',
      'bless',
      'allergi',
      'explos',
      'étouff',
      'incendi',
      'électrocu',
      'toxique',
      // de
      'feuer',
      'rauch',
      'verbrann',
      'geschmolz',
      'schmilz',
      'stromschlag',
      'funke',
      'verletz',
      'erstick',
      'heiß',
      'heiss',
      'gefahr',
      'gefährlich',
      'giftig',
    ];
    const words = ['hot', 'cut', 'cuts', 'rash', 'feu', 'choc', 'brand', 'fume'];
    const stem = new RegExp(`(?<!\\p{L})(${stems.join('|')})`, 'iu');
    const word = new RegExp(`(?<!\\p{L})(${words.join('|')})(?!\\p{L})`, 'iu');
    for (const { item } of feed) {
      const text = `${item.title ?? ''} ${item.text}`;
      assert.ok(!stem.test(text) && !word.test(text), `${item.id}: ${text}`);
      assert.ok(!/[\u{1F525}\u{1F4A5}\u26A1\u{1F691}\u{1F915}]/u.test(text), `${item.id} has a hazard emoji`);
    }
  });

  void it('includes the mess real feeds have: contact details, spam, copy-pasted duplicates, emoji', () => {
    const texts = feed.map((labelled) => labelled.item.text);
    assert.ok(texts.filter((text) => /@example\.com/.test(text)).length >= 20);
    assert.ok(
      texts.filter((text) => /\+44 7700 900\d{3}|06 39 98|\+34 600 000|\+49 151 0000/.test(text)).length >=
        10,
    );
    assert.ok(texts.filter((text) => /#\d{5}/.test(text)).length >= 20);
    assert.ok(texts.filter((text) => /\p{Extended_Pictographic}/u.test(text)).length >= 200);
    assert.ok(
      feed
        .filter((labelled) => labelled.truth.kind === 'spam')
        .every((labelled) => /\.example\b/.test(labelled.item.text)),
    );
    assert.ok(feed.filter((labelled) => labelled.truth.kind === 'spam').length >= 3);
    const byId = new Map(feed.map((labelled) => [labelled.item.id, labelled.item]));
    const copies = feed.filter((labelled) => labelled.truth.kind === 'duplicate');
    assert.ok(copies.length >= 3);
    for (const { item, truth } of copies) {
      const original = byId.get(truth.duplicateOf ?? '');
      assert.ok(original, `${item.id} copies nothing`);
      assert.equal(item.text, original.text);
      assert.equal(item.sku, original.sku);
      assert.notEqual(item.id, original.id);
      assert.ok(Date.parse(item.createdAt) > Date.parse(original.createdAt));
    }
  });
});
