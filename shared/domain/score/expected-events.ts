/**
 * Expected events: known causes of a rise that must not page anyone again (peak-season delivery
 * delays, a supplier already under remediation). Configuration in config/expected-events.json,
 * matched on the item's event time.
 */
import { readFileSync } from 'node:fs';
import { makeValidator } from '../validation.js';

export interface ExpectedEvent {
  id: string;
  /** Shown as the suppression reason. */
  reason: string;
  /** Inclusive start and exclusive end, ISO 8601 event time. */
  from: string;
  to: string;
  /** Empty or absent: any category. */
  categories?: string[];
  /** Empty or absent: any product. */
  productKeys?: string[];
  /** Catalog suppliers; empty or absent: any supplier. */
  suppliers?: string[];
}

export interface ExpectedEvents {
  version: string;
  events: ExpectedEvent[];
}

const stringList = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

export const expectedEventsSchema = {
  $id: 'expected-events.v1',
  type: 'object',
  required: ['version', 'events'],
  properties: {
    version: { type: 'string', minLength: 1 },
    events: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'reason', 'from', 'to'],
        properties: {
          id: { type: 'string', minLength: 1 },
          reason: { type: 'string', minLength: 1 },
          from: { type: 'string', format: 'date-time' },
          to: { type: 'string', format: 'date-time' },
          categories: stringList,
          productKeys: stringList,
          suppliers: stringList,
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

export const validateExpectedEvents = makeValidator<ExpectedEvents>(expectedEventsSchema);

export const DEFAULT_EXPECTED_EVENTS_PATH = 'config/expected-events.json';

export function parseExpectedEvents(input: unknown, origin = 'expected events'): ExpectedEvents {
  const result = validateExpectedEvents(input);
  if (!result.ok) throw new Error(`${origin} is invalid: ${result.error}`);
  for (const event of result.value.events) {
    if (!(Date.parse(event.from) < Date.parse(event.to)))
      throw new Error(`${origin}: ${event.id} ends before it starts`);
  }
  return result.value;
}

export function loadExpectedEvents(path: string = DEFAULT_EXPECTED_EVENTS_PATH): ExpectedEvents {
  return parseExpectedEvents(JSON.parse(readFileSync(path, 'utf8')), path);
}

const matches = (list: string[] | undefined, value: string | undefined): boolean =>
  !list || list.length === 0 || (value !== undefined && list.includes(value));

/** The first expected event covering this item, if any. */
export function findExpectedEvent(
  expected: ExpectedEvents,
  item: { eventTimeMs: number; category: string; productKey: string; supplier?: string },
): ExpectedEvent | undefined {
  return expected.events.find(
    (event) =>
      item.eventTimeMs >= Date.parse(event.from) &&
      item.eventTimeMs < Date.parse(event.to) &&
      matches(event.categories, item.category) &&
      matches(event.productKeys, item.productKey) &&
      matches(event.suppliers, item.supplier),
  );
}
