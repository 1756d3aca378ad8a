/**
 * Language detection accuracy on the labelled multilingual set (test/fixtures/normalize/
 * language-set.jsonl: `{ lang, text }` per line), overall, per language and for short texts.
 * Usage: node --import tsx scripts/eval-language.ts [set.jsonl]   (or node dist/scripts/eval-language.js)
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { detectLanguage } from '../shared/domain/normalize/language.js';

function fixturePath(name: string): string {
  const candidates = ['../test/fixtures/normalize/', '../../test/fixtures/normalize/'].map((dir) =>
    fileURLToPath(new URL(dir + name, import.meta.url)),
  );
  return candidates.find((candidate) => existsSync(candidate)) ?? candidates[0]!;
}

interface Labelled {
  lang: string;
  text: string;
}

const SHORT = 25;
const path = process.argv[2] ?? fixturePath('language-set.jsonl');
const items = readFileSync(path, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Labelled);

const tally = new Map<string, { total: number; correct: number }>();
const bump = (key: string, correct: boolean): void => {
  const entry = tally.get(key) ?? { total: 0, correct: 0 };
  entry.total++;
  if (correct) entry.correct++;
  tally.set(key, entry);
};
const errors: string[] = [];
let confidenceSum = 0;
for (const item of items) {
  const detected = detectLanguage(item.text);
  const correct = detected.code === item.lang;
  confidenceSum += detected.confidence;
  bump('all', correct);
  bump(item.lang, correct);
  if (item.text.length <= SHORT) bump(`short (<=${SHORT} chars)`, correct);
  if (!correct) errors.push(`  ${item.lang} → ${detected.code} (${detected.confidence}): ${item.text}`);
}
console.log(`Language set: ${path} (${items.length} items)`);
for (const [key, { total, correct }] of tally) {
  console.log(
    `${key.padEnd(22)}${String(correct).padStart(4)}/${String(total).padEnd(5)} accuracy ${(correct / total).toFixed(3)}`,
  );
}
console.log(`mean confidence ${(confidenceSum / items.length).toFixed(2)}`);
if (errors.length > 0) console.log(`errors:\n${errors.join('\n')}`);
