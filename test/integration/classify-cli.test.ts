/**
 * The offline CLI end to end: normalize's text preparation and the classifier on a JSONL file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

function cliCommand(): string[] {
  const compiled = fileURLToPath(new URL('../../scripts/classify.js', import.meta.url));
  if (existsSync(compiled)) return [compiled];
  return ['--import', 'tsx', fileURLToPath(new URL('../../scripts/classify.ts', import.meta.url))];
}

void test('classifies a JSONL file offline and reports bad lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'classify-cli-'));
  try {
    const out = join(dir, 'out.jsonl');
    const input = fileURLToPath(new URL('../fixtures/classify/cli-input.jsonl', import.meta.url)).replace(
      '/dist/',
      '/',
    );
    const result = spawnSync(process.execPath, [...cliCommand(), input, '--out', out], {
      encoding: 'utf8',
      env: { ...process.env, AZURE_OPENAI_ENDPOINT: '', AZURE_OPENAI_DEPLOYMENT: '' },
    });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /line 5: \/ must have property 'text'/);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(lines.length, 4);
    const [first, second, third] = lines;
    assert.deepEqual(Object.keys(first!).sort(), [
      'component',
      'id',
      'intent',
      'language',
      'method',
      'ownerTeam',
      'piiTypes',
      'primaryCategory',
      'redactedText',
      'secondaryCategories',
      'sentiment',
      'severity',
      'spam',
      'summary',
    ]);
    assert.ok(!String(first!.redactedText).includes('555'));
    assert.ok((first!.piiTypes as string[]).length > 0);
    assert.equal(first!.primaryCategory, 'defect');
    assert.equal(second!.severity, 'critical');
    assert.equal(second!.language, 'fr');
    assert.equal((third!.sentiment as { label: string }).label, 'positive');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
