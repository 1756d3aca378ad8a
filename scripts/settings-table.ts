/**
 * The README's configuration table, generated from the setting definitions so the docs can't
 * drift from the code. `npx tsx scripts/settings-table.ts` prints it; `--write` updates README.md
 * between its settings-table markers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { settingDefinitions } from '../shared/config.js';

const escape = (text: string): string => text.replace(/\|/g, '\\|');

export function settingsTable(): string {
  return [
    '| Setting | Needed in | Default | Description |',
    '|---|---|---|---|',
    ...settingDefinitions.map((definition) => {
      const needed = definition.requiredIn === 'both' ? 'local + azure' : definition.requiredIn;
      const defaultValue = definition.default ? `\`${definition.default}\`` : '';
      return `| \`${definition.name}\` | ${needed}${definition.secret ? ' (secret)' : ''} | ${defaultValue} | ${escape(definition.description)} |`;
    }),
  ].join('\n');
}

if (process.argv.includes('--write')) {
  const readme = readFileSync('README.md', 'utf8');
  const updated = readme.replace(
    /(<!-- settings-table:start[^>]*-->\n)[\s\S]*?(<!-- settings-table:end -->)/,
    (_match, start: string, end: string) => `${start}${settingsTable()}\n${end}`,
  );
  writeFileSync('README.md', updated);
} else {
  console.log(settingsTable());
}
