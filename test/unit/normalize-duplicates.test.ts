import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_RECENT,
  MemoryDedupeStore,
  packedSimilarity,
  packSketch,
  truncatedSketch,
  type DedupeItem,
  type DuplicateVerdict,
} from '../../shared/domain/normalize/duplicates.js';
import {
  estimatedJaccard,
  fingerprintOf,
  shinglesOf,
  SKETCH_SIZE,
  sketchOf,
} from '../../shared/domain/normalize/similarity.js';
import { foldedWordsOf } from '../../shared/domain/normalize/fold.js';
import { readFixture } from '../fixtures/normalize/envelopes.js';

const THRESHOLD = 0.5;
const options = { threshold: THRESHOLD, windowDays: 14 };
const groups = (JSON.parse(readFixture('near-duplicates.json')) as { groups: string[][] }).groups;

function itemOf(feedbackId: string, text: string, extra: Partial<DedupeItem> = {}): DedupeItem {
  return {
    feedbackId,
    revision: '20261120T100000000Z',
    eventTime: '2026-11-20T10:00:00.000Z',
    scope: 'shop|JKT-ALP-01',
    ...fingerprintOf(text),
    ...extra,
  };
}

function check(store: MemoryDedupeStore, item: DedupeItem): Promise<DuplicateVerdict> {
  return store.checkAndRecord(item, options);
}

void describe('near duplicates', () => {
  void it('links every rewording of one complaint to its first item and no different complaint', async () => {
    const store = new MemoryDedupeStore();
    const firstOfGroup: string[] = [];
    // The first item of each group, then the rewordings, in event-time order.
    for (const [group, texts] of groups.entries()) {
      const id = `g${group}-0`;
      const item = itemOf(id, texts[0]!, {
        eventTime: `2026-11-20T10:${String(group).padStart(2, '0')}:00.000Z`,
      });
      assert.deepEqual(await check(store, item), {}, `first of group ${group} is new: ${texts[0]}`);
      firstOfGroup.push(id);
    }
    for (const [group, texts] of groups.entries()) {
      for (const [index, text] of texts.entries()) {
        if (index === 0) continue;
        const item = itemOf(`g${group}-${index}`, text, { eventTime: '2026-11-21T10:00:00.000Z' });
        const verdict = await check(store, item);
        assert.equal(verdict.nearDuplicateOf, firstOfGroup[group], `group ${group} item ${index}: ${text}`);
        assert.ok((verdict.similarity ?? 0) >= THRESHOLD);
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
    await check(store, itemOf('first', 'The kettle leaks from the lid.'));
    const verdict = await check(store, itemOf('copy', 'the KETTLE leaks from the lid!!'));
    assert.deepEqual(verdict, { exactOf: 'first', nearDuplicateOf: 'first', similarity: 1, reason: 'exact' });
  });

  void it('links one customer repeating a complaint about the same product', async () => {
    const store = new MemoryDedupeStore();
    await check(
      store,
      itemOf('first', 'The speaker stopped charging after a week of use.', { customerToken: 'c1' }),
    );
    const again = itemOf('again', 'Still no answer from you, this is getting ridiculous!', {
      customerToken: 'c1',
    });
    assert.equal((await check(store, again)).reason, 'same_customer');
    const someoneElse = itemOf('other', 'Why is there still no answer? I wrote three times already.', {
      customerToken: 'c2',
    });
    assert.deepEqual(await check(store, someoneElse), {});
  });

  void it('ignores items outside the window and in other scopes', async () => {
    const store = new MemoryDedupeStore();
    const text = 'The kettle leaks from the lid.';
    await check(store, itemOf('old', text, { eventTime: '2026-10-01T00:00:00.000Z' }));
    assert.deepEqual(await check(store, itemOf('new', text)), {});
    assert.deepEqual(
      await check(
        store,
        itemOf('elsewhere', text, { scope: 'shop|BT-SPK-02', eventTime: '2026-10-02T00:00:00.000Z' }),
      ),
      {},
    );
  });

  void it('gives a replay the first answer and never links an item to itself or to later copies', async () => {
    const store = new MemoryDedupeStore();
    const first = itemOf('first', 'The kettle leaks from the lid.');
    const copy = itemOf('copy', 'The kettle leaks from the lid!', { eventTime: '2026-11-19T10:00:00.000Z' });
    assert.deepEqual(await check(store, first), {});
    const copyVerdict = await check(store, copy);
    assert.equal(copyVerdict.exactOf, 'first');
    // Replays: the same answers, and the index is not touched.
    const before = JSON.stringify(store.scopes.get(first.scope));
    assert.deepEqual(await check(store, first), {});
    assert.deepEqual(await check(store, copy), copyVerdict);
    assert.equal(JSON.stringify(store.scopes.get(first.scope)), before);
    assert.equal(store.scopes.get(first.scope)?.entries.length, 2);
  });

  void it('replaces an entry for a newer revision and ignores an older one', async () => {
    const store = new MemoryDedupeStore();
    await check(store, itemOf('item', 'The kettle leaks from the lid.', { revision: 'r2' }));
    await check(store, itemOf('item', 'The zipper broke on day one.', { revision: 'r1' }));
    assert.equal(
      (await check(store, itemOf('copy', 'The kettle leaks from the lid.', { revision: 'r1' }))).exactOf,
      'item',
    );
    await check(store, itemOf('item', 'The zipper broke on day one.', { revision: 'r3' }));
    assert.deepEqual(await check(store, itemOf('late', 'The zipper broke on day one.')), {
      exactOf: 'item',
      nearDuplicateOf: 'item',
      similarity: 1,
      reason: 'exact',
    });
  });

  void it('keeps the index bounded by count, newest items kept', async () => {
    const store = new MemoryDedupeStore();
    for (let i = 0; i < MAX_RECENT + 10; i++) {
      const minute = String(i % 60).padStart(2, '0');
      const hour = String(Math.floor(i / 60)).padStart(2, '0');
      await check(
        store,
        itemOf(`i${i}`, `Complaint number ${i} about the lid`, {
          eventTime: `2026-11-20T${hour}:${minute}:00.000Z`,
        }),
      );
    }
    const entries = store.scopes.get('shop|JKT-ALP-01')?.entries ?? [];
    assert.equal(entries.length, MAX_RECENT);
    assert.ok(!entries.some((entry) => entry.f === 'i0'));
    assert.ok(entries.some((entry) => entry.f === `i${MAX_RECENT + 9}`));
  });
});

/** Shingles `from` … `to - 1` as words: sets with a known overlap. */
function shingles(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, index) => `word${from + index}`);
}

