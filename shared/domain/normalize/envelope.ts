/**
 * Reading a raw blob: the RawEnvelope JSON, its base64 body, and the item inside the body at the
 * envelope's JSON Pointer. Each failure says why, for the quarantine.
 */
import { channels, sources, SCHEMA_VERSION, type RawEnvelope } from '../record.js';
import { makeValidator } from '../validation.js';

export const rawEnvelopeSchema = {
  $id: 'raw-envelope.v1',
  type: 'object',
  required: [
    'schemaVersion',
    'feedbackId',
    'source',
    'sourceId',
    'revision',
    'receivedAt',
    'tenant',
    'topic',
    'deliveryId',
    'itemPointer',
    'contentType',
    'body',
  ],
  properties: {
    schemaVersion: { const: SCHEMA_VERSION },
    feedbackId: { type: 'string', pattern: '^[0-9a-f]{32}$' },
    source: { enum: [...sources] },
    sourceId: { type: 'string', minLength: 1, maxLength: 500 },
    revision: { type: 'string', minLength: 1, maxLength: 200 },
    receivedAt: { type: 'string', format: 'date-time' },
    tenant: { type: 'string', maxLength: 300 },
    topic: { type: 'string', minLength: 1, maxLength: 200 },
    deliveryId: { type: 'string' },
    itemPointer: { type: 'string', pattern: '^(?:/.*)?$' },
    contentType: { type: 'string' },
    body: { type: 'string' },
  },
  additionalProperties: true,
} as const;

export const validateRawEnvelope = makeValidator<RawEnvelope>(rawEnvelopeSchema);

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string; error?: string };

export function parseEnvelope(blob: Buffer): Parsed<RawEnvelope> {
  let json: unknown;
  try {
    json = JSON.parse(blob.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: 'blob is not JSON', error: String(error) };
  }
  const checked = validateRawEnvelope(json);
  return checked.ok ? checked : { ok: false, reason: 'blob is not a raw envelope', error: checked.error };
}

/** RFC 6901: '/a/0/b~1c' → ['a', '0', 'b/c']. */
export function resolvePointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  let current: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      if (!/^(?:0|[1-9]\d*)$/.test(token)) return undefined;
      current = current[Number(token)];
    } else if (current !== null && typeof current === 'object') {
      current = Object.prototype.hasOwnProperty.call(current, token)
        ? (current as Record<string, unknown>)[token]
        : undefined;
    } else {
      return undefined;
    }
  }
  return current;
}

/**
 * The body decoded: JSON, or JSON Lines (export files), where the pointer's first token is the
 * line index. Returns the whole document and the item at the pointer.
 */
export function readItem(envelope: RawEnvelope): Parsed<{ document: unknown; item: unknown }> {
  const text = Buffer.from(envelope.body, 'base64').toString('utf8');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    if (!/jsonl|ndjson|x-ndjson/i.test(envelope.contentType) || lines.length === 0) {
      return { ok: false, reason: 'body is not JSON' };
    }
    try {
      document = lines.map((line) => JSON.parse(line) as unknown);
    } catch (error) {
      return { ok: false, reason: 'body is not JSON Lines', error: String(error) };
    }
  }
  const item = resolvePointer(document, envelope.itemPointer);
  if (item === undefined)
    return { ok: false, reason: `item pointer '${envelope.itemPointer}' not found in body` };
  return { ok: true, value: { document, item } };
}

export const channelSet = new Set<string>(channels);
