/**
 * Scores PII redaction against an annotated corpus (one JSON object per line:
 * `{ lang, text, pii: [{ type, value }], keep: [look-alikes that must survive] }`).
 * Used by scripts/eval-pii.ts and by the unit test that holds the acceptance thresholds.
 */
import { findPii, piiTypes, redactPii, type PiiType } from './pii.js';
import { cleanText } from './text-cleanup.js';

export interface PiiCorpusLine {
  lang: string;
  text: string;
  pii: { type: PiiType; value: string }[];
  keep: string[];
}

export interface TypeScore {
  type: PiiType;
  expected: number;
  found: number;
  truePositives: number;
  recall: number;
  precision: number;
}

export interface PiiEvaluation {
  lines: number;
  byType: TypeScore[];
  /** Personal values still readable in the redacted text. */
  leaks: { line: number; value: string }[];
  /** Annotated values no span of their type covered. */
  misses: { line: number; type: PiiType; value: string }[];
  /** Look-alikes that did not survive. */
  lostLookAlikes: { line: number; value: string }[];
  falsePositives: { line: number; type: PiiType; value: string }[];
}

export function parseCorpus(text: string): PiiCorpusLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as PiiCorpusLine);
}

export function evaluatePii(corpus: PiiCorpusLine[], tokenKey = 'evaluation-key'): PiiEvaluation {
  const counts = new Map<PiiType, { expected: number; found: number; tp: number; hit: number }>();
  const count = (type: PiiType) => {
    let entry = counts.get(type);
    if (!entry) counts.set(type, (entry = { expected: 0, found: 0, tp: 0, hit: 0 }));
    return entry;
  };
  const leaks: PiiEvaluation['leaks'] = [];
  const misses: PiiEvaluation['misses'] = [];
  const lostLookAlikes: PiiEvaluation['lostLookAlikes'] = [];
  const falsePositives: PiiEvaluation['falsePositives'] = [];
  corpus.forEach((line, index) => {
    // Scored on the text as the stage sees it: cleaned (NFKC turns 'n.º' into 'n.o').
    const text = cleanText(line.text);
    const spans = findPii(text, { tokenKey });
    const redacted = redactPii(text, { tokenKey }).text;
    const expected = line.pii.map((pii) => {
      const start = text.indexOf(pii.value);
      return { ...pii, start, end: start + pii.value.length };
    });
    for (const pii of expected) {
      count(pii.type).expected++;
      const covered =
        pii.start >= 0 &&
        spans.some((found) => found.type === pii.type && found.start <= pii.start && found.end >= pii.end);
      if (covered) count(pii.type).hit++;
      else misses.push({ line: index + 1, type: pii.type, value: pii.value });
      if (redacted.includes(pii.value)) leaks.push({ line: index + 1, value: pii.value });
    }
    for (const found of spans) {
      count(found.type).found++;
      const matches = expected.some(
        (pii) => pii.type === found.type && found.start < pii.end && pii.start < found.end,
      );
      if (matches) count(found.type).tp++;
      else falsePositives.push({ line: index + 1, type: found.type, value: found.value });
    }
    for (const value of line.keep)
      if (!redacted.includes(value)) lostLookAlikes.push({ line: index + 1, value });
  });
  const byType = piiTypes
    .filter((type) => counts.has(type))
    .map((type) => {
      const entry = count(type);
      return {
        type,
        expected: entry.expected,
        found: entry.found,
        truePositives: entry.tp,
        recall: entry.expected === 0 ? 1 : entry.hit / entry.expected,
        precision: entry.found === 0 ? 1 : entry.tp / entry.found,
      };
    });
  return { lines: corpus.length, byType, leaks, misses, lostLookAlikes, falsePositives };
}
