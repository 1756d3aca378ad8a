// Runs the test suite from source with Node's own test runner (TypeScript through tsx).
// Services the tests start (emulators, dev host) run the compiled build: `npm test` builds first.
// Usage: node scripts/run-tests.mjs [tier...]   tiers: unit stage integration e2e (default: all)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const tiers = process.argv.slice(2);
const dirs = (tiers.length > 0 ? tiers : ['unit', 'stage', 'integration', 'e2e']).map((tier) =>
  join('test', tier),
);

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? testFiles(join(dir, entry.name))
      : entry.name.endsWith('.test.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

const files = dirs.flatMap(testFiles).sort();
if (files.length === 0) {
  console.error(`no test files under ${dirs.join(', ')}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
