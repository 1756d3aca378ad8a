import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { HttpResponseInit } from '@azure/functions';
import { makeIngestWebhook, RETRY_AFTER_SECONDS, type IngestDeps } from '../../shared/stages/ingest.js';
import { feedbackIdOf, type RawEnvelope, type Source } from '../../shared/domain/record.js';
import {
  MemoryRawStore,
  RecordingLogger,
  TEST_SECRETS,
  signedHeaders,
  signedRequest,
  testContext,
  webhookRequest,
} from '../support/webhook-signing.js';

const NOW = new Date('2026-11-27T12:00:00.000Z');
const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/ingest/${name}`, import.meta.url), 'utf8');

function setup(overrides: Partial<IngestDeps> = {}) {
  const store = new MemoryRawStore();
  const logger = new RecordingLogger();
  const handler = makeIngestWebhook({
    rawStore: store,
    secrets: structuredClone(TEST_SECRETS),
    maxBodyBytes: 1024 * 1024,
    replayWindowSeconds: 300,
    clock: () => NOW,
    logger,
    ...overrides,
  });
  const send = (request: Parameters<typeof handler>[0]) => handler(request, testContext());
  return { store, logger, handler, send };
}

const body = (response: HttpResponseInit) => response.jsonBody as Record<string, unknown>;

/** One valid delivery per source, with the items it must land. */
const validDeliveries: { source: Source; fixture: string; topic?: string; expectPaths: string[] }[] = [
  {
    source: 'shopify',
    fixture: 'shopify-returns-request.json',
    topic: 'returns/request',
    expectPaths: [
      'shopify/2026/11/27/return-line-item-77001@20261127T120000000Z.json',
      'shopify/2026/11/27/return-line-item-77002@20261127T120000000Z.json',
    ],
  },
  {
    source: 'shopify',
    fixture: 'shopify-orders-cancelled.json',
    topic: 'ORDERS_CANCELLED',
    expectPaths: ['shopify/2026/11/20/order-820982911946154508-cancellation@20261120T141502000Z.json'],
  },
  {
    source: 'judgeme',
    fixture: 'judgeme-review-created.json',
    expectPaths: ['judgeme/2026/11/22/review-500100200@20261122T083000000Z.json'],
  },
  {
    source: 'zendesk',
    fixture: 'zendesk-ticket-created.json',
    expectPaths: ['zendesk/2026/11/23/ticket-81234@20261123T140500000Z.json'],
  },
  {
    source: 'zendesk',
    fixture: 'zendesk-comment-added.json',
    expectPaths: ['zendesk/2026/11/23/ticket-81234-comment-990011@20261123T151000000Z.json'],
  },
  {
    source: 'zendesk',
    fixture: 'zendesk-trigger.json',
    expectPaths: ['zendesk/2026/11/24/ticket-81240@20261124T090000000Z.json'],
  },
  {
    source: 'generic',
    fixture: 'generic-batch.json',
    expectPaths: [
      'generic/2026/11/25/appstore-7781@20261125T120000000Z.json',
      'generic/2026/11/25/nps-5521@00000002.json',
    ],
  },
];

void describe('ingest webhook: valid deliveries land untouched', () => {
  for (const delivery of validDeliveries) {
    void it(`${delivery.source} ${delivery.fixture} → 202 and one blob per item`, async () => {
      const { store, send } = setup();
      const raw = fixture(delivery.fixture);
      const response = await send(
        signedRequest(delivery.source, raw, {
          at: NOW,
          ...(delivery.topic ? { topic: delivery.topic } : {}),
        }),
      );
      assert.equal(response.status, 202, JSON.stringify(response.jsonBody));
      assert.deepEqual([...store.blobs.keys()].sort(), [...delivery.expectPaths].sort());
      const envelopes = store.envelopes() as unknown as RawEnvelope[];
      assert.equal(body(response).accepted, delivery.expectPaths.length);
      assert.deepEqual(
        [...(body(response).feedbackIds as string[])].sort(),
        envelopes.map((envelope) => envelope.feedbackId).sort(),
      );
      for (const envelope of envelopes) {
        // Byte for byte: the body is the original request, base64.
        assert.equal(Buffer.from(envelope.body, 'base64').toString('utf8'), raw);
        assert.equal(envelope.feedbackId, feedbackIdOf(delivery.source, envelope.tenant, envelope.sourceId));
        assert.equal(envelope.receivedAt, NOW.toISOString());
        assert.equal(envelope.schemaVersion, 1);
        const item = resolvePointer(JSON.parse(raw), envelope.itemPointer);
        assert.ok(item && typeof item === 'object', `pointer ${envelope.itemPointer} selects an object`);
      }
    });
  }

  void it('maps tenants, topics and delivery ids per source', async () => {
    const { store, send } = setup();
    await send(signedRequest('shopify', fixture('shopify-returns-request.json'), { at: NOW }));
    await send(signedRequest('judgeme', fixture('judgeme-review-created.json'), { at: NOW }));
    await send(signedRequest('zendesk', fixture('zendesk-trigger.json'), { at: NOW }));
    await send(
      signedRequest('zendesk', fixture('zendesk-ticket-created.json'), {
        at: NOW,
        query: '?tenant=example-support',
      }),
    );
    await send(signedRequest('generic', fixture('generic-batch.json'), { at: NOW, query: '?tenant=acme' }));
    const byId = new Map((store.envelopes() as unknown as RawEnvelope[]).map((e) => [e.sourceId, e]));
    const line = byId.get('return-line-item-77001')!;
    assert.equal(line.tenant, 'example-shop.myshopify.com');
    assert.equal(line.topic, 'returns/request');
    assert.equal(line.deliveryId, 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043');
    assert.equal(line.itemPointer, '/return_line_items/0');
    assert.equal(byId.get('review-500100200')!.tenant, 'example-shop.myshopify.com');
    assert.equal(byId.get('review-500100200')!.topic, 'review/created');
    assert.equal(byId.get('ticket-81240')!.tenant, 'example-support');
    assert.equal(byId.get('ticket-81240')!.topic, 'trigger/ticket');
    assert.equal(byId.get('ticket-81234')!.tenant, 'example-support');
    assert.equal(byId.get('ticket-81234')!.topic, 'zen:event-type:ticket.created');
    assert.equal(byId.get('nps-5521')!.tenant, 'acme');
    assert.equal(byId.get('nps-5521')!.itemPointer, '/1');
    assert.match(byId.get('nps-5521')!.deliveryId, /^sha256-[0-9a-f]{32}$/);
  });

  void it('accepts Judge.me digests in hex and in base64', async () => {
    for (const encoding of ['hex', 'base64'] as const) {
      const { send } = setup();
      const response = await send(
        signedRequest('judgeme', fixture('judgeme-review-created.json'), { encoding }),
      );
      assert.equal(response.status, 202, encoding);
    }
  });

  void it('accepts a Shopify Flow review with the Flow token instead of an HMAC', async () => {
    const { store, send } = setup();
    const raw = fixture('shopify-flow-review.json');
    const response = await send(
      webhookRequest({
        source: 'shopify',
        body: raw,
        headers: {
          'Content-Type': 'application/json',
          'X-Shopify-Topic': 'flow/review',
          'X-Shopify-Shop-Domain': 'example-shop.myshopify.com',
          'X-Feedback-Flow-Token': TEST_SECRETS.shopify[0]!,
        },
      }),
    );
    assert.equal(response.status, 202, JSON.stringify(response.jsonBody));
    assert.deepEqual(
      [...store.blobs.keys()],
      ['shopify/2026/11/21/review-rv-30418@20261121T100000000Z.json'],
    );
    const wrongToken = await send(
      webhookRequest({
        source: 'shopify',
        body: raw,
        headers: {
          'Content-Type': 'application/json',
          'X-Shopify-Topic': 'flow/review',
          'X-Feedback-Flow-Token': 'nope',
        },
      }),
    );
    assert.equal(wrongToken.status, 401);
    // The token is only good for Flow reviews, not for ordinary topics.
    const otherTopic = await send(
      webhookRequest({
        source: 'shopify',
        body: fixture('shopify-returns-request.json'),
        headers: {
          'Content-Type': 'application/json',
          'X-Shopify-Topic': 'returns/request',
          'X-Feedback-Flow-Token': TEST_SECRETS.shopify[0]!,
        },
      }),
    );
    assert.equal(otherTopic.status, 401);
  });

  void it('lands other Shopify topics once and says they carry no feedback', async () => {
    const { store, send } = setup();
    const response = await send(
      signedRequest('shopify', fixture('shopify-products-update.json'), {
        topic: 'products/update',
        at: NOW,
      }),
    );
    assert.equal(response.status, 202);
    assert.deepEqual(body(response), {
      accepted: 0,
      feedbackIds: [],
      duplicates: 0,
      note: 'topic products/update carries no feedback; landed only',
    });
    const [envelope] = store.envelopes() as unknown as RawEnvelope[];
    assert.equal(envelope!.itemPointer, '');
    assert.equal(envelope!.topic, 'products/update');
    assert.equal(store.blobs.size, 1);
  });
});

void describe('ingest webhook: redelivery', () => {
  for (const delivery of validDeliveries) {
    void it(`${delivery.source} ${delivery.fixture}: a redelivery lands once and answers success`, async () => {
      const { store, send } = setup();
      const raw = fixture(delivery.fixture);
      const options = { at: NOW, ...(delivery.topic ? { topic: delivery.topic } : {}) };
      const first = await send(signedRequest(delivery.source, raw, options));
      const before = new Map([...store.blobs].map(([path, blob]) => [path, blob.bytes.toString('base64')]));
      // Senders retry with a fresh signature a little later (Shopify keeps X-Shopify-Triggered-At).
      const second = await send(
        signedRequest(delivery.source, raw, {
          ...options,
          at: new Date(NOW.getTime() + 30_000),
          headers: { 'X-Shopify-Triggered-At': delivery.source === 'shopify' ? NOW.toISOString() : '' },
        }),
      );
      assert.equal(first.status, 202);
      assert.equal(second.status, 202);
      assert.equal(body(second).duplicates, delivery.expectPaths.length);
      assert.deepEqual(body(second).feedbackIds, body(first).feedbackIds);
      assert.deepEqual(
        new Map([...store.blobs].map(([path, blob]) => [path, blob.bytes.toString('base64')])),
        before,
      );
    });
  }
});

void describe('ingest webhook: authentication', () => {
  const raws: Record<Source, string> = {
    shopify: fixture('shopify-returns-request.json'),
    judgeme: fixture('judgeme-review-created.json'),
    zendesk: fixture('zendesk-comment-added.json'),
    generic: fixture('generic-batch.json'),
  };
  const signatureHeader: Record<Source, string> = {
    shopify: 'X-Shopify-Hmac-Sha256',
    judgeme: 'JUDGEME-HMAC-SHA256',
    zendesk: 'X-Zendesk-Webhook-Signature',
    generic: 'X-Feedback-Signature',
  };

  for (const source of Object.keys(raws) as Source[]) {
    const raw = raws[source];
    void it(`${source}: tampered body → 401, nothing landed`, async () => {
      const { store, send } = setup();
      const headers = signedHeaders(source, raw, { at: NOW });
      const tampered = raw.replace(/"(\w)/, '"X$1');
      assert.notEqual(tampered, raw);
      const response = await send(webhookRequest({ source, body: tampered, headers }));
      assert.equal(response.status, 401);
      assert.deepEqual(response.jsonBody, { error: 'signature mismatch' });
      assert.equal(store.blobs.size, 0);
    });

    void it(`${source}: wrong secret → 401`, async () => {
      const { store, send } = setup();
      const response = await send(
        signedRequest(source, raw, { at: NOW, secret: 'not-the-configured-secret' }),
      );
      assert.equal(response.status, 401);
      assert.equal(store.blobs.size, 0);
    });

    void it(`${source}: rotated secret → both the old and the new secret verify`, async () => {
      const secrets = structuredClone(TEST_SECRETS);
      secrets[source] = ['new-rotated-secret', TEST_SECRETS[source][0]!];
      const { send } = setup({ secrets });
      assert.equal((await send(signedRequest(source, raw, { at: NOW }))).status, 202);
      assert.equal(
        (await send(signedRequest(source, raw, { at: NOW, secret: 'new-rotated-secret' }))).status,
        202,
      );
      secrets[source] = ['new-rotated-secret'];
      const retired = await setup({ secrets }).send(signedRequest(source, raw, { at: NOW }));
      assert.equal(retired.status, 401);
    });

    void it(`${source}: missing signature header → 401`, async () => {
      const { send } = setup();
      const response = await send(
        signedRequest(source, raw, { at: NOW, headers: { [signatureHeader[source]]: '' } }),
      );
      assert.equal(response.status, 401);
      assert.deepEqual(response.jsonBody, { error: 'missing signature' });
    });

    void it(`${source}: garbage signature → 401`, async () => {
      const { send } = setup();
      const response = await send(
        signedRequest(source, raw, { at: NOW, headers: { [signatureHeader[source]]: 'c2lnbmF0dXJl!!' } }),
      );
      assert.equal(response.status, 401);
    });
  }

  for (const source of ['zendesk', 'generic'] as const) {
    const timestampHeader =
      source === 'zendesk' ? 'X-Zendesk-Webhook-Signature-Timestamp' : 'X-Feedback-Timestamp';
    void it(`${source}: stale timestamp (signed 6 minutes ago) → 401`, async () => {
      const { store, send } = setup();
      const response = await send(
        signedRequest(source, raws[source], { at: new Date(NOW.getTime() - 360_000) }),
      );
      assert.equal(response.status, 401);
      assert.deepEqual(response.jsonBody, { error: 'stale timestamp' });
      assert.equal(store.blobs.size, 0);
    });
    void it(`${source}: timestamp from the future beyond the window → 401; within the window → 202`, async () => {
      const { send } = setup();
      assert.equal(
        (await send(signedRequest(source, raws[source], { at: new Date(NOW.getTime() + 600_000) }))).status,
        401,
      );
      assert.equal(
        (await send(signedRequest(source, raws[source], { at: new Date(NOW.getTime() - 240_000) }))).status,
        202,
      );
    });
    void it(`${source}: missing timestamp header → 401`, async () => {
      const { send } = setup();
      const response = await send(
        signedRequest(source, raws[source], { at: NOW, headers: { [timestampHeader]: '' } }),
      );
      assert.equal(response.status, 401);
    });
    void it(`${source}: timestamp changed after signing → 401`, async () => {
      const { send } = setup();
      const headers = signedHeaders(source, raws[source], { at: NOW });
      headers[timestampHeader] =
        source === 'zendesk' ? '2026-11-27T12:00:01Z' : String(Math.floor(NOW.getTime() / 1000) + 1);
      const response = await send(webhookRequest({ source, body: raws[source], headers }));
      assert.equal(response.status, 401);
      assert.deepEqual(response.jsonBody, { error: 'signature mismatch' });
    });
  }

  void it('no secret configured for a source → every delivery is 401', async () => {
    const secrets = { ...structuredClone(TEST_SECRETS), generic: [] };
    const { send } = setup({ secrets });
    assert.equal((await send(signedRequest('generic', raws.generic, { at: NOW }))).status, 401);
  });
});

void describe('ingest webhook: bad input gets a status and a reason', () => {
  const item = { id: 'g-1', text: 'hello', createdAt: '2026-11-27T11:00:00Z' };

  void it('404 for an unknown source', async () => {
    const { send } = setup();
    const response = await send(
      webhookRequest({ source: 'paypal', body: '{}', headers: { 'Content-Type': 'application/json' } }),
    );
    assert.equal(response.status, 404);
    assert.deepEqual(response.jsonBody, { error: 'unknown source' });
  });

  void it('405 for a method other than POST', async () => {
    const { send } = setup();
    const response = await send(webhookRequest({ method: 'GET', source: 'generic', body: '', headers: {} }));
    assert.equal(response.status, 405);
  });

  void it('413 over the configured size, by header and by actual bytes', async () => {
    const { send } = setup({ maxBodyBytes: 100 });
    const big = JSON.stringify({ ...item, text: 'x'.repeat(200) });
    const byBytes = await send(signedRequest('generic', big, { at: NOW }));
    assert.equal(byBytes.status, 413);
    const byHeader = await send(
      signedRequest('generic', item, { at: NOW, headers: { 'Content-Length': '5000' } }),
    );
    assert.equal(byHeader.status, 413);
    const small = await send(
      signedRequest('generic', { id: 'a', text: 'b', createdAt: '2026-11-27T11:00:00Z' }, { at: NOW }),
    );
    assert.equal(small.status, 202);
  });

  void it('415 for a wrong or missing content type; charset=utf-8 is fine', async () => {
    const { send } = setup();
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
      '',
    ]) {
      const response = await send(
        signedRequest('generic', item, { at: NOW, headers: { 'Content-Type': contentType } }),
      );
      assert.equal(response.status, 415, contentType);
    }
    const withCharset = await send(
      signedRequest('generic', item, {
        at: NOW,
        headers: { 'Content-Type': 'application/json; charset=UTF-8' },
      }),
    );
    assert.equal(withCharset.status, 202);
  });

  void it('400 for malformed JSON and for invalid UTF-8 (signed correctly)', async () => {
    const { send } = setup();
    const malformed = await send(signedRequest('generic', '{"id": "x", ', { at: NOW }));
    assert.equal(malformed.status, 400);
    assert.deepEqual(malformed.jsonBody, { error: 'malformed JSON' });
    const invalidUtf8 = Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const badBytes = await send(signedRequest('generic', invalidUtf8, { at: NOW }));
    assert.equal(badBytes.status, 400);
    assert.deepEqual(badBytes.jsonBody, { error: 'invalid UTF-8' });
  });

  void it('400 for a missing Shopify topic and for a malformed tenant parameter', async () => {
    const { send } = setup();
    const noTopic = await send(
      signedRequest('shopify', fixture('shopify-returns-request.json'), {
        at: NOW,
        headers: { 'X-Shopify-Topic': '' },
      }),
    );
    assert.equal(noTopic.status, 400);
    const badTenant = await send(signedRequest('generic', item, { at: NOW, query: '?tenant=%2F..%2Fetc' }));
    assert.equal(badTenant.status, 400);
  });

  void it('422 naming the failing path', async () => {
    const { store, send } = setup();
    const cases: [Source, unknown, RegExp][] = [
      ['generic', { ...item, rating: 9 }, /^\/rating must be <= 5/],
      [
        'generic',
        [item, { ...item, id: 'g-2', createdAt: 'yesterday' }],
        /^\/1\/createdAt must match format "date-time"/,
      ],
      ['generic', { text: 'no id', createdAt: item.createdAt }, /^\/ must have property 'id'/],
      ['generic', { ...item, colour: 'red' }, /^\/ must not have property 'colour'/],
      ['generic', [], /^\/ must NOT have fewer than 1 items/],
      ['generic', 42, /^\/ must be object/],
      [
        'judgeme',
        { event: 'review/created', review: { id: 1, rating: 7, created_at: '2026-11-27T11:00:00Z' } },
        /^\/review\/rating must be <= 5/,
      ],
      ['zendesk', { hello: 'world' }, /must have property 'ticket'/],
      [
        'zendesk',
        {
          type: 'zen:event-type:ticket.comment_added',
          id: 'e1',
          time: '2026-11-27T11:00:00Z',
          detail: { id: '1' },
        },
        /^\/ must have property 'event'/,
      ],
    ];
    for (const [source, payload, expected] of cases) {
      const response = await send(signedRequest(source, payload, { at: NOW }));
      assert.equal(response.status, 422, `${source} ${JSON.stringify(payload)}`);
      assert.match(String(body(response).error), expected);
    }
    const shopifyBad = await send(
      signedRequest(
        'shopify',
        { id: 1, return_line_items: [{ quantity: 1 }] },
        { at: NOW, topic: 'returns/request' },
      ),
    );
    assert.equal(shopifyBad.status, 422);
    assert.match(String(body(shopifyBad).error), /^\/return_line_items\/0 must have property 'id'/);
    assert.equal(store.blobs.size, 0);
  });

  void it('503 with Retry-After when storage is unreachable, then 202 once it is back', async () => {
    const { store, send } = setup();
    store.unavailable = true;
    const down = await send(signedRequest('generic', item, { at: NOW }));
    assert.equal(down.status, 503);
    assert.equal((down.headers as Record<string, string>)['Retry-After'], String(RETRY_AFTER_SECONDS));
    assert.deepEqual(down.jsonBody, { error: 'storage unavailable' });
    store.unavailable = false;
    const up = await send(signedRequest('generic', item, { at: NOW }));
    assert.equal(up.status, 202);
    assert.equal(store.blobs.size, 1);
  });

  void it('an unexpected storage failure is rethrown (the sender will retry), never answered 202', async () => {
    const { send } = setup({
      rawStore: { putIfAbsent: () => Promise.reject(new Error('permission denied')) },
    });
    await assert.rejects(send(signedRequest('generic', item, { at: NOW })), /permission denied/);
  });

  void it('logs ids and reasons only, never the body or the signature', async () => {
    const { logger, send } = setup();
    const secretText = 'my very private complaint text';
    await send(signedRequest('generic', { ...item, text: secretText, rating: 11 }, { at: NOW }));
    await send(signedRequest('generic', { ...item, text: secretText }, { at: NOW, secret: 'wrong' }));
    await send(signedRequest('generic', { ...item, text: secretText }, { at: NOW }));
    const logged = JSON.stringify(logger.lines);
    assert.ok(!logged.includes(secretText));
    assert.ok(!logged.includes('sha256='));
    assert.ok(!logged.includes(TEST_SECRETS.generic[0]!));
    assert.deepEqual(
      logger.lines.map((line) => [line.message, line.properties?.status ?? 202]),
      [
        ['ingest.rejected', 422],
        ['ingest.rejected', 401],
        ['ingest.accepted', 202],
      ],
    );
  });
});

function resolvePointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, token) => (node as Record<string, unknown> | undefined)?.[token], document);
}
