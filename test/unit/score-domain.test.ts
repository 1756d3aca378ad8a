import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  countsInDays,
  countsInHours,
  dayOfHour,
  defaultScoreSettings,
  emptyProductFeatures,
  findExpectedEvent,
  fromStoredFeatures,
  hourOf,
  incidentKeyOf,
  loadExpectedEvents,
  parseExpectedEvents,
  scoreProductBatch,
  toStoredFeatures,
  weekdayFactor,
  type ProductBatchContext,
  type ProductFeatures,
} from '../../shared/domain/score/index.js';
import { makeClassifiedEvent, type SyntheticItem } from '../fixtures/score/synthetic.js';

const context = (overrides: Partial<ProductBatchContext> = {}): ProductBatchContext => ({
  settings: defaultScoreSettings,
  categoryBaselines: new Map(),
  ...overrides,
});
const item = (id: string, eventTime: string, extra: Partial<SyntheticItem> = {}) =>
  makeClassifiedEvent({
    id,
    productKey: 'SKU-1',
    eventTime,
    category: 'defect',
    customerToken: `c-${id}`,
    ...extra,
  });
const totalCounted = (state: ProductFeatures, category = 'defect'): number =>
  countsInDays(state, category, -1e6, 1e6).n;

void test('incident keys are deterministic per product and category', () => {
  assert.equal(incidentKeyOf('SKU-1', 'defect'), incidentKeyOf('SKU-1', 'defect'));
  assert.notEqual(incidentKeyOf('SKU-1', 'defect'), incidentKeyOf('SKU-1', 'quality'));
  assert.notEqual(incidentKeyOf('SKU-1', 'defect'), incidentKeyOf('SKU-2', 'defect'));
  assert.match(incidentKeyOf('SKU-1', 'defect'), /^inc-[0-9a-f]{24}$/);
});

void test('the shipped expected-events config parses, and events match on event time, category and supplier', () => {
  const config = loadExpectedEvents('config/expected-events.json');
  assert.ok(config.events.length >= 2);
  const expected = parseExpectedEvents({
    version: 't',
    events: [
      {
        id: 'peak',
        reason: 'peak season',
        from: '2026-12-01T00:00:00Z',
        to: '2027-01-01T00:00:00Z',
        categories: ['delivery'],
      },
      {
        id: 'capa',
        reason: 'supplier under remediation',
        from: '2026-01-01T00:00:00Z',
        to: '2027-01-01T00:00:00Z',
        suppliers: ['acme'],
      },
    ],
  });
  const at = (iso: string) => Date.parse(iso);
  assert.equal(
    findExpectedEvent(expected, {
      eventTimeMs: at('2026-12-05T00:00:00Z'),
      category: 'delivery',
      productKey: 'A',
    })?.id,
    'peak',
  );
  assert.equal(
    findExpectedEvent(expected, {
      eventTimeMs: at('2026-11-05T00:00:00Z'),
      category: 'delivery',
      productKey: 'A',
    }),
    undefined,
  );
  assert.equal(
    findExpectedEvent(expected, {
      eventTimeMs: at('2026-12-05T00:00:00Z'),
      category: 'defect',
      productKey: 'A',
    }),
    undefined,
  );
  assert.equal(
    findExpectedEvent(expected, {
      eventTimeMs: at('2026-06-05T00:00:00Z'),
      category: 'defect',
      productKey: 'A',
      supplier: 'acme',
    })?.id,
    'capa',
  );
  assert.throws(() =>
    parseExpectedEvents({ version: 't', events: [{ id: 'x', reason: 'r', from: 'soon', to: 'later' }] }),
  );
});

void test('counting honestly: spam and duplicates do not count, one customer counts once per day and category', () => {
  const events = [
    item('a', '2026-05-01T10:00:00Z'),
    item('b', '2026-05-01T10:05:00Z', { spam: true }),
    item('c', '2026-05-01T10:06:00Z', { nearDuplicateOf: 'a'.repeat(32) }),
    item('d', '2026-05-01T11:00:00Z', { customerToken: 'c-a' }),
    item('e', '2026-05-02T09:00:00Z', { customerToken: 'c-a' }),
    item('f', '2026-05-01T12:00:00Z', { customerToken: 'c-a', category: 'delivery' }),
  ];
  const result = scoreProductBatch(undefined, events, context());
  assert.deepEqual(
    result.outcomes.map((o) => o.block.counted),
    [true, false, false, false, true, true],
  );
  assert.match(result.outcomes[1]!.block.reasons[0]!, /spam/);
  assert.match(result.outcomes[2]!.block.reasons[0]!, /near duplicate/);
  assert.match(result.outcomes[3]!.block.reasons[0]!, /customer already counted/);
  assert.equal(result.outcomes[1]!.block.decision, 'none');
  assert.equal(totalCounted(result.state), 2);
  assert.equal(totalCounted(result.state, 'delivery'), 1);
});

