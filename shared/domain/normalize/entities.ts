/**
 * Entities mentioned in the text: catalog products (name, aliases or SKU), components from the
 * taxonomy's multilingual vocabulary, shipment milestones and carriers. Matching is on folded
 * words (lower case, no accents) with phrases up to four words, through lookups built once.
 */
import type { Catalog } from '../catalog.js';
import type { Taxonomy } from '../taxonomy.js';
import { foldedWordsOf } from './fold.js';

export interface Entities {
  products: string[];
  components: string[];
  milestones: string[];
  carriers: string[];
  orderTokens: string[];
}

const MAX_PHRASE_WORDS = 4;

const milestonePhrases: Record<string, string[]> = {
  shipped: [
    'shipped',
    'dispatched',
    'has shipped',
    'enviado',
    'enviada',
    'expedido',
    'expedida',
    'expedie',
    'expediee',
    'versandt',
    'verschickt',
    'versendet',
    'spedito',
    'spedita',
    'verzonden',
    'verstuurd',
  ],
  out_for_delivery: [
    'out for delivery',
    'en reparto',
    'en cours de livraison',
    'in zustellung',
    'wird zugestellt',
    'in consegna',
    'saiu para entrega',
    'em rota de entrega',
    'wordt bezorgd',
    'onderweg',
  ],
  delivered: [
    'delivered',
    'entregado',
    'entregada',
    'livre',
    'livree',
    'zugestellt',
    'geliefert',
    'consegnato',
    'consegnata',
    'entregue',
    'bezorgd',
    'afgeleverd',
  ],
  lost: [
    'lost',
    'never arrived',
    'never received',
    'never came',
    'perdido',
    'perdida',
    'no ha llegado',
    'nunca llego',
    'no llego',
    'perdu',
    'perdue',
    'jamais recu',
    'jamais arrive',
    'pas recu',
    'verloren',
    'nie angekommen',
    'nicht angekommen',
    'nie erhalten',
    'perso',
    'persa',
    'mai arrivato',
    'mai ricevuto',
    'nunca chegou',
    'nao chegou',
    'extraviado',
    'extraviada',
    'kwijt',
    'nooit aangekomen',
    'niet aangekomen',
    'nooit ontvangen',
  ],
  returned: [
    'returned',
    'sent back',
    'sent it back',
    'devuelto',
    'devuelta',
    'devolvi',
    'retourne',
    'retournee',
    'renvoye',
    'zuruckgeschickt',
    'zurueckgeschickt',
    'retourniert',
    'restituito',
    'restituita',
    'reso',
    'devolvido',
    'devolvida',
    'devolvi',
    'geretourneerd',
    'teruggestuurd',
  ],
};

const carrierPhrases: Record<string, string[]> = {
  UPS: ['ups'],
  FedEx: ['fedex', 'fed ex'],
  DHL: ['dhl'],
  USPS: ['usps'],
  'Royal Mail': ['royal mail'],
  Evri: ['evri', 'hermes'],
  DPD: ['dpd'],
  GLS: ['gls'],
  TNT: ['tnt'],
  Correos: ['correos'],
  SEUR: ['seur'],
  MRW: ['mrw'],
  'La Poste': ['la poste', 'colissimo'],
  Chronopost: ['chronopost'],
  'Mondial Relay': ['mondial relay'],
  'Deutsche Post': ['deutsche post'],
  'Poste Italiane': ['poste italiane'],
  BRT: ['brt', 'bartolini'],
  CTT: ['ctt'],
  PostNL: ['postnl'],
  bpost: ['bpost'],
  InPost: ['inpost'],
  'Amazon Logistics': ['amazon logistics'],
};

interface PhraseIndex {
  phrases: Map<string, string[]>;
  /** First words of every phrase (and their plural forms): most positions start no phrase. */
  starts?: Set<string>;
  /** The phrases word by word (built on first use, from `phrases`). */
  words?: PhraseWords;
}

/** A phrase's next words → the values of the phrase that ends there and the words after it. */
type PhraseWords = Map<string, { values?: string[]; next: PhraseWords }>;

