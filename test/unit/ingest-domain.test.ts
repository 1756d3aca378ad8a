import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import {
  checkFreshness,
  parseTimestampHeader,
  signGenericBody,
  verifyGenericSignature,
  verifyJudgeme,
  verifyShopify,
  verifyZendeskSignature,
  anySecretEquals,
} from '../../shared/domain/ingest/signatures.js';
import { compactTimestamp, rawBlobPath, sanitizePathSegment } from '../../shared/domain/ingest/raw-path.js';
import {
  genericWebhookSchema,
  validateGenericBatch,
  validateGenericItem,
} from '../../shared/domain/ingest/generic-item.js';
import { normalizeShopifyTopic } from '../../shared/domain/ingest/shopify.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/ingest/${name}`, import.meta.url), 'utf8');

/**
 * Vectors computed for this project with `openssl dgst -sha256 -hmac <secret>` over the exact
 * bytes below (independently of the code under test), with the documented development secrets.
 */
const BODY = Buffer.from('{"id":"v-1","text":"Lid cracked","createdAt":"2026-11-27T12:00:00Z"}', 'utf8');
const vectors = {
  shopify: {
    secret: 'dev-shopify-secret-not-for-production',
    signature: 'Eu/+O5X2WBx89DkwgH6l+WmmIUrLbDLB72q6qkibAKA=',
  },
  judgemeHex: {
    secret: 'dev-judgeme-secret-not-for-production',
    signature: '924cb172715aa388a45c3860865e738be6cb6b0bf1ddd2c556d9b6b19c4734c3',
  },
  judgemeBase64: {
    secret: 'dev-judgeme-secret-not-for-production',
    signature: 'kkyxcnFao4ikXDhghl5zi+bLawvx3dLFVtm2sZxHNMM=',
  },
  zendesk: {
    secret: 'dev-zendesk-secret-not-for-production',
    timestamp: '2026-11-27T12:00:00Z',
    signature: 'fhO1W0OfasB9JVL54evLgblJpTrWOUG/0oYRdMV8H7A=',
  },
  generic: {
    secret: 'dev-generic-secret-not-for-production',
    timestamp: '1795780800',
    signature: 'sha256=cda0256642d86599638b9044c96d8799291dc55c28a1a8364a17b103585ab805',
  },
};

void describe('signature schemes against project vectors', () => {
  void it('Shopify: base64 HMAC of the raw body', () => {
    assert.deepEqual(verifyShopify([vectors.shopify.secret], vectors.shopify.signature, BODY), { ok: true });
    assert.equal(verifyShopify(['other'], vectors.shopify.signature, BODY).ok, false);
    // Re-serialised JSON is different bytes: verification must use the raw body.
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(BODY.toString()), null, 1));
    assert.equal(verifyShopify([vectors.shopify.secret], vectors.shopify.signature, reserialised).ok, false);
    // The hex form of the same digest is not Shopify's encoding.
    const hex = Buffer.from(vectors.shopify.signature, 'base64').toString('hex');
    assert.deepEqual(verifyShopify([vectors.shopify.secret], hex, BODY), {
      ok: false,
      reason: 'malformed signature',
    });
  });

  void it('Judge.me: hex or base64 HMAC of the raw body', () => {
    assert.deepEqual(verifyJudgeme([vectors.judgemeHex.secret], vectors.judgemeHex.signature, BODY), {
      ok: true,
    });
    assert.deepEqual(
      verifyJudgeme([vectors.judgemeHex.secret], vectors.judgemeHex.signature.toUpperCase(), BODY),
      { ok: true },
    );
    assert.deepEqual(verifyJudgeme([vectors.judgemeBase64.secret], vectors.judgemeBase64.signature, BODY), {
      ok: true,
    });
    assert.equal(verifyJudgeme(['other'], vectors.judgemeHex.signature, BODY).ok, false);
  });

  void it('Zendesk: base64 HMAC of timestamp + raw body (in that order)', () => {
    const { secret, timestamp, signature } = vectors.zendesk;
    assert.deepEqual(verifyZendeskSignature([secret], signature, timestamp, BODY), { ok: true });
    assert.equal(verifyZendeskSignature([secret], signature, '2026-11-27T12:00:01Z', BODY).ok, false);
    assert.equal(
      verifyZendeskSignature([secret], signature, '', Buffer.concat([BODY, Buffer.from(timestamp)])).ok,
      false,
    );
  });

  void it('generic: sha256=<hex HMAC of "timestamp.body">, and the signer agrees', () => {
    const { secret, timestamp, signature } = vectors.generic;
    assert.equal(signGenericBody(secret, timestamp, BODY), signature);
    assert.deepEqual(verifyGenericSignature([secret], signature, timestamp, BODY), { ok: true });
    assert.deepEqual(verifyGenericSignature([secret], signature.slice('sha256='.length), timestamp, BODY), {
      ok: false,
      reason: 'malformed signature',
    });
  });

  void it('any listed secret verifies (rotation), empty secrets never do', () => {
    const { secret, signature } = vectors.shopify;
    assert.deepEqual(verifyShopify(['new-secret', secret], signature, BODY), { ok: true });
    assert.deepEqual(verifyShopify([secret, 'new-secret'], signature, BODY), { ok: true });
    assert.equal(verifyShopify([], signature, BODY).ok, false);
    assert.equal(anySecretEquals([''], ''), false);
    assert.equal(anySecretEquals(['a', 'flow-token'], 'flow-token'), true);
    assert.equal(anySecretEquals(['flow-token'], 'flow-token-longer'), false);
  });

  void it('timestamps: formats and the replay window', () => {
    const now = new Date('2026-11-27T12:00:00Z');
    assert.deepEqual(parseTimestampHeader('1795780800', 'unix-seconds'), now);
    assert.equal(parseTimestampHeader('1795780800.5', 'unix-seconds'), undefined);
    assert.deepEqual(parseTimestampHeader('2026-11-27T13:00:00+01:00', 'iso8601'), now);
    assert.equal(parseTimestampHeader('1234', 'iso8601'), undefined);
    assert.deepEqual(checkFreshness(new Date(now.getTime() - 300_000), now, 300), { ok: true });
    assert.deepEqual(checkFreshness(new Date(now.getTime() - 300_001), now, 300), {
      ok: false,
      reason: 'stale timestamp',
    });
    assert.deepEqual(checkFreshness(undefined, now, 300), { ok: false, reason: 'malformed timestamp' });
  });
});

