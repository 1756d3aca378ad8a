/**
 * Scores PII redaction on the annotated corpus and prints recall and precision per type.
 * Usage: node --import tsx scripts/eval-pii.ts [corpus.jsonl]   (or node dist/scripts/eval-pii.js)
 * Exits 1 when a type falls below recall 0.99 or precision 0.95.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluatePii, parseCorpus } from '../shared/domain/normalize/pii-evaluation.js';

const MIN_RECALL = 0.99;
const MIN_PRECISION = 0.95;

/** The corpus sits in test/fixtures (not copied to dist): look beside the source and the build. */
export function fixturePath(name: string): string {
  const candidates = ['../test/fixtures/normalize/', '../../test/fixtures/normalize/'].map((dir) =>
    fileURLToPath(new URL(dir + name, import.meta.url)),
  );
  return candidates.find((candidate) => existsSync(candidate)) ?? candidates[0]!;
}

const path = process.argv[2] ?? fixturePath('pii-corpus.jsonl');
const evaluation = evaluatePii(parseCorpus(readFileSync(path, 'utf8')));
const pad = (value: string | number, width: number): string => String(value).padEnd(width);
console.log(`PII corpus: ${path} (${evaluation.lines} lines)`);
console.log(`${pad('type', 10)}${pad('expected', 10)}${pad('found', 8)}${pad('recall', 9)}precision`);
let failed = false;
for (const score of evaluation.byType) {
  const ok = score.recall >= MIN_RECALL && score.precision >= MIN_PRECISION;
  failed ||= !ok;
  console.log(
    `${pad(score.type, 10)}${pad(score.expected, 10)}${pad(score.found, 8)}${pad(score.recall.toFixed(3), 9)}${score.precision.toFixed(3)}${ok ? '' : '  BELOW TARGET'}`,
  );
}
console.log(
  `leaked values: ${evaluation.leaks.length}; look-alikes lost: ${evaluation.lostLookAlikes.length}`,
);
for (const miss of evaluation.misses.slice(0, 20))
  console.log(`  missed line ${miss.line}: ${miss.type} '${miss.value}'`);
for (const leak of evaluation.leaks.slice(0, 20)) console.log(`  leak line ${leak.line}: ${leak.value}`);
for (const lost of evaluation.lostLookAlikes.slice(0, 20))
  console.log(`  look-alike lost line ${lost.line}: ${lost.value}`);
for (const fp of evaluation.falsePositives.slice(0, 20))
  console.log(`  false positive line ${fp.line}: ${fp.type} '${fp.value}'`);
process.exitCode = failed || evaluation.leaks.length > 0 ? 1 : 0;