function addPhrase(index: PhraseIndex, phrase: string, value: string): void {
  const key = foldedWordsOf(phrase).join(' ');
  if (key === '') return;
  index.starts = undefined;
  index.words = undefined;
  const values = index.phrases.get(key) ?? [];
  if (!values.includes(value)) values.push(value);
  index.phrases.set(key, values);
}

function indexOf(entries: Record<string, string[]>): PhraseIndex {
  const index: PhraseIndex = { phrases: new Map() };
  for (const [value, phrases] of Object.entries(entries))
    for (const phrase of phrases) addPhrase(index, phrase, value);
  return index;
}

const milestoneIndex = indexOf(milestonePhrases);
const carrierIndex = indexOf(carrierPhrases);

const catalogIndexes = new WeakMap<Catalog, PhraseIndex>();
function catalogIndex(catalog: Catalog): PhraseIndex {
  let index = catalogIndexes.get(catalog);
  if (!index) {
    index = { phrases: new Map() };
    for (const product of catalog.products) {
      for (const phrase of [product.name, product.sku, ...product.aliases])
        addPhrase(index, phrase, product.sku);
    }
    catalogIndexes.set(catalog, index);
  }
  return index;
}

/** Component vocabulary per language ('*' = every language), from the taxonomy. */
const componentIndexes = new WeakMap<Taxonomy, Map<string, PhraseIndex>>();
function componentIndex(taxonomy: Taxonomy, language: string): PhraseIndex {
  let byLanguage = componentIndexes.get(taxonomy);
  if (!byLanguage) {
    byLanguage = new Map();
    const all: PhraseIndex = { phrases: new Map() };
    for (const component of taxonomy.components) {
      for (const [code, synonyms] of Object.entries(component.synonyms)) {
        let index = byLanguage.get(code);
        if (!index) byLanguage.set(code, (index = { phrases: new Map() }));
        for (const synonym of synonyms) {
          addPhrase(index, synonym, component.id);
          addPhrase(all, synonym, component.id);
        }
      }
    }
    // English words are understood in every shop: add them to each language's vocabulary.
    const english = byLanguage.get('en');
    for (const [code, index] of byLanguage) {
      if (code === 'en' || !english) continue;
      for (const [phrase, values] of english.phrases) {
        if (!index.phrases.has(phrase)) index.phrases.set(phrase, values);
      }
    }
    byLanguage.set('*', all);
    componentIndexes.set(taxonomy, byLanguage);
  }
  return byLanguage.get(language) ?? byLanguage.get('*') ?? { phrases: new Map() };
}

function startsOf(index: PhraseIndex): Set<string> {
  if (!index.starts) {
    index.starts = new Set();
    for (const phrase of index.phrases.keys()) index.starts.add(phrase.split(' ')[0]!);
  }
  return index.starts;
}

/**
 * For the indexes one text is matched against, each word that can start a phrase in them → a bit
 * per index: a phrase's first word as it is, or with a plural 's' or 'es' when the word is longer
 * than three letters. One lookup per word of the text instead of several per word and index.
 */
interface StartBits {
  bits: Map<string, number>;
  /**
   * Which word shapes (length, first and last character, see `shapeOf`) the words in `bits` have:
   * most words of a text start no phrase, and this rules them out before the map lookup, which
   * has to hash each new word string first.
   */
  shapes: Uint8Array;
}

const SHAPES = 1 << 13;

/** A word's length, first and last code unit as a slot of `shapes` (shapes sharing one cost a lookup). */
function shapeOf(word: string): number {
  return (
    (Math.imul(word.charCodeAt(0), 961) + word.charCodeAt(word.length - 1) * 31 + word.length) & (SHAPES - 1)
  );
}

