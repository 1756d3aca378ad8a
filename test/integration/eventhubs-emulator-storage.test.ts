// The emulator's partition log on disk: crash recovery and retention (no AMQP involved).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import rhea from 'rhea';
import { PartitionLog, ReadAhead } from '../../local/eventhubs-emulator/partition-log.js';

const root = mkdtempSync(join(tmpdir(), 'eh-log-'));
after(() => rmSync(root, { recursive: true, force: true }));

const event = (i: number): Buffer =>
  rhea.message.encode({
    body: rhea.message.data_section(Buffer.alloc(1000, 97)),
    application_properties: { i },
  });

async function readAll(log: PartitionLog): Promise<number[]> {
  const seqs: number[] = [];
  let offset = log.earliestOffset();
  for (;;) {
    const { records, next } = await log.read(offset, 500);
    if (records.length === 0) return seqs;
    seqs.push(...records.map((r) => r.sequenceNumber));
    offset = next;
  }
}

void test('a torn tail is truncated on restart and numbering continues', async () => {
  const dir = join(root, 'torn');
  let log = await PartitionLog.open({ dir, segmentBytes: 64 * 1024 });
  for (let b = 0; b < 20; b++)
    await log.append(
      [event(b * 5), event(b * 5 + 1), event(b * 5 + 2), event(b * 5 + 3), event(b * 5 + 4)],
      undefined,
    );
  await log.close();
  const segments = readdirSync(dir)
    .filter((n) => n.endsWith('.log'))
    .sort();
  assert.ok(segments.length > 1, 'the log rolled into several segments');
  // Simulate a crash in the middle of a write: half a record at the end of the last segment.
  appendFileSync(join(dir, segments.at(-1) as string), Buffer.from([0, 0, 4, 0, 1, 2, 3]));

  log = await PartitionLog.open({ dir, segmentBytes: 64 * 1024 });
  assert.equal(log.snapshot().lastSequenceNumber, 99);
  await log.append([event(100)], undefined);
  const seqs = await readAll(log);
  assert.deepEqual(
    seqs,
    Array.from({ length: 101 }, (_v, i) => i),
  );
  assert.equal(
    await log.offsetForSequence(57),
    (await log.read(await log.offsetForSequence(57), 1)).records[0]?.offset,
  );
  assert.equal((await log.read(await log.offsetForSequence(57), 1)).records[0]?.sequenceNumber, 57);
  await log.close();
});

void test('retention deletes whole old segments by size and by age', async () => {
  const dir = join(root, 'retention');
  const log = await PartitionLog.open({ dir, segmentBytes: 64 * 1024 });
  for (let i = 0; i < 300; i++) await log.append([event(i)], undefined);
  const size = (): number =>
    readdirSync(dir)
      .filter((n) => n.endsWith('.log'))
      .reduce((sum, n) => sum + statSync(join(dir, n)).size, 0);
  assert.ok(size() > 256 * 1024);
  await log.applyRetention(24 * 3600_000, 128 * 1024);
  assert.ok(size() <= 128 * 1024 + 64 * 1024, `kept ${size()} bytes`);
  const begin = log.snapshot().beginSequenceNumber;
  assert.ok(begin > 0, 'the oldest events are gone');
  assert.equal((await readAll(log))[0], begin);

  await log.applyRetention(0, undefined, Date.now() + 1000);
  const snapshot = log.snapshot();
  assert.equal(snapshot.isEmpty, true);
  assert.equal(snapshot.lastSequenceNumber, 299);
  await log.append([event(300)], undefined);
  assert.deepEqual(await readAll(log), [300]);
  await log.close();

  const reopened = await PartitionLog.open({ dir, segmentBytes: 64 * 1024 });
  assert.equal(reopened.snapshot().lastSequenceNumber, 300);
  await reopened.close();
});

void test('a reader behind the in-memory tail reads each record once, in order, across segments', async () => {
  const dir = join(root, 'read-ahead');
  const log = await PartitionLog.open({ dir, segmentBytes: 1024 * 1024 });
  // 3,000 events of ~1 KB: more than the in-memory tail holds, over several segments.
  for (let b = 0; b < 30; b++) {
    await log.append(
      Array.from({ length: 100 }, (_v, i) => event(b * 100 + i)),
      undefined,
    );
  }
  const readAhead = new ReadAhead();
  const seqs: number[] = [];
  const bodies: number[] = [];
  let offset = log.earliestOffset();
  for (;;) {
    const { records, next } = await log.read(offset, 37, readAhead);
    if (records.length === 0) break;
    for (const r of records) {
      seqs.push(r.sequenceNumber);
      const decoded = rhea.message.decode(r.message) as { application_properties?: { i?: number } };
      bodies.push(decoded.application_properties?.i ?? -1);
    }
    offset = next;
  }
  const expected = Array.from({ length: 3000 }, (_v, i) => i);
  assert.deepEqual(seqs, expected);
  assert.deepEqual(bodies, expected);
  assert.deepEqual(await readAll(log), expected);
  await log.close();
});
