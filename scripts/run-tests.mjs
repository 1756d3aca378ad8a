// Runs the compiled test suite with Node's own test runner.
// Usage: node scripts/run-tests.mjs [tier...]   tiers: unit stage integration e2e (default: all)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const tiers = process.argv.slice(2);
const dirs = (tiers.length > 0 ? tiers : ['unit', 'stage', 'integration', 'e2e'])
  .map((tier) => `dist/test/${tier}`)
  .filter((dir) => existsSync(dir));
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...dirs], { stdio: 'inherit' });
process.exit(result.status ?? 1);
