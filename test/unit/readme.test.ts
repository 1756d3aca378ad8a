import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { settingDefinitions } from '../../shared/config.js';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('starts with the three quickstart commands', () => {
    const quickstart = readme.slice(readme.indexOf('## Quickstart'), readme.indexOf('## What it does'));
    assert.match(quickstart, /npm install\nnpm start\nnpm test/);
  });

  it('documents every setting in its configuration table', () => {
    for (const definition of settingDefinitions) {
      assert.ok(readme.includes(`| \`${definition.name}\` |`), `README does not document ${definition.name}`);
    }
  });

  it('names the test command that CI runs', () => {
    const ci = readFileSync('.ci/run', 'utf8');
    assert.match(ci, /npm ci/);
    assert.match(ci, /npm test/);
  });
});