function startBitsOf(indexes: readonly PhraseIndex[]): StartBits {
  const bits = new Map<string, number>();
  const shapes = new Uint8Array(SHAPES);
  const set = (word: string, bit: number): void => {
    bits.set(word, (bits.get(word) ?? 0) | bit);
    shapes[shapeOf(word)] = 1;
  };
  for (const [position, index] of indexes.entries()) {
    const bit = 1 << position;
    for (const start of startsOf(index)) {
      set(start, bit);
      for (const plural of [`${start}s`, `${start}es`]) if (plural.length > 3) set(plural, bit);
    }
  }
  return { bits, shapes };
}

function phraseWordsOf(index: PhraseIndex): PhraseWords {
  if (!index.words) {
    index.words = new Map();
    for (const [phrase, values] of index.phrases) {
      let level = index.words;
      let node: { values?: string[]; next: PhraseWords } | undefined;
      for (const word of phrase.split(' ')) {
        node = level.get(word);
        if (!node) level.set(word, (node = { next: new Map() }));
        level = node.next;
      }
      node!.values = values;
    }
  }
  return index.words;
}

/**
 * The phrases of one index that start at `words[i]`, added to `found`, with a plural 's' or 'es'
 * tolerated on the last word. The phrases are walked word by word (the phrase of n words is the
 * n-th word under the phrase of n - 1 words), so no phrase strings are built to be looked up.
 */
function matchAt(words: readonly string[], i: number, index: PhraseIndex, found: string[]): void {
  const add = (values: string[] | undefined): boolean => {
    if (!values) return false;
    for (const value of values) if (!found.includes(value)) found.push(value);
    return true;
  };
  let level: PhraseWords | undefined = phraseWordsOf(index);
  for (let n = 0; n < MAX_PHRASE_WORDS && i + n < words.length && level; n++) {
    const word = words[i + n]!;
    const node = level.get(word);
    if (!add(node?.values) && word.length > 3 && word.endsWith('s')) {
      if (!add(level.get(word.slice(0, -1))?.values) && word.endsWith('es'))
        add(level.get(word.slice(0, -2))?.values);
    }
    level = node?.next;
  }
}

export interface EntityOptions {
  catalog: Catalog;
  taxonomy: Taxonomy;
  /** Detected language code; selects the component vocabulary ('und' = all languages). */
  language: string;
  orderTokens: string[];
}

export function extractEntities(text: string, options: EntityOptions): Entities {
  return extractEntitiesFromWords(foldedWordsOf(text), options);
}

/** Start bits per catalog, taxonomy and language (the four indexes one text is matched against). */
const startBitsCache = new WeakMap<Catalog, WeakMap<Taxonomy, Map<string, StartBits>>>();

function startBitsFor(
  catalog: Catalog,
  taxonomy: Taxonomy,
  language: string,
  indexes: PhraseIndex[],
): StartBits {
  let byTaxonomy = startBitsCache.get(catalog);
  if (!byTaxonomy) startBitsCache.set(catalog, (byTaxonomy = new WeakMap()));
  let byLanguage = byTaxonomy.get(taxonomy);
  if (!byLanguage) byTaxonomy.set(taxonomy, (byLanguage = new Map<string, StartBits>()));
  let bits = byLanguage.get(language);
  if (!bits) byLanguage.set(language, (bits = startBitsOf(indexes)));
  return bits;
}

/** Same, from words already folded by the caller (the stage folds each text once). */
export function extractEntitiesFromWords(words: readonly string[], options: EntityOptions): Entities {
  const indexes = [
    catalogIndex(options.catalog),
    componentIndex(options.taxonomy, options.language),
    milestoneIndex,
    carrierIndex,
  ];
  const starts = startBitsFor(options.catalog, options.taxonomy, options.language, indexes);
  const found: [string[], string[], string[], string[]] = [[], [], [], []];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (starts.shapes[shapeOf(word)] === 0) continue;
    const bits = starts.bits.get(word);
    if (bits === undefined) continue;
    for (let position = 0; position < indexes.length; position++)
      if (bits & (1 << position)) matchAt(words, i, indexes[position]!, found[position]!);
  }
  return {
    products: found[0],
    components: found[1],
    milestones: found[2],
    carriers: found[3],
    orderTokens: [...new Set(options.orderTokens)],
  };
}