void test('a redelivered feedback id and revision is not counted twice; a new revision is not recounted', () => {
  const first = item('a', '2026-05-01T10:00:00Z');
  const result = scoreProductBatch(
    undefined,
    [first, first, item('a', '2026-05-01T10:00:00Z', { revision: 'r2' })],
    context(),
  );
  assert.deepEqual(
    result.outcomes.map((o) => [o.block.counted, o.redelivered]),
    [
      [true, false],
      [false, true],
      [false, false],
    ],
  );
  assert.equal(totalCounted(result.state), 1);
});

void test('late events within the lateness allowance update their own buckets; later ones are not counted', () => {
  const now = '2026-05-10T12:00:00Z';
  const first = scoreProductBatch(undefined, [item('a', now)], context());
  const within = '2026-05-09T02:30:00Z'; // 33.5 h late, allowance 48 h
  const beyond = '2026-05-07T10:00:00Z'; // 74 h late
  const second = scoreProductBatch(first.state, [item('b', within), item('c', beyond)], context());
  assert.deepEqual(
    second.outcomes.map((o) => [o.block.counted, o.late]),
    [
      [true, false],
      [false, true],
    ],
  );
  const hour = hourOf(Date.parse(within));
  assert.equal(countsInHours(second.state, 'defect', hour, hour).n, 1);
  assert.equal(countsInDays(second.state, 'defect', dayOfHour(hour), dayOfHour(hour)).n, 1);
  assert.equal(second.state.watermarkHour, hourOf(Date.parse(now)));
});

void test('a critical safety mention alerts at once; the next one in the open episode is suppressed as evidence', () => {
  const result = scoreProductBatch(
    undefined,
    [
      item('a', '2026-05-01T10:00:00Z', { severity: 'critical' }),
      item('b', '2026-05-01T12:00:00Z', { severity: 'critical' }),
    ],
    context({
      settings: {
        ...defaultScoreSettings,
        expectedEvents: {
          version: 'x',
          events: [
            {
              id: 'all',
              reason: 'everything expected',
              from: '2000-01-01T00:00:00Z',
              to: '2100-01-01T00:00:00Z',
            },
          ],
        },
      },
    }),
  );
  const [a, b] = result.outcomes.map((o) => o.block);
  assert.equal(a!.decision, 'alert');
  assert.equal(a!.anomaly?.kind, 'safety');
  assert.equal(a!.suppressed, undefined, 'expected events never suppress safety');
  assert.equal(b!.decision, 'alert');
  assert.match(b!.suppressed?.reason ?? '', /^open incident inc-/);
  assert.ok(a!.priority > b!.priority);
  assert.equal(result.state.episodes.defect?.firedBy.feedbackId, result.outcomes[0]!.event.feedbackId);
});

void test('decisions: ticket candidate, review, none, with owner team and revenue at risk', () => {
  const result = scoreProductBatch(
    undefined,
    [
      item('t', '2026-05-01T10:00:00Z', { confidence: 0.9 }),
      item('r', '2026-05-01T10:01:00Z', { confidence: 0.4, category: 'delivery' }),
      item('n', '2026-05-01T10:02:00Z', { category: 'praise' }),
      item('q', '2026-05-01T10:03:00Z', { needsReview: true }),
    ],
    context({ catalogEntry: { priceCents: 2500, strategic: true, supplier: 'acme' }, currency: 'EUR' }),
  );
  const [t, r, n, q] = result.outcomes.map((o) => o.block);
  assert.equal(t!.decision, 'ticket_candidate');
  assert.equal(t!.ownerTeam, 'quality_engineering');
  assert.equal(t!.whyItMatters.strategicProduct, true);
  assert.equal(t!.whyItMatters.revenueAtRiskCents, 2500);
  assert.equal(t!.whyItMatters.currency, 'EUR');
  assert.equal(r!.decision, 'review');
  assert.equal(n!.decision, 'none');
  assert.equal(n!.priority, 0);
  assert.equal(q!.decision, 'review');
  assert.ok(t!.priority > q!.priority);
});

