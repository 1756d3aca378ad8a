import functions from '@azure/functions';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateNormalizedEvent, type NormalizedEvent } from '../../shared/domain/events.js';
import { parseCorpus } from '../../shared/domain/normalize/pii-evaluation.js';
import type { RawEnvelope } from '../../shared/domain/record.js';
import {
  MemoryFeedbackStore,
  MemoryLogger,
  MemoryPublisher,
  MemoryQuarantine,
} from '../../shared/adapters/memory.js';
import { makeNormalize, MemoryDedupeStore, type NormalizeDeps } from '../../shared/stages/normalize.js';
import { hubs } from '../../shared/topology.js';
import {
  blobOf,
  envelopeOf,
  fixtureCatalog,
  genericItem,
  readFixture,
  repoTaxonomy,
  TEST_TOKEN_KEY,
} from '../fixtures/normalize/envelopes.js';

const catalog = fixtureCatalog();
const taxonomy = repoTaxonomy();

function harness(overrides: Partial<NormalizeDeps> = {}) {
  const publisher = new MemoryPublisher();
  const feedbackStore = new MemoryFeedbackStore();
  const quarantine = new MemoryQuarantine();
  const logger = new MemoryLogger();
  const dedupeStore = new MemoryDedupeStore();
  const handler = makeNormalize({
    publisher,
    feedbackStore,
    dedupeStore,
    quarantine,
    catalog,
    taxonomy,
    tokenKey: TEST_TOKEN_KEY,
    nearDuplicateThreshold: 0.5,
    dedupeWindowDays: 14,
    clock: () => new Date('2026-11-27T12:00:00.000Z'),
    logger,
    ...overrides,
  });
  const events = (): NormalizedEvent[] => publisher.bodies(hubs.normalized.name) as NormalizedEvent[];
  const run = (envelope: RawEnvelope | Buffer, path?: string): Promise<void> => {
    const blob = Buffer.isBuffer(envelope) ? envelope : blobOf(envelope);
    const blobPath =
      path ??
      (Buffer.isBuffer(envelope)
        ? 'raw/generic/2026/11/27/bad.json'
        : `raw/${envelope.source}/2026/11/27/${envelope.sourceId}@${envelope.revision}.json`);
    const context = new functions.InvocationContext({
      functionName: 'normalize',
      invocationId: 'test',
      triggerMetadata: { blobTrigger: blobPath },
    });
    return handler(blob, context);
  };
  return { publisher, feedbackStore, quarantine, logger, dedupeStore, events, run };
}

const generic = (id: string, text: string, extra: Record<string, unknown> = {}) =>
  envelopeOf({ source: 'generic', topic: 'generic', sourceId: id, body: genericItem(id, text, extra) });

