/**
 * Prints the configuration table for the README from the setting definitions, so the docs can't
 * drift from the code: `npx tsx scripts/settings-table.ts`.
 */
import { settingDefinitions } from '../shared/config.js';

const escape = (text: string): string => text.replace(/\|/g, '\\|');
const lines = [
  '| Setting | Needed in | Default | Description |',
  '|---|---|---|---|',
  ...settingDefinitions.map(
    (definition) =>
      `| \`${definition.name}\` | ${definition.requiredIn === 'both' ? 'local + azure' : definition.requiredIn}${definition.secret ? ' (secret)' : ''} | ${definition.default === undefined || definition.default === '' ? '' : `\`${definition.default}\``} | ${escape(definition.description)} |`,
  ),
];
console.log(lines.join('\n'));
