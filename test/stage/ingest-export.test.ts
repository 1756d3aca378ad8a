import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import {
  makeIngestExportFile,
  MAX_REPORTED_REJECTIONS,
  type Landing,
} from '../../shared/stages/ingest-export.js';
import { feedbackIdOf, type RawEnvelope } from '../../shared/domain/record.js';
import type { RawStore } from '../../shared/stages/ingest.js';
import { MemoryRawStore, RecordingLogger } from '../support/webhook-signing.js';

const NOW = new Date('2026-11-27T12:00:00.000Z');
const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/ingest/${name}`, import.meta.url));

class FixtureLanding implements Landing {
  readonly reports = new Map<string, Record<string, unknown>>();
  constructor(private readonly files: Record<string, () => NodeJS.ReadableStream>) {}
  openRead(path: string): Promise<NodeJS.ReadableStream> {
    const open = this.files[path];
    return open ? Promise.resolve(open()) : Promise.reject(new Error(`no such file ${path}`));
  }
  writeReport(path: string, report: object): Promise<void> {
    this.reports.set(path, structuredClone(report) as Record<string, unknown>);
    return Promise.resolve();
  }
}

function setup(
  files: Record<string, () => NodeJS.ReadableStream>,
  rawStore: RawStore = new MemoryRawStore(),
) {
  const landing = new FixtureLanding(files);
  const run = makeIngestExportFile({ rawStore, landing, clock: () => NOW, logger: new RecordingLogger() });
  return { landing, run, rawStore };
}

void describe('ingest export files', () => {
  void it('a CSV with good and bad rows gives the right envelopes and a per-row report', async () => {
    const store = new MemoryRawStore();
    const { landing, run } = setup(
      { 'acme/reviews.csv': () => createReadStream(fixturePath('export-mixed.csv')) },
      store,
    );
    const report = await run('landing/acme/reviews.csv');
    assert.equal(report.status, 'done');
    assert.equal(report.tenant, 'acme');
    assert.equal(report.rowsAccepted, 4);
    assert.equal(report.rowsRejected, 3);
    assert.deepEqual(
      report.rejections.map(({ row, line, reason }) => [row, line, reason]),
      [
        [3, 5, '/rating must be <= 5'],
        [4, 6, "/ must have property 'text'"],
        [5, 7, '/createdAt must match format "date-time"'],
      ],
    );
    assert.deepEqual(landing.reports.get('acme/reviews.csv.report.json'), { ...report });

    const envelopes = new Map((store.envelopes() as unknown as RawEnvelope[]).map((e) => [e.sourceId, e]));
    assert.deepEqual([...envelopes.keys()].sort(), ['csv-1', 'csv-2', 'csv-6', 'csv-7']);
    assert.deepEqual([...store.blobs.keys()].sort(), [
      'generic/2026/11/01/csv-1@20261101T100000000Z.json',
      'generic/2026/11/02/csv-2@20261102T100000000Z.json',
      'generic/2026/11/06/csv-6@20261106T090000000Z.json',
      'generic/2026/11/07/csv-7@00000003.json',
    ]);
    const broken = envelopes.get('csv-2')!;
    assert.equal(broken.source, 'generic');
    assert.equal(broken.topic, 'export');
    assert.equal(broken.tenant, 'acme');
    assert.equal(broken.itemPointer, '');
    assert.equal(broken.feedbackId, feedbackIdOf('generic', 'acme', 'csv-2'));
    assert.deepEqual(JSON.parse(Buffer.from(broken.body, 'base64').toString('utf8')), {
      id: 'csv-2',
      channel: 'review',
      text: 'Zipper broke, "very" disappointed\nafter a week',
      title: 'Broken zipper',
      rating: 1,
      sku: 'JKT-TRAIL-M',
      locale: 'en',
      createdAt: '2026-11-02T10:00:00Z',
      attributes: { store: 'web' },
    });
    const unicode = JSON.parse(
      Buffer.from(envelopes.get('csv-6')!.body, 'base64').toString('utf8'),
    ) as Record<string, unknown>;
    assert.equal(unicode.text, 'Ünïcödé text with emoji 🎉');
    assert.equal(
      store.blobs.get('generic/2026/11/02/csv-2@20261102T100000000Z.json')!.metadata.exportrow,
      '2',
    );
  });

  void it('a JSONL file lands each good line byte for byte', async () => {
    const store = new MemoryRawStore();
    const { run } = setup({ 'feed.jsonl': () => createReadStream(fixturePath('export-mixed.jsonl')) }, store);
    const report = await run('feed.jsonl');
    assert.equal(report.tenant, '');
    assert.equal(report.rowsAccepted, 2);
    assert.deepEqual(
      report.rejections.map(({ row, reason }) => [row, reason]),
      [
        [2, '/rating must be >= 1'],
        [3, 'malformed JSON'],
      ],
    );
    const envelope = (store.envelopes() as unknown as RawEnvelope[]).find((e) => e.sourceId === 'jl-3')!;
    assert.equal(
      Buffer.from(envelope.body, 'base64').toString('utf8'),
      '{"id":"jl-3","text":"Lid leaks","sku":"MUG-TRAVEL-350","createdAt":"2026-11-08T11:00:00Z","attributes":{"source":"email"}}',
    );
  });

  void it('a retried file lands nothing twice and counts duplicates', async () => {
    const store = new MemoryRawStore();
    const { run } = setup({ 'a/x.csv': () => createReadStream(fixturePath('export-mixed.csv')) }, store);
    await run('a/x.csv');
    const before = store.blobs.size;
    const again = await run('a/x.csv');
    assert.equal(store.blobs.size, before);
    assert.equal(again.rowsAccepted, 4);
    assert.equal(again.rowsDuplicate, 4);
  });

  void it('a bad header fails the file with a report; other files and reports are skipped', async () => {
    const { landing, run } = setup({
      'bad.csv': () => Readable.from(['id,text,createdAt,colour\n1,a,2026-11-01T00:00:00Z,red\n']),
      'missing.csv': () => Readable.from(['id,text\n1,a\n']),
    });
    const bad = await run('bad.csv');
    assert.equal(bad.status, 'failed');
    assert.equal(bad.error, 'header: unknown column "colour"');
    assert.equal(landing.reports.get('bad.csv.report.json')!.status, 'failed');
    assert.equal((await run('missing.csv')).error, 'header: missing column "createdAt"');
    assert.equal((await run('bad.csv.report.json')).status, 'skipped');
    assert.equal((await run('notes.txt')).status, 'skipped');
    assert.equal(landing.reports.size, 2);
  });

  void it('storage outages are rethrown so the trigger retries the file', async () => {
    const store = new MemoryRawStore();
    store.unavailable = true;
    const { landing, run } = setup(
      { 'a/x.csv': () => createReadStream(fixturePath('export-mixed.csv')) },
      store,
    );
    await assert.rejects(run('a/x.csv'), { name: 'StorageUnavailableError' });
    assert.equal(landing.reports.size, 0);
  });

  void it('caps the listed rejections but counts them all', async () => {
    const rows = function* () {
      yield 'id,text,createdAt\n';
      for (let index = 0; index < MAX_REPORTED_REJECTIONS + 50; index += 1)
        yield `r${index},,2026-11-01T00:00:00Z\n`;
    };
    const { run } = setup({ 'many.csv': () => Readable.from(rows()) });
    const report = await run('many.csv');
    assert.equal(report.rowsRejected, MAX_REPORTED_REJECTIONS + 50);
    assert.equal(report.rejections.length, MAX_REPORTED_REJECTIONS);
    assert.equal(report.rejectionsTruncated, true);
  });

  void it('streams a 100,000-row file without holding it in memory', async (t) => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const filler =
      'The zipper pull snapped off after a week of light use and the stitching frays at the cuff. ';
    let generatedBytes = 0;
    /** The file in ~64 KB chunks, generated lazily: only the pipeline could hold it whole. */
    const csvChunks = function* (rowCount: number) {
      let chunk = 'id,channel,text,rating,sku,createdAt\n';
      for (let index = 0; index < rowCount; index += 1) {
        chunk += `row-${index},review,"${filler}${index}",${(index % 5) + 1},SKU-${index % 97},2026-11-${String((index % 28) + 1).padStart(2, '0')}T10:00:00Z\n`;
        if (chunk.length >= 65_536) {
          generatedBytes += chunk.length;
          yield chunk;
          chunk = '';
        }
      }
      generatedBytes += chunk.length;
      yield chunk;
    };
    // Counts writes and keeps nothing, so the heap reflects the pipeline alone.
    let written = 0;
    const samples: number[] = [];
    const countingStore: RawStore = {
      putIfAbsent: () => {
        written += 1;
        if (written % 25_000 === 0) {
          gc();
          samples.push(process.memoryUsage().heapUsed);
        }
        return Promise.resolve('created');
      },
    };
    const { run } = setup(
      {
        'warm.csv': () => Readable.from(csvChunks(1000)),
        'big.csv': () => Readable.from(csvChunks(100_000)),
      },
      countingStore,
    );
    await run('warm.csv'); // loads and compiles everything first
    written = 0;
    samples.length = 0;
    generatedBytes = 0;
    gc();
    const baseline = process.memoryUsage().heapUsed;
    const report = await run('big.csv');
    assert.equal(report.rowsAccepted, 100_000);
    assert.equal(report.rowsRejected, 0);
    assert.equal(written, 100_000);
    assert.ok(
      generatedBytes > 10 * 1024 * 1024,
      `the file is large enough to matter (${generatedBytes} bytes)`,
    );
    const peakGrowth = Math.max(...samples) - baseline;
    t.diagnostic(`peak heap growth ${peakGrowth} bytes for a ${generatedBytes}-byte file`);
    // Loose bound: a quarter of the file; holding it whole would take more than the file itself.
    assert.ok(
      peakGrowth < generatedBytes / 4,
      `heap grew ${peakGrowth} bytes for a ${generatedBytes}-byte file`,
    );
  });
});
