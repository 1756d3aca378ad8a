import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  findDuplicate,
  MemoryDedupeStore,
  type DuplicateQuery,
} from '../../shared/domain/normalize/duplicates.js';
import { estimatedJaccard, fingerprintOf } from '../../shared/domain/normalize/similarity.js';
import { readFixture } from '../fixtures/normalize/envelopes.js';

const THRESHOLD = 0.5;
const options = { threshold: THRESHOLD, windowDays: 14 };
const groups = (JSON.parse(readFixture('near-duplicates.json')) as { groups: string[][] }).groups;

function queryOf(feedbackId: string, text: string, extra: Partial<DuplicateQuery> = {}): DuplicateQuery {
  const fingerprint = fingerprintOf(text);
  return {
    feedbackId,
    eventTime: '2026-11-20T10:00:00.000Z',
    scope: 'shop|JKT-ALP-01',
    ...fingerprint,
    ...extra,
  };
}

async function record(store: MemoryDedupeStore, query: DuplicateQuery): Promise<void> {
  await store.record({ ...query, windowDays: options.windowDays });
}

void describe('near duplicates', () => {
  void it('links every rewording of one complaint to its first item and no different complaint', async () => {
    const store = new MemoryDedupeStore();
    const firstOfGroup: string[] = [];
    // Insert the first item of each group, then the rewordings, in event-time order.
    for (const [group, texts] of groups.entries()) {
      const id = `g${group}-0`;
      const query = queryOf(id, texts[0]!, {
        eventTime: `2026-11-20T10:${String(group).padStart(2, '0')}:00.000Z`,
      });
      assert.deepEqual(
        await findDuplicate(store, query, options),
        {},
        `first of group ${group} is new: ${texts[0]}`,
      );
      await record(store, query);
      firstOfGroup.push(id);
    }
    for (const [group, texts] of groups.entries()) {
      for (const [index, text] of texts.entries()) {
        if (index === 0) continue;
        const query = queryOf(`g${group}-${index}`, text, { eventTime: '2026-11-21T10:00:00.000Z' });
        const verdict = await findDuplicate(store, query, options);
        assert.equal(verdict.nearDuplicateOf, firstOfGroup[group], `group ${group} item ${index}: ${text}`);
        assert.ok((verdict.similarity ?? 0) >= THRESHOLD);
        await record(store, query);
      }
    }
  });

  void it('keeps different complaints about the same product apart', () => {
    const firsts = groups.map((texts) => fingerprintOf(texts[0]!).signature);
    for (let a = 0; a < firsts.length; a++) {
      for (let b = a + 1; b < firsts.length; b++) {
        assert.ok(estimatedJaccard(firsts[a]!, firsts[b]!) < THRESHOLD, `groups ${a} and ${b}`);
      }
    }
  });

  void it('finds exact copies by text hash regardless of case and punctuation', async () => {
    const store = new MemoryDedupeStore();
    await record(store, queryOf('first', 'The kettle leaks from the lid.'));
    const verdict = await findDuplicate(store, queryOf('copy', 'the KETTLE leaks from the lid!!'), options);
    assert.deepEqual(verdict, { exactOf: 'first', nearDuplicateOf: 'first', similarity: 1, reason: 'exact' });
  });

  void it('links one customer repeating a complaint about the same product', async () => {
    const store = new MemoryDedupeStore();
    await record(
      store,
      queryOf('first', 'The speaker stopped charging after a week of use.', { customerToken: 'c1' }),
    );
    const again = queryOf('again', 'Still no answer from you, this is getting ridiculous!', {
      customerToken: 'c1',
    });
    assert.equal((await findDuplicate(store, again, options)).reason, 'same_customer');
    const someoneElse = queryOf('other', 'Still no answer from you, this is getting ridiculous!', {
      customerToken: 'c2',
    });
    assert.deepEqual(await findDuplicate(store, someoneElse, options), {});
  });

  void it('ignores items outside the window, other scopes and the item itself', async () => {
    const store = new MemoryDedupeStore();
    const text = 'The kettle leaks from the lid.';
    await record(store, queryOf('old', text, { eventTime: '2026-10-01T00:00:00.000Z' }));
    assert.deepEqual(await findDuplicate(store, queryOf('new', text), options), {});
    assert.deepEqual(
      await findDuplicate(store, queryOf('old', text, { eventTime: '2026-10-01T00:00:00.000Z' }), options),
      {},
    );
    assert.deepEqual(
      await findDuplicate(
        store,
        queryOf('elsewhere', text, { scope: 'shop|BT-SPK-02', eventTime: '2026-10-02T00:00:00.000Z' }),
        options,
      ),
      {},
    );
  });

  void it('records idempotently', async () => {
    const store = new MemoryDedupeStore();
    const query = queryOf('same', 'The kettle leaks from the lid.');
    await record(store, query);
    await record(store, query);
    for (const members of store.bands.values()) assert.equal(members.length, 1);
  });
});