void describe('normalize stage', () => {
  void it('publishes a validated event partitioned by product key, stores it and keeps lineage', async () => {
    const h = harness();
    const envelope = generic(
      'r-1',
      'My name is Laura Bennett. The zipper of my Alpine jacket broke, order #4512.',
      {
        customerId: 'cust-77',
        locale: 'en-GB',
        rating: 2,
        title: 'Broken zipper',
      },
    );
    await h.run(envelope);
    const sent = h.publisher.sent.get(hubs.normalized.name) ?? [];
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.partitionKey, 'JKT-ALP-01');
    const event = sent[0]!.body as NormalizedEvent;
    assert.equal(validateNormalizedEvent(event).ok, true);
    assert.equal(event.feedbackId, envelope.feedbackId);
    assert.equal(event.productKey, 'JKT-ALP-01');
    assert.equal(event.eventTime, '2026-11-27T09:00:00.000Z');
    assert.deepEqual(event.lineage, {
      rawBlob: 'raw/generic/2026/11/27/r-1@20261127T101010000Z.json',
      receivedAt: '2026-11-27T10:10:10.000Z',
      normalizedAt: '2026-11-27T12:00:00.000Z',
    });
    const normalized = event.normalized;
    assert.match(
      normalized.text,
      /^My name is \[NAME\]\. The zipper of my Alpine jacket broke, order \[ORDER:[0-9a-f]{8}\]\.$/,
    );
    assert.deepEqual(normalized.piiTypes, ['ORDER', 'NAME']);
    assert.deepEqual(normalized.product, {
      sku: 'JKT-ALP-01',
      productId: '9001',
      name: 'Alpine Shell Jacket',
    });
    assert.match(normalized.customer.token ?? '', /^[0-9a-f]{16}$/);
    assert.equal(normalized.language.code, 'en');
    assert.equal(normalized.region, 'GB');
    assert.equal(normalized.rating, 2);
    assert.deepEqual(normalized.entities.components, ['zipper']);
    assert.deepEqual(normalized.duplicate, {});
    const stored = await h.feedbackStore.get(envelope.feedbackId);
    assert.equal(stored?.revision, envelope.revision);
    assert.deepEqual(stored?.normalized, normalized);
  });

  void it('quarantines bad blobs with their reason and goes on with the batch', async () => {
    const h = harness();
    const good = generic('ok-1', 'The kettle lid leaks.');
    const bad: [Buffer | RawEnvelope, RegExp][] = [
      [Buffer.from('{not json'), /blob is not JSON/],
      [Buffer.from(JSON.stringify({ hello: 'world' })), /not a raw envelope/],
      [envelopeOf({ source: 'generic', topic: 'generic', sourceId: 'b-1', body: '<<<' }), /body is not JSON/],
      [
        envelopeOf({
          source: 'generic',
          topic: 'generic',
          sourceId: 'b-2',
          body: [genericItem('x', 'y')],
          itemPointer: '/3',
        }),
        /not found/,
      ],
      [
        envelopeOf({
          source: 'generic',
          topic: 'generic',
          sourceId: 'b-3',
          body: { id: 'b-3', createdAt: '2026-11-27T09:00:00Z' },
        }),
        /not a generic feedback item/,
      ],
      [
        envelopeOf({
          source: 'judgeme',
          topic: 'review/created',
          sourceId: 'b-4',
          body: { review: { body: 'no rating' } },
          itemPointer: '/review',
        }),
        /Judge\.me review/,
      ],
    ];
    for (const [blob] of bad) await h.run(blob);
    await h.run(good);
    assert.equal(h.events().length, 1);
    assert.equal(h.events()[0]!.feedbackId, good.feedbackId);
    const entries = [...h.quarantine.entries.values()];
    assert.equal(entries.length, bad.length);
    for (const [index, [, reason]] of bad.entries()) {
      assert.match(entries[index]!.reason, reason);
      assert.equal(entries[index]!.stage, 'normalize');
      assert.ok((entries[index]!.payload as { blobPath: string }).blobPath.startsWith('raw/'));
    }
  });

  void it('skips topics that carry no feedback without quarantining them', async () => {
    const h = harness();
    await h.run(
      envelopeOf({ source: 'shopify', topic: 'products/update', sourceId: 'p-1', body: { id: 1 } }),
    );
    await h.run(
      envelopeOf({
        source: 'zendesk',
        topic: 'zen:event-type:user.active_changed',
        sourceId: 'u-1',
        body: { type: 'x' },
      }),
    );
    assert.equal(h.events().length, 0);
    assert.equal(h.quarantine.entries.size, 0);
    assert.equal(
      h.logger.lines.filter((line) => line.message === 'normalize: skipped, no feedback').length,
      2,
    );
  });

  void it('ignores an older revision arriving late and says so', async () => {
    const h = harness();
    const newer = envelopeOf({
      source: 'generic',
      topic: 'generic',
      sourceId: 'rev',
      revision: '20261127T120000000Z',
      body: genericItem('rev', 'Edited: the kettle is fine now.'),
    });
    const older = envelopeOf({
      source: 'generic',
      topic: 'generic',
      sourceId: 'rev',
      revision: '20261127T090000000Z',
      body: genericItem('rev', 'The kettle leaks.'),
    });
    await h.run(newer);
    await h.run(older);
    assert.equal(h.events().length, 1);
    assert.equal(h.events()[0]!.revision, '20261127T120000000Z');
    const line = h.logger.lines.find((entry) => entry.message === 'normalize: older revision ignored');
    assert.equal(line?.properties?.feedbackId, older.feedbackId);
    assert.equal(line?.properties?.revision, '20261127T090000000Z');
  });

  void it('re-publishes a redelivered revision unchanged, without linking it to itself', async () => {
    const h = harness();
    const envelope = generic('again', 'The Pulse speaker crackles at high volume.', { sku: 'BT-SPK-02' });
    await h.run(envelope);
    await h.run(envelope);
    const [first, second] = h.events();
    assert.deepEqual(second, first);
    assert.deepEqual(second!.normalized.duplicate, {});
  });

  void it('links a reworded complaint to the first one and leaves a different complaint alone', async () => {
    const h = harness();
    const groups = (JSON.parse(readFixture('near-duplicates.json')) as { groups: string[][] }).groups;
    const first = generic('d-1', groups[0]![0]!);
    const reworded = generic('d-2', groups[0]![2]!);
    const different = generic('d-3', groups[2]![0]!);
    const exactCopy = generic('d-4', groups[0]![0]!.toUpperCase());
    for (const envelope of [first, reworded, different, exactCopy]) await h.run(envelope);
    const [a, b, c, d] = h.events();
    assert.deepEqual(a!.normalized.duplicate, {});
    assert.equal(b!.normalized.duplicate.nearDuplicateOf, first.feedbackId);
    assert.deepEqual(c!.normalized.duplicate, {});
    assert.equal(d!.normalized.duplicate.exactOf, first.feedbackId);
  });

  void it('maps every source shape to the canonical record', async () => {
    const h = harness();
    const cases: [RawEnvelope, Partial<Record<'channel' | 'productKey' | 'text' | 'title', string>>][] = [
      [
        envelopeOf({
          source: 'shopify',
          topic: 'returns/request',
          sourceId: 'return-line-item-1',
          itemPointer: '/return_line_items/0',
          body: {
            id: 5,
            order: { id: 4783296544821 },
            requested_at: '2026-11-26T08:00:00Z',
            return_line_items: [
              {
                id: 1,
                return_reason: 'SIZE_TOO_SMALL',
                customer_note: 'Sleeves too short',
                fulfillment_line_item: { line_item: { sku: 'JKT-ALP-01', title: 'Alpine Shell Jacket' } },
              },
            ],
          },
        }),
        { channel: 'return', productKey: 'JKT-ALP-01', text: 'Sleeves too short', title: 'Size too small' },
      ],
      [
        envelopeOf({
          source: 'shopify',
          topic: 'orders/cancelled',
          sourceId: 'order-1-cancellation',
          body: {
            id: 1,
            cancelled_at: '2026-11-26T08:00:00Z',
            cancel_reason: 'customer',
            note: 'Found it cheaper elsewhere',
            line_items: [{ sku: 'KTL-STEEL-03', product_id: 9003 }],
            customer: { id: 8, first_name: 'Jon' },
          },
        }),
        {
          channel: 'return',
          productKey: 'KTL-STEEL-03',
          text: 'Found it cheaper elsewhere',
          title: 'Order cancelled: customer',
        },
      ],
      [
        envelopeOf({
          source: 'shopify',
          topic: 'flow/review',
          sourceId: 'review-7',
          itemPointer: '/review',
          body: {
            review: {
              id: 7,
              rating: 4,
              title: 'Nice',
              body: 'Loud and clear speaker',
              productId: '9002',
              createdAt: '2026-11-25T08:00:00Z',
            },
          },
        }),
        { channel: 'review', productKey: 'BT-SPK-02', text: 'Loud and clear speaker', title: 'Nice' },
      ],
      [
        envelopeOf({
          source: 'judgeme',
          topic: 'review/created',
          sourceId: 'review-465077653',
          itemPointer: '/review',
          body: {
            review: {
              id: 465077653,
              title: 'Meh',
              body: 'Kettle is slow, John Doe here',
              rating: 2,
              product_external_id: 9003,
              reviewer: { id: 2, name: 'John Doe', email: 'test@example.com' },
              created_at: '2026-11-24T08:00:00+00:00',
            },
            event: 'review/created',
          },
        }),
        { channel: 'review', productKey: 'KTL-STEEL-03', text: 'Kettle is slow, [NAME] here', title: 'Meh' },
      ],
      [
        envelopeOf({
          source: 'zendesk',
          topic: 'zen:event-type:ticket.created',
          sourceId: 'ticket-35436',
          itemPointer: '/detail',
          body: {
            type: 'zen:event-type:ticket.created',
            id: 'e1',
            time: '2026-11-24T08:00:00Z',
            detail: {
              id: '35436',
              subject: 'Broken kettle',
              description: 'The steelbrew lid broke.\n\nSent from my iPhone',
              created_at: '2026-11-24T08:00:00Z',
              requester_id: '99',
            },
          },
        }),
        {
          channel: 'ticket',
          productKey: 'KTL-STEEL-03',
          text: 'The steelbrew lid broke.',
          title: 'Broken kettle',
        },
      ],
      [
        envelopeOf({
          source: 'zendesk',
          topic: 'zen:event-type:ticket.comment_added',
          sourceId: 'ticket-35436-comment-2',
          itemPointer: '/event/comment',
          body: {
            type: 'zen:event-type:ticket.comment_added',
            id: 'e2',
            time: '2026-11-24T09:00:00Z',
            detail: { id: '35436', subject: 'Broken kettle' },
            event: {
              comment: {
                id: 2,
                body: '<p>Still broken</p>',
                is_public: true,
                author: { id: '99', is_staff: false, name: 'Greta' },
              },
            },
          },
        }),
        {
          channel: 'ticket',
          productKey: 'ticket-35436-comment-2',
          text: 'Still broken',
          title: 'Broken kettle',
        },
      ],
      [
        envelopeOf({
          source: 'zendesk',
          topic: 'trigger/ticket',
          sourceId: 'ticket-12',
          itemPointer: '/ticket',
          body: {
            ticket: {
              id: '12',
              subject: 'Speaker',
              description: 'My pulse speaker will not pair',
              created_at: '2026-11-24T08:00:00Z',
            },
          },
        }),
        {
          channel: 'ticket',
          productKey: 'BT-SPK-02',
          text: 'My pulse speaker will not pair',
          title: 'Speaker',
        },
      ],
    ];
    for (const [envelope] of cases) await h.run(envelope);
    assert.deepEqual(
      [...h.quarantine.entries.values()].map((entry) => entry.reason),
      [],
    );
    const events = h.events();
    assert.equal(events.length, cases.length);
    for (const [index, [, expected]] of cases.entries()) {
      const event = events[index]!;
      assert.equal(event.channel, expected.channel, `case ${index}`);
      assert.equal(event.productKey, expected.productKey, `case ${index}`);
      assert.equal(event.normalized.text, expected.text, `case ${index}`);
      assert.equal(event.normalized.title, expected.title, `case ${index}`);
    }
    // An agent's comment is not customer feedback.
    await h.run(
      envelopeOf({
        source: 'zendesk',
        topic: 'zen:event-type:ticket.comment_added',
        sourceId: 'ticket-35436-comment-3',
        itemPointer: '/event/comment',
        body: {
          type: 'x',
          id: 'e3',
          time: '2026-11-24T10:00:00Z',
          detail: { id: '35436' },
          event: { comment: { id: 3, body: 'We are on it', author: { id: '1', is_staff: true } } },
        },
      }),
    );
    assert.equal(h.events().length, cases.length);
  });

  void it('emits none of the PII corpus values in any event', async () => {
    const h = harness();
    const corpus = parseCorpus(readFixture('pii-corpus.jsonl'));
    for (const [index, line] of corpus.entries()) {
      await h.run(generic(`pii-${index}`, line.text, { locale: line.lang }));
    }
    const events = h.events();
    assert.equal(events.length, corpus.length);
    assert.equal(h.quarantine.entries.size, 0);
    for (const [index, event] of events.entries()) {
      // Ids and hashes are hex digests we minted; everything else is scanned.
      const { feedbackId: _id, normalized, ...header } = event;
      const { textHash: _hash, ...block } = normalized;
      const emitted = JSON.stringify({ header, block });
      for (const pii of corpus[index]!.pii) {
        assert.ok(!emitted.includes(pii.value), `line ${index + 1}: ${pii.type} value emitted`);
      }
      if (corpus[index]!.pii.length > 0)
        assert.ok(block.piiTypes.length > 0, `line ${index + 1}: piiTypes empty`);
    }
  });
});
