/**
 * The metadata journal of the local Azurite: a group of changes reaches the journal file only
 * after `beforeWrite` (which makes the extent bytes they point at durable) has finished, and a
 * snapshot is preceded by it too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetadataJournal, type LokiDatabase } from '../../local/services/azurite-journal.js';

const require = createRequire(import.meta.url);
const Loki = require('lokijs') as new (filename: string) => LokiDatabase & {
  addCollection(name: string): { insert(doc: Record<string, unknown>): unknown };
};

void describe('local Azurite metadata journal', () => {
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'azurite-journal-'));
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const journalText = (): string =>
    readdirSync(dir)
      .filter((name) => name.startsWith('__azurite_journal_'))
      .map((name) => readFileSync(join(dir, name), 'utf8'))
      .join('');

  void it('writes a group of changes only after beforeWrite has made their data durable', async () => {
    const database = new Loki(join(dir, 'metadata.json'));
    const blobs = database.addCollection('blobs');
    const events: string[] = [];
    const gate = { blocking: false, waiting: [] as (() => void)[] };
    const journal = new MetadataJournal(dir, [database], async () => {
      events.push(journalText().includes('blob-1') ? 'beforeWrite (blob journaled)' : 'beforeWrite');
      if (gate.blocking) await new Promise<void>((resolve) => gate.waiting.push(resolve));
    });
    await journal.open();
    gate.blocking = true; // open() has checkpointed: hold the next sync
    events.length = 0;

    blobs.insert({ name: 'blob-1' });
    const committed = journal.commit().then(() => events.push('committed'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(journalText().includes('blob-1'), false, 'nothing is written while the data sync runs');
    gate.blocking = false;
    for (const resolve of gate.waiting.splice(0)) resolve();
    await committed;
    assert.equal(journalText().includes('blob-1'), true);
    assert.deepEqual(events, ['beforeWrite', 'committed']);

    await journal.close();
    assert.equal(events.at(-1), 'beforeWrite (blob journaled)', 'the final snapshot follows a sync');
    assert.equal(existsSync(join(dir, 'metadata.json')), true);
    assert.match(readFileSync(join(dir, 'metadata.json'), 'utf8'), /blob-1/);
  });
});
