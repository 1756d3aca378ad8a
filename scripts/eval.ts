/**
 * npm run eval -- [--data file.jsonl ...] [--uci file.txt ...] [--include-reviews file.jsonl] [--threshold 0.55] [--no-write]
 *
 * Evaluates the local path (rules + compact model, no LLM) on labelled JSONL (default: the golden
 * test split) and, with --uci, binary sentiment on UCI-style TSV (sentence<TAB>0|1, header, CRLF).
 * Prints per-class precision/recall/F1, confusion matrices, sentiment accuracy, critical recall
 * and the escalation rate, and writes eval/results/<model>-<prompt>.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildClassifier,
  DEFAULT_ESCALATION_THRESHOLD,
  type LocalOutcome,
} from '../shared/domain/classify/classifier.js';
import { loadLocalClassifierFiles } from '../shared/domain/classify/load.js';
import { parseLabelledJsonl, type LabelledItem } from '../shared/domain/classify/labelled.js';
import { formatConfusion, labelReport, type LabelReport } from '../shared/domain/classify/metrics.js';
import { guessLanguage } from '../shared/domain/classify/text.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', multiple: true },
    uci: { type: 'string', multiple: true },
    'include-reviews': { type: 'string', multiple: true },
    threshold: { type: 'string' },
    model: { type: 'string' },
    prompt: { type: 'string', default: 'none' },
    'no-write': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  },
});

const files = loadLocalClassifierFiles('.', args.model);
const threshold = args.threshold ? Number(args.threshold) : DEFAULT_ESCALATION_THRESHOLD;
const classifier = buildClassifier({ ...files, escalationThreshold: threshold });
const say = (text: string) => {
  if (!args.quiet) console.log(text);
};

function classifyItem(item: LabelledItem): LocalOutcome {
  return classifier.classifyLocal({
    text: item.text,
    title: item.title,
    language: item.lang ?? guessLanguage(item.text),
    rating: item.rating,
    npsScore: item.npsScore,
    isSpam: item.isSpam ?? false,
    components: [],
  });
}

interface DatasetReport {
  file: string;
  items: number;
  sentiment: LabelReport;
  category: LabelReport;
  severity: LabelReport;
  intent: LabelReport;
  component: { accuracy: number; count: number };
  critical: { recall: number; precision: number; support: number; missed: string[] };
  escalation: { rate: number; count: number; llmTokens: number; reasons: Record<string, number> };
  byTag: Record<string, { items: number; sentimentAccuracy: number; categoryAccuracy: number }>;
  byLanguage: Record<string, { items: number; sentimentAccuracy: number; categoryMacroF1: number }>;
  errors: { id?: string; text: string; gold: string; predicted: string }[];
}

function evaluate(file: string, items: LabelledItem[]): DatasetReport {
  const outcomes = items.map((item) => ({ item, outcome: classifyItem(item) }));
  const pairsOf = (
    goldOf: (item: LabelledItem) => string | undefined,
    predictedOf: (outcome: LocalOutcome) => string,
    subset = outcomes,
  ) =>
    subset.flatMap(({ item, outcome }) => {
      const gold = goldOf(item);
      return gold === undefined ? [] : [{ gold, predicted: predictedOf(outcome) }];
    });
  const sentiment = labelReport(
    pairsOf(
      (item) => item.sentiment,
      (outcome) => outcome.classification.sentiment.label,
    ),
  );
  const category = labelReport(
    pairsOf(
      (item) => item.primaryCategory,
      (outcome) => outcome.classification.primaryCategory,
    ),
  );
  const severity = labelReport(
    pairsOf(
      (item) => item.severity,
      (outcome) => outcome.classification.severity,
    ),
  );
  const intent = labelReport(
    pairsOf(
      (item) => item.intent,
      (outcome) => outcome.classification.intent,
    ),
  );
  const componentPairs = pairsOf(
    (item) => (item.component === undefined ? undefined : String(item.component)),
    (outcome) => String(outcome.classification.component),
  );
  const criticalGold = outcomes.filter(({ item }) => item.severity === 'critical');
  const criticalHit = criticalGold.filter(({ outcome }) => outcome.classification.severity === 'critical');
  const criticalPredicted = outcomes.filter(({ outcome }) => outcome.classification.severity === 'critical');
  const escalated = outcomes.filter(({ outcome }) => outcome.escalationReasons.length > 0);
  const reasons: Record<string, number> = {};
  for (const { outcome } of escalated) {
    for (const reason of outcome.escalationReasons) {
      const key = reason.replace(/[0-9.]+/g, '#').replace(/\(.*?\)/g, '()');
      reasons[key] = (reasons[key] ?? 0) + 1;
    }
  }
  const byTag: DatasetReport['byTag'] = {};
  const tags = new Set(items.flatMap((item) => item.tags ?? []));
  for (const tag of [...tags].sort()) {
    const subset = outcomes.filter(({ item }) => item.tags?.includes(tag));
    byTag[tag] = {
      items: subset.length,
      sentimentAccuracy: labelReport(
        pairsOf(
          (item) => item.sentiment,
          (outcome) => outcome.classification.sentiment.label,
          subset,
        ),
      ).accuracy,
      categoryAccuracy: labelReport(
        pairsOf(
          (item) => item.primaryCategory,
          (outcome) => outcome.classification.primaryCategory,
          subset,
        ),
      ).accuracy,
    };
  }
  const byLanguage: DatasetReport['byLanguage'] = {};
  for (const language of [...new Set(items.map((item) => item.lang ?? '?'))].sort()) {
    const subset = outcomes.filter(({ item }) => (item.lang ?? '?') === language);
    byLanguage[language] = {
      items: subset.length,
      sentimentAccuracy: labelReport(
        pairsOf(
          (item) => item.sentiment,
          (outcome) => outcome.classification.sentiment.label,
          subset,
        ),
      ).accuracy,
      categoryMacroF1: labelReport(
        pairsOf(
          (item) => item.primaryCategory,
          (outcome) => outcome.classification.primaryCategory,
          subset,
        ),
      ).macroF1,
    };
  }
  const errors = outcomes
    .filter(
      ({ item, outcome }) =>
        (item.primaryCategory !== undefined &&
          item.primaryCategory !== outcome.classification.primaryCategory) ||
        (item.sentiment !== undefined && item.sentiment !== outcome.classification.sentiment.label),
    )
    .map(({ item, outcome }) => ({
      id: item.id,
      text: item.text.slice(0, 140),
      gold: `${item.sentiment ?? '-'}/${item.primaryCategory ?? '-'}`,
      predicted: `${outcome.classification.sentiment.label}/${outcome.classification.primaryCategory}`,
    }));
  return {
    file,
    items: items.length,
    sentiment,
    category,
    severity,
    intent,
    component: {
      accuracy:
        componentPairs.length === 0
          ? 0
          : componentPairs.filter((pair) => pair.gold === pair.predicted).length / componentPairs.length,
      count: componentPairs.length,
    },
    critical: {
      recall: criticalGold.length === 0 ? 1 : criticalHit.length / criticalGold.length,
      precision:
        criticalPredicted.length === 0
          ? 1
          : criticalPredicted.filter(({ item }) => item.severity === 'critical').length /
            criticalPredicted.length,
      support: criticalGold.length,
      missed: criticalGold
        .filter(({ outcome }) => outcome.classification.severity !== 'critical')
        .map(({ item }) => item.id ?? item.text.slice(0, 60)),
    },
    escalation: {
      rate: items.length === 0 ? 0 : escalated.length / items.length,
      count: escalated.length,
      llmTokens: 0,
      reasons,
    },
    byTag,
    byLanguage,
    errors,
  };
}

function evaluateUci(file: string) {
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .slice(1)
    .filter((line) => line.trim() !== '');
  let correct = 0;
  let neutral = 0;
  for (const line of lines) {
    const tab = line.lastIndexOf('\t');
    const text = line.slice(0, tab);
    const gold = line.slice(tab + 1).trim() === '1' ? 'positive' : 'negative';
    const outcome = classifier.classifyLocal({ text, language: 'en', isSpam: false, components: [] });
    if (outcome.classification.sentiment.label === 'neutral') neutral++;
    // Binary: the sign of the score (positive minus negative probability).
    const predicted = outcome.classification.sentiment.score >= 0 ? 'positive' : 'negative';
    if (predicted === gold) correct++;
  }
  return {
    file: basename(file),
    items: lines.length,
    binaryAccuracy: Math.round((correct / lines.length) * 10000) / 10000,
    predictedNeutral: neutral,
  };
}

const dataFiles = args.data ?? ['eval/golden/test.jsonl'];
const datasets: DatasetReport[] = [];
for (const file of [...dataFiles, ...(args['include-reviews'] ?? [])]) {
  const report = evaluate(file, parseLabelledJsonl(readFileSync(file, 'utf8'), file));
  datasets.push(report);
  say(`\n== ${file}: ${report.items} items`);
  say(`sentiment accuracy ${report.sentiment.accuracy} (macro-F1 ${report.sentiment.macroF1})`);
  say(formatConfusion(report.sentiment));
  say(`category accuracy ${report.category.accuracy}, macro-F1 ${report.category.macroF1}`);
  for (const [label, metrics] of Object.entries(report.category.perClass)) {
    say(
      `  ${label.padEnd(22)} P ${metrics.precision.toFixed(3)}  R ${metrics.recall.toFixed(3)}  F1 ${metrics.f1.toFixed(3)}  n=${metrics.support}`,
    );
  }
  say(formatConfusion(report.category));
  say(
    `severity accuracy ${report.severity.accuracy}; critical recall ${report.critical.recall.toFixed(3)} (n=${report.critical.support}), precision ${report.critical.precision.toFixed(3)}${report.critical.missed.length ? `, missed ${report.critical.missed.join(', ')}` : ''}`,
  );
  say(
    `intent accuracy ${report.intent.accuracy}; component accuracy ${report.component.accuracy.toFixed(3)}`,
  );
  say(
    `escalated ${report.escalation.count}/${report.items} = ${(report.escalation.rate * 100).toFixed(1)}% ${JSON.stringify(report.escalation.reasons)}; LLM tokens 0 (local path)`,
  );
  for (const [tag, metrics] of Object.entries(report.byTag))
    say(
      `  tag ${tag.padEnd(10)} n=${metrics.items} sentiment ${metrics.sentimentAccuracy} category ${metrics.categoryAccuracy}`,
    );
  for (const [language, metrics] of Object.entries(report.byLanguage))
    say(
      `  lang ${language} n=${metrics.items} sentiment ${metrics.sentimentAccuracy} category macro-F1 ${metrics.categoryMacroF1}`,
    );
}
const uci = (args.uci ?? []).map(evaluateUci);
const uciItems = uci.reduce((sum, result) => sum + result.items, 0);
const uciCombined =
  uciItems === 0
    ? undefined
    : {
        items: uciItems,
        binaryAccuracy:
          Math.round(
            (uci.reduce((sum, result) => sum + result.binaryAccuracy * result.items, 0) / uciItems) * 10000,
          ) / 10000,
      };
if (uciCombined)
  say(`\n== UCI combined: binary accuracy ${uciCombined.binaryAccuracy} on ${uciCombined.items}`);
for (const result of uci)
  say(
    `\n== UCI ${result.file}: binary accuracy ${result.binaryAccuracy} on ${result.items} (predicted neutral ${result.predictedNeutral})`,
  );

const started = process.hrtime.bigint();
const sample = datasets[0] ? parseLabelledJsonl(readFileSync(dataFiles[0] as string, 'utf8')) : [];
for (let round = 0; round < 20; round++) for (const item of sample) classifyItem(item);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;

const report = {
  model: files.model.version,
  rules: files.rules.version,
  prompt: args.prompt,
  escalationThreshold: threshold,
  path: 'rules + model (no LLM)',
  datasets: datasets.map(({ errors, ...rest }) => ({ ...rest, errors: errors.slice(0, 60) })),
  uci,
  uciCombined,
};
// Speed is printed, not written: the report governs model and prompt changes and must not differ
// between two runs of the same model (speed figures live in `npm run bench`).
say(
  `\nlocal path: ${sample.length === 0 ? 0 : Math.round((sample.length * 20) / seconds)} items/s (indicative)`,
);
if (!args['no-write']) {
  mkdirSync('eval/results', { recursive: true });
  const out = join('eval/results', `${files.model.version}-${args.prompt}.json`);
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  say(`\nwrote ${out}`);
}
