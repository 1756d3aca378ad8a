/**
 * Where a raw envelope lands: `{source}/{yyyy}/{mm}/{dd}/{sourceId}@{revision}.json` inside the
 * `raw` container. Revisions are compared as strings downstream (newer supersedes older), so every
 * revision we mint is a compact UTC timestamp that sorts chronologically.
 */
import { createHash } from 'node:crypto';
import type { Source } from '../record.js';

/** `YYYYMMDDTHHmmssSSSZ`: fixed width, so string order is time order. */
export function compactTimestamp(date: Date): string {
  const iso = date.toISOString(); // 2026-11-27T12:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}${iso.slice(20, 23)}Z`;
}

/** Parses an ISO 8601 date-time from a payload; undefined when absent or not a date. */
export function parseEventTime(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value.length < 10 || value.length > 64) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  const year = date.getUTCFullYear();
  return year >= 1970 && year <= 9999 ? date : undefined;
}

const SAFE_PATH_CHAR = /[A-Za-z0-9._-]/;
const SAFE_PATH_SEGMENT = /^[A-Za-z0-9._-]+$/;
const MAX_ENCODED_ID = 200;

/**
 * Makes an id safe for a blob path while keeping it readable: letters, digits, `.`, `_` and `-`
 * pass through, every other UTF-8 byte is percent-encoded (so the mapping stays one-to-one).
 * Very long ids keep a readable prefix and a hash of the whole id.
 */
export function sanitizePathSegment(id: string): string {
  if (id.length <= MAX_ENCODED_ID && SAFE_PATH_SEGMENT.test(id)) return id;
  let encoded = '';
  for (const char of id) {
    if (SAFE_PATH_CHAR.test(char)) encoded += char;
    else
      for (const byte of Buffer.from(char, 'utf8'))
        encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (encoded === '') return '%00';
  if (encoded.length <= MAX_ENCODED_ID) return encoded;
  const digest = createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 16);
  const prefix = encoded.slice(0, 120).replace(/%[0-9A-F]?$/, '');
  return `${prefix}~${digest}`;
}

export function rawBlobPath(source: Source, sourceId: string, revision: string, eventTime: Date): string {
  const iso = eventTime.toISOString();
  const [yyyy, mm, dd] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)];
  return `${source}/${yyyy}/${mm}/${dd}/${sanitizePathSegment(sourceId)}@${sanitizePathSegment(revision)}.json`;
}