void describe('raw blob paths and revisions', () => {
  void it('compact timestamps are fixed-width UTC and sort chronologically', () => {
    assert.equal(compactTimestamp(new Date('2026-11-20T09:15:02-05:00')), '20261120T141502000Z');
    const times = [
      '2026-01-02T00:00:00Z',
      '2026-01-01T23:59:59.999Z',
      '2025-12-31T00:00:00Z',
      '2026-01-02T00:00:00.001Z',
    ];
    const sortedByTime = [...times]
      .sort((a, b) => Date.parse(a) - Date.parse(b))
      .map((t) => compactTimestamp(new Date(t)));
    assert.deepEqual([...sortedByTime].sort(), sortedByTime);
  });

  void it('sanitizes ids: readable when safe, percent-encoded and one-to-one otherwise', () => {
    assert.equal(sanitizePathSegment('return-line-item-77001'), 'return-line-item-77001');
    assert.equal(sanitizePathSegment('a/b@c'), 'a%2Fb%40c');
    assert.equal(sanitizePathSegment('50%'), '50%25');
    assert.equal(sanitizePathSegment('é'), '%C3%A9');
    assert.equal(sanitizePathSegment('..'), '..');
    assert.notEqual(sanitizePathSegment('a/b'), sanitizePathSegment('a%2Fb'));
    const long = sanitizePathSegment('x'.repeat(1000));
    assert.ok(long.length < 200 && /~[0-9a-f]{16}$/.test(long));
    assert.notEqual(long, sanitizePathSegment('x'.repeat(1001)));
  });

  void it('lays blobs out by source and UTC event date', () => {
    assert.equal(
      rawBlobPath('generic', 'app store/1', '20261127T235959000Z', new Date('2026-11-28T01:00:00+02:00')),
      'generic/2026/11/27/app%20store%2F1@20261127T235959000Z.json',
    );
  });

  void it('normalizes Shopify topics from both spellings', () => {
    assert.equal(normalizeShopifyTopic('RETURNS_REQUEST'), 'returns/request');
    assert.equal(normalizeShopifyTopic('INVENTORY_LEVELS_UPDATE'), 'inventory_levels/update');
    assert.equal(normalizeShopifyTopic('orders/cancelled'), 'orders/cancelled');
  });
});

void describe('the published generic webhook schema', () => {
  const published = JSON.parse(
    readFileSync(new URL('../../schemas/generic-webhook.schema.json', import.meta.url), 'utf8'),
  ) as object;

  void it('is identical to the schema the validator uses', () => {
    assert.deepEqual(published, JSON.parse(JSON.stringify(genericWebhookSchema)));
  });

  void it('accepts and rejects the same bodies as the validators', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats.default(ajv);
    const validatePublished = ajv.compile(published);
    const item = { id: 'a', text: 'b', createdAt: '2026-11-27T12:00:00Z' };
    const bodies: unknown[] = [
      JSON.parse(fixture('generic-batch.json')),
      item,
      [item],
      [],
      Array.from({ length: 101 }, (_, index) => ({ ...item, id: `i${index}` })),
      { ...item, rating: 0 },
      { ...item, npsScore: 10 },
      { ...item, channel: 'email' },
      { ...item, createdAt: '2026-11-27' },
      { ...item, revision: 'has space' },
      { ...item, attributes: { a: 1 } },
      { ...item, locale: 'en-GB' },
      { id: 'a', text: 'b' },
      'text',
      null,
    ];
    for (const body of bodies) {
      const ours = Array.isArray(body) ? validateGenericBatch(body).ok : validateGenericItem(body).ok;
      assert.equal(validatePublished(body), ours, JSON.stringify(body).slice(0, 80));
    }
  });
});
