/**
 * Export files (CSV or JSONL) read row by row into generic items. A CSV has a header row naming
 * the generic item's fields (`attributes` as a JSON object, or one `attributes.<key>` column per
 * attribute); a JSONL file has one generic item per line. Each row is checked on its own.
 */
import { genericItemSchema, validateGenericItem, type GenericItem } from './generic-item.js';
import { decodeUtf8, parseCsv, splitLines } from './csv.js';

export type ExportFormat = 'csv' | 'jsonl';

export function exportFormatOf(path: string): ExportFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  return undefined;
}

export interface ExportRow {
  /** 1-based data row (the CSV header is not a row). */
  row: number;
  /** Physical line where the row starts. */
  line: number;
  item?: GenericItem;
  /** The bytes to land as the envelope body: the JSONL line as sent, or the CSV row as JSON. */
  bytes?: Buffer;
  error?: string;
}

/** A problem with the file as a whole (its header); no row can be read. */
export class ExportFileError extends Error {
  override name = 'ExportFileError';
}

const MAX_ROW_CHARS = 1_000_000;
const integerFields = new Set(['rating', 'npsScore']);
const itemFields = new Set(Object.keys(genericItemSchema.properties));

function checkHeader(header: string[]): void {
  const seen = new Set<string>();
  for (const raw of header) {
    const name = raw.trim();
    if (seen.has(name)) throw new ExportFileError(`header: duplicate column "${name.slice(0, 100)}"`);
    seen.add(name);
    const known =
      itemFields.has(name) || (name.startsWith('attributes.') && name.length > 'attributes.'.length);
    if (!known) throw new ExportFileError(`header: unknown column "${name.slice(0, 100)}"`);
  }
  for (const required of genericItemSchema.required)
    if (!seen.has(required)) throw new ExportFileError(`header: missing column "${required}"`);
}

/** One CSV row as the generic item it spells; empty cells are absent fields. */
export function itemFromCsvRow(header: string[], fields: string[]): { item?: unknown; error?: string } {
  if (fields.length !== header.length)
    return { error: `row has ${fields.length} fields, the header has ${header.length}` };
  const item: Record<string, unknown> = {};
  const attributes: Record<string, string> = {};
  let hasAttributes = false;
  for (let index = 0; index < header.length; index += 1) {
    const name = header[index]!.trim();
    const value = fields[index]!;
    if (value === '') continue;
    if (name.startsWith('attributes.')) {
      attributes[name.slice('attributes.'.length)] = value;
      hasAttributes = true;
    } else if (name === 'attributes') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        return { error: '/attributes must be a JSON object' };
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        return { error: '/attributes must be a JSON object' };
      Object.assign(attributes, parsed);
      hasAttributes = true;
    } else if (integerFields.has(name) && /^[+-]?\d{1,6}$/.test(value.trim())) {
      item[name] = Number(value.trim());
    } else {
      item[name] = value;
    }
  }
  if (hasAttributes) item.attributes = attributes;
  return { item };
}

function checkedRow(row: number, line: number, candidate: unknown, bytes: () => Buffer): ExportRow {
  const checked = validateGenericItem(candidate);
  if (!checked.ok) return { row, line, error: checked.error };
  return { row, line, item: checked.value, bytes: bytes() };
}

export async function* readExportRows(
  source: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>,
  format: ExportFormat,
): AsyncGenerator<ExportRow> {
  const text = decodeUtf8(source);
  let row = 0;
  if (format === 'jsonl') {
    for await (const entry of splitLines(text, MAX_ROW_CHARS)) {
      if (entry.text !== undefined && entry.text.trim() === '') continue;
      row += 1;
      if (entry.error !== undefined || entry.text === undefined) {
        yield { row, line: entry.line, error: entry.error ?? 'unreadable line' };
        continue;
      }
      const lineText = entry.text;
      let parsed: unknown;
      try {
        parsed = JSON.parse(lineText);
      } catch {
        yield { row, line: entry.line, error: 'malformed JSON' };
        continue;
      }
      if (Array.isArray(parsed)) {
        yield { row, line: entry.line, error: '/ must be object (one item per line)' };
        continue;
      }
      yield checkedRow(row, entry.line, parsed, () => Buffer.from(lineText, 'utf8'));
    }
    return;
  }
  let header: string[] | undefined;
  for await (const event of parseCsv(text, MAX_ROW_CHARS)) {
    if (!header) {
      if (event.kind === 'error') throw new ExportFileError(`header: ${event.reason}`);
      header = event.fields;
      checkHeader(header);
      continue;
    }
    row += 1;
    if (event.kind === 'error') {
      yield { row, line: event.line, error: event.reason };
      continue;
    }
    const { item, error } = itemFromCsvRow(header, event.fields);
    if (error !== undefined) {
      yield { row, line: event.line, error };
      continue;
    }
    yield checkedRow(row, event.line, item, () => Buffer.from(JSON.stringify(item), 'utf8'));
  }
  if (!header) throw new ExportFileError('header: the file is empty');
}
