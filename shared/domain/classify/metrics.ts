/** Classification metrics for the evaluation report: confusion matrix, per-class P/R/F1, macro-F1. */

export interface ClassReport {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface LabelReport {
  accuracy: number;
  macroF1: number;
  perClass: Record<string, ClassReport>;
  /** confusion[gold][predicted] = count */
  confusion: Record<string, Record<string, number>>;
  count: number;
}

const round = (value: number) => Math.round(value * 10000) / 10000;

/** Macro-F1 averages over the classes present in the gold labels. */
export function labelReport(pairs: { gold: string; predicted: string }[]): LabelReport {
  const confusion: Record<string, Record<string, number>> = {};
  const labels = new Set<string>();
  let correct = 0;
  for (const { gold, predicted } of pairs) {
    labels.add(gold);
    labels.add(predicted);
    const row = (confusion[gold] ??= {});
    row[predicted] = (row[predicted] ?? 0) + 1;
    if (gold === predicted) correct++;
  }
  const perClass: Record<string, ClassReport> = {};
  const goldLabels = [...new Set(pairs.map((pair) => pair.gold))].sort();
  for (const label of [...labels].sort()) {
    const truePositive = confusion[label]?.[label] ?? 0;
    const predictedCount = pairs.filter((pair) => pair.predicted === label).length;
    const support = pairs.filter((pair) => pair.gold === label).length;
    const precision = predictedCount === 0 ? 0 : truePositive / predictedCount;
    const recall = support === 0 ? 0 : truePositive / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass[label] = { precision: round(precision), recall: round(recall), f1: round(f1), support };
  }
  const macroF1 =
    goldLabels.length === 0
      ? 0
      : goldLabels.reduce((sum, label) => sum + (perClass[label]?.f1 ?? 0), 0) / goldLabels.length;
  return {
    accuracy: round(pairs.length === 0 ? 0 : correct / pairs.length),
    macroF1: round(macroF1),
    perClass,
    confusion,
    count: pairs.length,
  };
}

export function formatConfusion(report: LabelReport): string {
  const labels = Object.keys(report.perClass);
  const width = Math.max(8, ...labels.map((label) => label.length)) + 1;
  const short = (label: string) => label.slice(0, 6).padStart(7);
  const lines = [`${''.padEnd(width)}${labels.map(short).join('')}`];
  for (const gold of labels) {
    lines.push(
      `${gold.padEnd(width)}${labels.map((predicted) => String(report.confusion[gold]?.[predicted] ?? 0).padStart(7)).join('')}`,
    );
  }
  return lines.join('\n');
}