void test('weekday factor follows the product’s weekly pattern', () => {
  const state = emptyProductFeatures('SKU-1', 0);
  // Sundays twice the volume.
  for (let day = 0; day < 80; day++) {
    const perHour = (day + 4) % 7 === 0 ? 2 : 1;
    state.days[day] = {
      c: { defect: { n: 24 * perHour, neg: 0, sent: 0, crit: 0, dc: 0 } },
      h: new Array<number>(24).fill(perHour),
      comp: {},
    };
  }
  const sunday = 66; // (66 + 4) % 7 === 0
  const monday = sunday + 1;
  const onSunday = weekdayFactor(state, sunday, sunday - 28).factor;
  const onMonday = weekdayFactor(state, monday, monday - 28).factor;
  assert.ok(onSunday > 1.5 && onSunday < 2, `sunday ${onSunday}`);
  assert.ok(onMonday > 0.8 && onMonday < 1, `monday ${onMonday}`);
});

void test('redelivery is recognised with long revisions and revisions with spaces (markers keep a plain tag)', () => {
  const long = item('a', '2026-05-01T10:00:00Z', { revision: '2026-05-01T10:00:00.000Z#webhook-1234567890' });
  const spaced = item('b', '2026-05-01T10:00:00Z', { revision: 'rev 2' });
  const other = item('b', '2026-05-01T10:00:00Z', { revision: 'rev 3' });
  const result = scoreProductBatch(undefined, [long, spaced, long, spaced, other], context());
  assert.deepEqual(
    result.outcomes.map((o) => [o.block.counted, o.redelivered]),
    [
      [true, false],
      [true, false],
      [false, true],
      [false, true],
      [false, false],
    ],
  );
});

void test('praise never raises a volume alert', () => {
  const events = Array.from({ length: 12 }, (_, i) =>
    item(`p${i}`, `2026-05-01T10:${String(i * 4).padStart(2, '0')}:00Z`, { category: 'praise' }),
  );
  // 30 days with one praise item a day at 03:00.
  const history = (): ProductFeatures => {
    const state = emptyProductFeatures('SKU-1', hourOf(Date.parse('2026-04-01T00:00:00Z')));
    const until = dayOfHour(hourOf(Date.parse('2026-05-01T00:00:00Z')));
    for (let day = dayOfHour(state.firstHour); day < until; day++) {
      state.days[day] = {
        c: { praise: { n: 1, neg: 0, sent: 0.8, crit: 0, dc: 1 } },
        h: new Array<number>(24).fill(0).map((_, h) => (h === 3 ? 1 : 0)),
        comp: {},
      };
    }
    return state;
  };
  const result = scoreProductBatch(history(), events, context());
  assert.ok(result.outcomes.every((o) => o.block.decision !== 'alert'));
  const asDefect = scoreProductBatch(
    history(),
    events.map((e) => ({ ...e, classification: { ...e.classification, primaryCategory: 'other' } })),
    context(),
  );
  assert.ok(
    asDefect.outcomes.some((o) => o.block.decision === 'alert'),
    'the same surge in another category alerts',
  );
});