void describe('bottom-k sketches', () => {
  void it('keep the smallest distinct hashes, ascending, at most SKETCH_SIZE of them', () => {
    const small = sketchOf([...shingles(0, 10), ...shingles(0, 10)]);
    assert.equal(small.length, 10, 'repeated shingles count once');
    const large = sketchOf(shingles(0, 500));
    assert.equal(large.length, SKETCH_SIZE);
    for (const sketch of [small, large])
      for (let i = 1; i < sketch.length; i++) assert.ok(sketch[i - 1]! < sketch[i]!, `ascending at ${i}`);
    assert.deepEqual(sketchOf([]), []);
  });

  void it('are the sketches of shinglesOf: stop words left out, 4-grams for short texts', () => {
    for (const text of [
      'The zipper of my jacket broke after two days and the slider fell off in the rain.',
      'Zipper broke!',
      'The the and of it.',
      '',
      ...groups.flat(),
    ]) {
      assert.deepEqual(fingerprintOf(text).signature, sketchOf(shinglesOf(foldedWordsOf(text))), text);
    }
  });

  void it('give the exact Jaccard similarity when the two sets have at most SKETCH_SIZE elements', () => {
    // 20 and 30 shingles, 10 shared: 10 / 40.
    assert.equal(estimatedJaccard(sketchOf(shingles(0, 20)), sketchOf(shingles(10, 40))), 0.25);
    assert.equal(estimatedJaccard(sketchOf(shingles(0, 20)), sketchOf(shingles(0, 20))), 1);
    assert.equal(estimatedJaccard(sketchOf(shingles(0, 20)), sketchOf(shingles(20, 40))), 0);
    assert.equal(estimatedJaccard([], sketchOf(shingles(0, 20))), 0);
  });

  void it('estimate the similarity of large sets from their smallest hashes', () => {
    // 1,000 shingles each, 500 shared: Jaccard 1/3. The estimate's spread is about 0.06.
    const estimate = estimatedJaccard(sketchOf(shingles(0, 1000)), sketchOf(shingles(500, 1500)));
    assert.ok(Math.abs(estimate - 1 / 3) < 0.15, `estimate ${estimate}`);
    const disjoint = estimatedJaccard(sketchOf(shingles(0, 1000)), sketchOf(shingles(1000, 2000)));
    assert.ok(disjoint < 0.1, `disjoint ${disjoint}`);
  });

  void it('keep their estimate when packed to 16 bits a value for the index', () => {
    for (const [a, b] of [
      [shingles(0, 20), shingles(10, 40)],
      [shingles(0, 60), shingles(30, 90)],
      [shingles(0, 1000), shingles(500, 1500)],
    ] as const) {
      const full = estimatedJaccard(sketchOf(a), sketchOf(b));
      const packed = packedSimilarity(truncatedSketch(sketchOf(a)), packSketch(sketchOf(b)));
      assert.ok(Math.abs(packed - full) <= 0.05, `packed ${packed}, full ${full}`);
    }
    assert.equal(packSketch(sketchOf(shingles(0, 500))).length, 172);
  });

  void it('compare entries written before sketches by text hash and customer only', async () => {
    const store = new MemoryDedupeStore();
    const text = 'The zipper of the jacket broke after two days and the slider fell off.';
    await check(store, itemOf('legacy', text, { customerToken: 'c1' }));
    // The entry as an older version wrote it: a MinHash signature in `s`, no sketch.
    const entry = store.scopes.get('shop|JKT-ALP-01')!.entries[0]!;
    delete entry.k;
    Object.assign(entry, { s: 'AAAA' });
    const reworded = 'After two days the jacket zipper broke and its slider fell off.';
    assert.deepEqual(await check(store, itemOf('reworded', reworded)), {});
    assert.equal((await check(store, itemOf('copy', text))).exactOf, 'legacy');
    const again = 'Still no answer from you, this is getting ridiculous!';
    const repeat = await check(store, itemOf('again', again, { customerToken: 'c1' }));
    assert.deepEqual(repeat, { nearDuplicateOf: 'legacy', similarity: 0, reason: 'same_customer' });
  });
});
