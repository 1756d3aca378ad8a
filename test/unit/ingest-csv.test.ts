import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv, splitLines, type CsvEvent } from '../../shared/domain/ingest/csv.js';
import { itemFromCsvRow, readExportRows } from '../../shared/domain/ingest/export-rows.js';

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of source) out.push(value);
  return out;
}

function* chunked(text: string, size: number): Generator<string> {
  for (let index = 0; index < text.length; index += size) yield text.slice(index, index + size);
}

const parse = (text: string, size = text.length || 1, max?: number): Promise<CsvEvent[]> =>
  collect(parseCsv(chunked(text, size), max));

void describe('parseCsv (RFC 4180)', () => {
  const sample =
    'id,text,title\r\n' +
    '1,"Hello, world",plain\r\n' +
    '2,"She said ""no""\r\nthen left",\r\n' +
    '\r\n' +
    '3,,"x"\n' +
    '4,last,no newline';

  const expected: CsvEvent[] = [
    { kind: 'record', fields: ['id', 'text', 'title'], line: 1 },
    { kind: 'record', fields: ['1', 'Hello, world', 'plain'], line: 2 },
    { kind: 'record', fields: ['2', 'She said "no"\r\nthen left', ''], line: 3 },
    { kind: 'record', fields: ['3', '', 'x'], line: 6 },
    { kind: 'record', fields: ['4', 'last', 'no newline'], line: 7 },
  ];

  void it('reads quoted fields, doubled quotes, embedded commas and line breaks, CRLF and LF', async () => {
    assert.deepEqual(await parse(sample), expected);
  });

  void it('gives the same records whatever the chunk boundaries', async () => {
    for (const size of [1, 2, 3, 5, 7, 11, 64])
      assert.deepEqual(await parse(sample, size), expected, `chunk ${size}`);
  });

  void it('reports an unterminated quote and a stray character after a closing quote', async () => {
    assert.deepEqual(await parse('a,b\n1,"open\n'), [
      { kind: 'record', fields: ['a', 'b'], line: 1 },
      { kind: 'error', line: 2, reason: 'unterminated quoted field' },
    ]);
    assert.deepEqual(await parse('1,"x"y,2\n3,4\n'), [
      { kind: 'error', line: 1, reason: 'unexpected character after a closing quote' },
      { kind: 'record', fields: ['3', '4'], line: 2 },
    ]);
  });

  void it('skips an over-long record without keeping it, then goes on', async () => {
    const events = await parse(`1,${'x'.repeat(500)}\n2,ok\n`, 16, 100);
    assert.deepEqual(events, [
      { kind: 'error', line: 1, reason: 'row longer than 100 characters' },
      { kind: 'record', fields: ['2', 'ok'], line: 2 },
    ]);
  });

  void it('keeps empty fields, including trailing ones', async () => {
    assert.deepEqual(await parse(',,\n'), [{ kind: 'record', fields: ['', '', ''], line: 1 }]);
  });
});

void describe('splitLines', () => {
  void it('splits LF and CRLF across chunk boundaries and flags over-long lines', async () => {
    const lines = await collect(splitLines(chunked('a\r\nbb\n' + 'c'.repeat(30) + '\nd', 4), 10));
    assert.deepEqual(lines, [
      { line: 1, text: 'a' },
      { line: 2, text: 'bb' },
      { line: 3, error: 'line longer than 10 characters' },
      { line: 4, text: 'd' },
    ]);
  });
});

void describe('export rows', () => {
  void it('turns CSV cells into a generic item: numbers, attributes, empty cells absent', () => {
    const header = ['id', 'text', 'rating', 'npsScore', 'createdAt', 'attributes.store', 'attributes', 'sku'];
    assert.deepEqual(
      itemFromCsvRow(header, ['a', 'Nice', '4', ' 7 ', '2026-11-01T00:00:00Z', 'ios', '{"v":"1"}', '']),
      {
        item: {
          id: 'a',
          text: 'Nice',
          rating: 4,
          npsScore: 7,
          createdAt: '2026-11-01T00:00:00Z',
          attributes: { store: 'ios', v: '1' },
        },
      },
    );
    assert.deepEqual(itemFromCsvRow(header, ['a']), { error: 'row has 1 fields, the header has 8' });
    assert.deepEqual(itemFromCsvRow(['attributes'], ['[1]']), { error: '/attributes must be a JSON object' });
    assert.deepEqual(itemFromCsvRow(['rating'], ['four']), { item: { rating: 'four' } });
  });

  void it('reads a UTF-8 byte stream split inside a multi-byte character', async () => {
    const bytes = Buffer.from('id,text,createdAt\nx,"héllo 🎉",2026-11-01T00:00:00Z\n', 'utf8');
    function* byteChunks() {
      for (let index = 0; index < bytes.length; index += 3) yield bytes.subarray(index, index + 3);
    }
    const rows = await collect(readExportRows(byteChunks(), 'csv'));
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.item?.text, 'héllo 🎉');
  });
});
