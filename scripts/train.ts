/**
 * npm run train -- [--data-dir ../shared/data] [--include-reviews reviews.jsonl] [--epochs 6] [--seed 7]
 *
 * Trains the compact model (sentiment + category heads) and writes models/classifier-<version>.json
 * plus models/manifest.json. Sources: the project's own templates (eval/training), and, when the
 * reference data directory is present, permissively licensed sets (XED CC BY 4.0, VADER Amazon
 * snippets and lexicon MIT, AFINN Apache-2.0, Umigon CC BY 4.0, LeIA MIT, Pattern PDDL/BSD-3).
 * The UCI sentences are never read here: they are for evaluation only.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTaxonomy, sentimentLabels } from '../shared/domain/taxonomy.js';
import { defaultFeatureConfig } from '../shared/domain/classify/features.js';
import { seededRandom, trainModel, type TrainingExample } from '../shared/domain/classify/training.js';
import type { TrainingSource } from '../shared/domain/classify/model.js';
import { parseLabelledJsonl } from '../shared/domain/classify/labelled.js';

interface LanguageTemplates {
  products: string[];
  times: string[];
  components: string[];
  negativeOpeners: string[];
  negativeClosers: string[];
  positiveOpeners: string[];
  positiveClosers: string[];
  categories: Record<string, string[]>;
  questions: string[];
  suggestions: string[];
  returnRequests: string[];
}

const { values: args } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: '../shared/data' },
    'include-reviews': { type: 'string', multiple: true },
    epochs: { type: 'string', default: '8' },
    seed: { type: 'string', default: '7' },
    'per-category': { type: 'string', default: '160' },
    out: { type: 'string', default: 'models' },
    'xed-weight': { type: 'string', default: '0.15' },
    'lexicon-weight': { type: 'string', default: '1' },
    'amazon-weight': { type: 'string', default: '3' },
    'vader-threshold': { type: 'string', default: '1.5' },
    bits: { type: 'string', default: '17' },
    'char-ngrams': { type: 'string', default: defaultFeatureConfig.charNgrams.join(',') },
  },
});

const seed = Number(args.seed);
const random = seededRandom(seed + 1);
const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)] as T;
const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

const examples: TrainingExample[] = [];
const sources: TrainingSource[] = [];
const notes: string[] = [];

function addSource(
  name: string,
  path: string,
  licence: string,
  use: string,
  weight: number,
  rows: TrainingExample[],
) {
  examples.push(...rows);
  sources.push({ name, path, licence, rows: rows.length, weight, use });
  console.log(`${name}: ${rows.length} rows`);
}

// 1. The project's own templates.
const templates = JSON.parse(readFileSync('eval/training/templates.json', 'utf8')) as Record<
  string,
  LanguageTemplates
>;
const perCategory = Number(args['per-category']);
const own: TrainingExample[] = [];
for (const lang of Object.values(templates)) {
  const fill = (template: string) =>
    template
      .replaceAll('{p}', pick(lang.products))
      .replaceAll('{t}', pick(lang.times))
      .replaceAll('{c}', pick(lang.components));
  const dress = (body: string, tone: 'positive' | 'negative' | 'neutral') => {
    const opener =
      tone === 'positive'
        ? pick(lang.positiveOpeners)
        : tone === 'negative'
          ? pick(lang.negativeOpeners)
          : '';
    const closer =
      tone === 'positive'
        ? pick(lang.positiveClosers)
        : tone === 'negative'
          ? pick(lang.negativeClosers)
          : '';
    const sentence = capitalise(fill(body));
    return [opener, /[.!?]$/.test(sentence) ? sentence : `${sentence}.`, closer]
      .filter((part) => part !== '')
      .join(' ');
  };
  for (const [category, bodies] of Object.entries(lang.categories)) {
    const tone = category === 'praise' ? 'positive' : category === 'other' ? 'neutral' : 'negative';
    for (let index = 0; index < perCategory; index++) {
      const text = dress(pick(bodies), tone);
      own.push({
        text: random() < 0.15 ? text.toLowerCase() : text,
        sentiment: tone,
        category,
        weight: 1,
        source: 'templates',
      });
    }
    if (tone === 'negative') {
      // Mixed reviews: praise first, the problem wins.
      for (let index = 0; index < perCategory / 8; index++) {
        const text = `${capitalise(fill(pick(lang.categories.praise ?? [])))}, ${fill(pick(bodies))}.`;
        own.push({ text, sentiment: 'negative', category, weight: 1, source: 'templates' });
      }
      // Two issues: the first is primary.
      const others = Object.keys(lang.categories).filter(
        (other) => !['praise', 'other', category].includes(other),
      );
      for (let index = 0; index < perCategory / 8; index++) {
        const text = `${capitalise(fill(pick(bodies)))}. ${capitalise(fill(pick(lang.categories[pick(others)] ?? [])))}.`;
        own.push({ text, sentiment: 'negative', category, weight: 0.5, source: 'templates' });
      }
    }
  }
  for (const question of lang.questions) {
    for (let index = 0; index < 12; index++)
      own.push({
        text: capitalise(fill(question)),
        sentiment: 'neutral',
        category: 'other',
        weight: 1,
        source: 'templates',
      });
  }
  for (const suggestion of lang.suggestions) {
    for (let index = 0; index < 10; index++)
      own.push({ text: capitalise(fill(suggestion)), sentiment: 'neutral', weight: 1, source: 'templates' });
  }
  for (const request of lang.returnRequests) {
    for (let index = 0; index < 8; index++)
      own.push({ text: capitalise(fill(request)), sentiment: 'negative', weight: 0.5, source: 'templates' });
  }
}
addSource(
  'project templates',
  'eval/training/templates.json',
  'repository licence (written for this project)',
  'sentiment+category',
  1,
  own,
);

// 2. Reference data, when present (never in CI: the committed artifact is what CI uses).
const dataDir = args['data-dir'];
if (existsSync(dataDir)) {
  const xedPath = join(dataDir, 'multilingual/xed/xed_7lang_clean.tsv');
  if (existsSync(xedPath)) {
    const rows: TrainingExample[] = [];
    for (const line of readFileSync(xedPath, 'utf8').split(/\r?\n/).slice(1)) {
      const [lang, text, , , polarity] = line.split('\t');
      if (!lang || !text || !polarity) continue;
      if (polarity !== 'positive' && polarity !== 'negative' && polarity !== 'neutral') continue;
      rows.push({
        text,
        sentiment: polarity,
        weight: Number(args['xed-weight']) * (lang === 'en' ? 1.3 : 1),
        source: 'xed',
      });
    }
    addSource(
      'XED (Helsinki-NLP/XED@76666d25)',
      'multilingual/xed/xed_7lang_clean.tsv',
      'CC BY 4.0',
      'sentiment (polarity derived from emotions; mixed/ambiguous skipped)',
      0.35,
      rows,
    );
  }
  const vaderAmazon = join(dataDir, 'multilingual/vader_en/amazonReviewSnippets_GroundTruth.txt');
  if (existsSync(vaderAmazon)) {
    const rows: TrainingExample[] = [];
    for (const line of readFileSync(vaderAmazon, 'utf8').split(/\r?\n/)) {
      const [, score, text] = line.split('\t');
      if (!score || !text) continue;
      const value = Number(score);
      const sentiment = value >= 0.6 ? 'positive' : value <= -0.6 ? 'negative' : 'neutral';
      rows.push({ text, sentiment, weight: Number(args['amazon-weight']), source: 'vader-amazon' });
    }
    addSource(
      'VADER Amazon review snippets (cjhutto/vaderSentiment@44fc044c)',
      'multilingual/vader_en/amazonReviewSnippets_GroundTruth.txt',
      'MIT',
      'sentiment',
      1,
      rows,
    );
  }
  const lexiconRows = (
    name: string,
    path: string,
    licence: string,
    parse: (line: string) => [string, number] | undefined,
    threshold: number,
  ) => {
    const full = join(dataDir, path);
    if (!existsSync(full)) return;
    const rows: TrainingExample[] = [];
    for (const line of readFileSync(full, 'utf8').split(/\r?\n/)) {
      const parsed = parse(line);
      if (!parsed) continue;
      const [word, value] = parsed;
      if (!word || Number.isNaN(value) || Math.abs(value) < threshold) continue;
      rows.push({
        text: word,
        sentiment: value > 0 ? 'positive' : 'negative',
        weight: Number(args['lexicon-weight']),
        source: name,
      });
    }
    addSource(name, path, licence, 'sentiment (single words as weak examples)', 0.25, rows);
  };
  const tabbed = (line: string): [string, number] | undefined => {
    const [word, value] = line.split('\t');
    return word && value ? [word, Number(value)] : undefined;
  };
  lexiconRows(
    'VADER lexicon',
    'multilingual/vader_en/vader_lexicon.txt',
    'MIT',
    tabbed,
    Number(args['vader-threshold']),
  );
  lexiconRows('AFINN-165 en', 'multilingual/afinn/AFINN-en-165.txt', 'Apache-2.0', tabbed, 2);
  lexiconRows('AFINN-165 fr', 'multilingual/afinn/AFINN-fr-165.txt', 'Apache-2.0', tabbed, 2);
  lexiconRows('LeIA pt', 'multilingual/leia_pt/vader_lexicon_ptbr.txt', 'MIT', tabbed, 1.5);
  for (const language of ['en', 'fr', 'es']) {
    for (const [file, value] of [
      ['positive_tone.txt', 1],
      ['negative_tone.txt', -1],
    ] as const) {
      lexiconRows(
        `Umigon ${language} ${file}`,
        `multilingual/umigon_lexicons/${language}/${file}`,
        'CC BY 4.0',
        (line) => {
          const word = line.split('\t')[0]?.trim();
          return word ? [word, value] : undefined;
        },
        0.5,
      );
    }
  }
  for (const language of ['fr', 'it', 'nl']) {
    lexiconRows(
      `Pattern ${language}`,
      `multilingual/pattern_lexicons/${language}-sentiment.xml`,
      'PDDL / BSD-3',
      (line) => {
        const match = /<word form="([^"]+)"[^>]*polarity="([-0-9.]+)"/.exec(line);
        return match ? [match[1] as string, Number(match[2])] : undefined;
      },
      0.4,
    );
  }
} else {
  notes.push(`reference data directory ${dataDir} absent: trained on project text only`);
  console.warn(`warning: ${dataDir} not found, training on project text only`);
}

// 3. Resolved review-queue items (confirmed or corrected labels), weighted up.
for (const file of args['include-reviews'] ?? []) {
  const rows = parseLabelledJsonl(readFileSync(file, 'utf8'), file).map((item) => ({
    text: item.title ? `${item.title}. ${item.text}` : item.text,
    sentiment: item.sentiment,
    category: item.primaryCategory,
    weight: 2,
    source: 'reviews',
  }));
  addSource(
    `review queue export ${file}`,
    file,
    'customer feedback labelled by reviewers (internal)',
    'sentiment+category',
    2,
    rows,
  );
}

const taxonomy = loadTaxonomy();
const started = Date.now();
const artifact = trainModel(examples, {
  features: {
    ...defaultFeatureConfig,
    bits: Number(args.bits),
    charNgrams: args['char-ngrams'].split(',').map(Number),
  },
  sentimentLabels: [...sentimentLabels],
  categoryLabels: taxonomy.categories.map((category) => category.id),
  categoryBits: 15,
  seed,
  epochs: Number(args.epochs),
  learningRate: 0.4,
  l2: 1e-5,
  sources,
  notes: [...notes, 'UCI sentiment sentences are not used for training (evaluation only)'],
  versionPrefix: 'clf1',
});
const outDir = args.out;
mkdirSync(outDir, { recursive: true });
const file = `classifier-${artifact.version}.json`;
writeFileSync(join(outDir, file), `${JSON.stringify(artifact)}\n`);
writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify({ current: file }, null, 2)}\n`);
console.log(
  `wrote ${join(outDir, file)} (${examples.length} examples, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
);
