import { channels, sources, SCHEMA_VERSION } from '../record.js';

/** JSON Schema of the fields every inter-stage event carries (EventHeader in record.ts). */
export const eventHeaderProperties = {
  schemaVersion: { const: SCHEMA_VERSION },
  feedbackId: { type: 'string', pattern: '^[0-9a-f]{32}$' },
  revision: { type: 'string', minLength: 1, maxLength: 200 },
  source: { enum: [...sources] },
  sourceId: { type: 'string', minLength: 1, maxLength: 500 },
  tenant: { type: 'string', maxLength: 300 },
  channel: { enum: [...channels] },
  eventTime: { type: 'string', format: 'date-time' },
  productKey: { type: 'string', minLength: 1, maxLength: 300 },
  lineage: {
    type: 'object',
    required: ['rawBlob', 'receivedAt'],
    properties: {
      rawBlob: { type: 'string' },
      receivedAt: { type: 'string' },
      normalizedAt: { type: 'string' },
      classifiedAt: { type: 'string' },
      scoredAt: { type: 'string' },
      routedAt: { type: 'string' },
    },
    additionalProperties: false,
  },
} as const;

export const eventHeaderRequired = [
  'schemaVersion',
  'feedbackId',
  'revision',
  'source',
  'sourceId',
  'tenant',
  'channel',
  'eventTime',
  'productKey',
  'lineage',
] as const;
