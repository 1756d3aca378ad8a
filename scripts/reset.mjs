// `npm run reset`: wipes the local stack's data (default .local/, or --data-dir <dir>).
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';

const index = process.argv.indexOf('--data-dir');
const dir = resolve(index > 0 ? (process.argv[index + 1] ?? '.local') : '.local');
if (dir === resolve('.') || dir === resolve('/')) {
  console.error(`refusing to delete ${dir}`);
  process.exit(1);
}
rmSync(dir, { recursive: true, force: true });
console.log(`removed ${dir}`);