void test('the stored product document (version 3) reads back as the same state; versions 1 and 2 still read', () => {
  // Ten days of items, some of them late, so the state has closed days, open days and markers.
  const events = Array.from({ length: 200 }, (_, i) =>
    item(`s${i}`, new Date(Date.parse('2026-05-01T00:00:00Z') + ((i * 37) % 240) * 3_600_000).toISOString(), {
      category: i % 3 === 0 ? 'delivery' : 'defect',
      negative: i % 2 === 0,
      sentiment: i % 2 === 0 ? -0.7 - (i % 7) / 100 : 0.3 + (i % 11) / 1000,
      component: i % 5 === 0 ? 'zipper' : null,
      // A revision with a space: version 2 kept it as its tag, version 3 hashes it.
      revision: i === 110 ? 'r 1' : 'r1',
    }),
  );
  const { state } = scoreProductBatch(undefined, events, context());
  const stored = toStoredFeatures(state, defaultScoreSettings.latenessHours);
  assert.equal(stored.schemaVersion, 3);
  assert.ok(stored.closedDays.length > 2, 'some days are closed');
  assert.ok(stored.days.length > 0, 'some days are open');
  assert.ok(
    stored.hours.some(([, counts]) =>
      Object.values(counts).some(([, , sent]) => sent !== 0 && Number.isInteger(sent)),
    ),
    'sentiment sums are stored as integers',
  );
  const copy = JSON.parse(JSON.stringify(stored)) as typeof stored;
  assert.deepEqual(fromStoredFeatures(copy), state);
  // The closed days' text is reused while they stay the same.
  assert.equal(toStoredFeatures(state, defaultScoreSettings.latenessHours).closedDays, stored.closedDays);

  // The older versions, as they were written: markers as maps from marker key to the revision
  // itself (up to 12 characters), sentiment sums as they are; version 1 was the state itself.
  const markerMap = (text: string): Record<string, string> =>
    Object.fromEntries(
      text
        .trim()
        .split(' ')
        .map((entry) => [entry.slice(0, 16), entry.slice(16)]),
    );
  const legacyMarkers = (text: string): Record<string, string> => {
    const markers = markerMap(text);
    const spaced = Object.keys(markers).find((key) => markers[key]!.startsWith('~'));
    if (spaced !== undefined) markers[spaced] = 'r 1';
    return markers;
  };
  const hoursV1 = Object.fromEntries(
    Object.entries(state.hours).map(([hour, bucket]) => [
      hour,
      bucket.seen === undefined ? { c: bucket.c } : { c: bucket.c, seen: legacyMarkers(bucket.seen) },
    ]),
  );
  assert.ok(
    Object.values(hoursV1).some((bucket) => Object.values(bucket.seen ?? {}).includes('r 1')),
    'a version 1 marker has a tag with a space',
  );
  const version1 = { ...(JSON.parse(JSON.stringify(state)) as ProductFeatures), hours: hoursV1 };
  assert.deepEqual(fromStoredFeatures(version1), state);

  type Stored = typeof stored;
  const daysV2 = (days: Stored['days']): Stored['days'] =>
    days.map(([day, counts, h, comp]) => [
      day,
      Object.fromEntries(
        Object.entries(counts).map(([category, [n, neg, sent, ...rest]]) => [
          category,
          [n, neg, sent / 1e6, ...rest],
        ]),
      ) as Stored['days'][number][1],
      h,
      comp,
    ]);
  const version2 = {
    ...copy,
    schemaVersion: 2 as const,
    hours: copy.hours.map(([hour, counts, seen]) => {
      const c = Object.fromEntries(
        Object.entries(counts).map(([category, [n, neg, sent, crit]]) => [
          category,
          [n, neg, sent / 1e6, crit],
        ]),
      ) as Stored['hours'][number][1];
      return seen === undefined ? [hour, c] : [hour, c, legacyMarkers(seen)];
    }),
    days: daysV2(copy.days),
    closedDays: JSON.stringify(daysV2(JSON.parse(copy.closedDays) as Stored['days'])),
  };
  assert.deepEqual(fromStoredFeatures(version2 as unknown as Stored), state);

  // Stored hours are reused while they stay the same, and stored anew once they change.
  const countedBefore = totalCounted(state);
  const later = scoreProductBatch(
    state,
    [item('s-more', new Date(Date.parse('2026-05-01T00:00:00Z') + 230 * 3_600_000).toISOString())],
    context(),
  ).state;
  assert.equal(later, state, 'the state is updated in place, as the handler keeps it');
  const storedLater = toStoredFeatures(later, defaultScoreSettings.latenessHours);
  assert.equal(totalCounted(fromStoredFeatures(storedLater)), countedBefore + 1);
  assert.deepEqual(fromStoredFeatures(JSON.parse(JSON.stringify(storedLater)) as typeof stored), later);

  assert.throws(
    () => fromStoredFeatures({ ...copy, schemaVersion: 4 } as unknown as typeof copy),
    /unknown schemaVersion 4/,
  );
});
