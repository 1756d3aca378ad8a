/**
 * A seeded generator of hostile and valid webhook deliveries, transport-neutral so it can drive
 * the handler in-process (stage test) or the dev host over HTTP (e2e). Hostile cases are random
 * bodies and headers, and valid deliveries mutated before or after signing; valid cases carry
 * the feedback ids they must land.
 */
import { feedbackIdOf, type Source } from '../../shared/domain/record.js';
import { signedHeaders } from './webhook-signing.js';

export interface FuzzCase {
  kind: 'hostile' | 'valid';
  /** What produced it, for failure messages. */
  label: string;
  method: string;
  /** The route's `{source}` value (may be garbage). */
  source: string;
  /** Query string including the leading `?`, or ''. */
  query: string;
  headers: Record<string, string>;
  body: Buffer;
  /**
   * Hostile cases signed with a real secret may be accepted (a mutation can leave a valid item):
   * then 202 is allowed. Unsigned or tampered ones must get a 4xx.
   */
  mayBeAccepted: boolean;
  /** Valid cases: the feedback ids the answer must list and the store must hold. */
  expectedFeedbackIds?: string[];
}

export interface FuzzOptions {
  seed?: number;
  /** One secret per source that the endpoint accepts. */
  secrets: Record<Source, string>;
  /** The time signatures are made at (the endpoint's clock). */
  now: () => Date;
  /** The endpoint's body limit, to send bodies just over it (default 1 MiB). */
  maxBodyBytes?: number;
}

const SOURCES: Source[] = ['shopify', 'judgeme', 'zendesk', 'generic'];
const TOKEN_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';

/** mulberry32: small, fast, good enough to make cases reproducible from a seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class WebhookFuzzer {
  private readonly random: () => number;
  private serial = 0;

  constructor(private readonly options: FuzzOptions) {
    this.random = seededRandom(options.seed ?? 20261127);
  }

  private int(below: number): number {
    return Math.floor(this.random() * below);
  }
  private pick<T>(values: readonly T[]): T {
    return values[this.int(values.length)]!;
  }
  private chance(probability: number): boolean {
    return this.random() < probability;
  }
  private token(length: number): string {
    let out = '';
    for (let index = 0; index < length; index += 1) out += TOKEN_CHARS[this.int(TOKEN_CHARS.length)];
    return out;
  }
  /** Visible ASCII only: header values must be valid on the wire. */
  private headerValue(length: number): string {
    let out = '';
    for (let index = 0; index < length; index += 1) out += String.fromCharCode(0x21 + this.int(0x7e - 0x21));
    return out;
  }

  private randomJson(depth = 0): unknown {
    const roll = this.int(depth > 3 ? 5 : 8);
    switch (roll) {
      case 0:
        return null;
      case 1:
        return this.chance(0.5);
      case 2:
        return this.pick([0, -1, 1e308, 3.5, 2 ** 53 + 1, 5, 6, 11]);
      case 3:
        return this.pick([
          '',
          'x',
          '2026-11-27T12:00:00Z',
          '\u0000',
          '🎉',
          'a'.repeat(this.int(300)),
          '<script>',
        ]);
      case 4:
        return this.token(this.int(12));
      case 5:
        return Array.from({ length: this.int(4) }, () => this.randomJson(depth + 1));
      default: {
        const keys = [
          'id',
          'text',
          'createdAt',
          'rating',
          'review',
          'ticket',
          'type',
          'detail',
          'event',
          'return_line_items',
          this.token(5),
        ];
        const object: Record<string, unknown> = {};
        for (let index = this.int(6); index > 0; index -= 1)
          object[this.pick(keys)] = this.randomJson(depth + 1);
        return object;
      }
    }
  }

  /** A valid delivery for a random source, with ids never used before. */
  validCase(): FuzzCase {
    const source = this.pick(SOURCES);
    const n = (this.serial += 1);
    const stamp = new Date(Date.UTC(2026, 10, 1 + (n % 27), 8, 0, n % 60)).toISOString();
    const unique = `fz${n}x${this.token(6)}`;
    let body: unknown;
    let topic: string | undefined;
    let expected: string[];
    const query = source === 'generic' || source === 'zendesk' ? '?tenant=fuzz-tenant' : '';
    switch (source) {
      case 'generic': {
        const count = 1 + this.int(3);
        const items = Array.from({ length: count }, (_, index) => ({
          id: `${unique}-${index}`,
          channel: 'review',
          text: `Valid item ${n}.${index} between hostile ones`,
          rating: 1 + this.int(5),
          createdAt: stamp,
        }));
        body = count === 1 && this.chance(0.5) ? items[0] : items;
        expected = items.map((item) => feedbackIdOf('generic', 'fuzz-tenant', item.id));
        break;
      }
      case 'shopify': {
        topic = 'returns/request';
        const lineId = 1_000_000 + n;
        body = {
          id: 2_000_000 + n,
          status: 'requested',
          return_line_items: [
            { id: lineId, return_reason: 'defective', customer_note: `Broke, case ${unique}` },
          ],
        };
        expected = [feedbackIdOf('shopify', 'example-shop.myshopify.com', `return-line-item-${lineId}`)];
        break;
      }
      case 'judgeme': {
        const reviewId = 3_000_000 + n;
        body = {
          event: 'review/created',
          shop_domain: 'fuzz-shop.myshopify.com',
          review: { id: reviewId, rating: 4, body: `Fine ${unique}`, created_at: stamp, updated_at: stamp },
        };
        expected = [feedbackIdOf('judgeme', 'fuzz-shop.myshopify.com', `review-${reviewId}`)];
        break;
      }
      case 'zendesk': {
        body = {
          type: 'zen:event-type:ticket.comment_added',
          account_id: 1,
          id: unique,
          time: stamp,
          detail: { id: String(4_000_000 + n) },
          event: { comment: { id: unique, body: 'Still broken', is_public: true } },
        };
        expected = [feedbackIdOf('zendesk', 'fuzz-tenant', `ticket-${4_000_000 + n}-comment-${unique}`)];
        break;
      }
    }
    const raw = Buffer.from(JSON.stringify(body), 'utf8');
    return {
      kind: 'valid',
      label: `valid ${source}`,
      method: 'POST',
      source,
      query,
      headers: signedHeaders(source, raw, {
        secret: this.options.secrets[source],
        at: this.options.now(),
        ...(topic ? { topic } : {}),
      }),
      body: raw,
      mayBeAccepted: true,
      expectedFeedbackIds: expected,
    };
  }

  /** A hostile delivery: random, or a valid one broken in one of many ways. */
  hostileCase(): FuzzCase {
    const base = this.validCase();
    const hostile: FuzzCase = {
      ...base,
      kind: 'hostile',
      mayBeAccepted: false,
      headers: { ...base.headers },
    };
    delete hostile.expectedFeedbackIds;
    const source = base.source as Source;
    const resign = (body: Buffer, label: string): FuzzCase => ({
      ...hostile,
      label,
      body,
      // Signed with the real secret: the content decides, and it may still be a valid item.
      mayBeAccepted: true,
      headers: {
        ...signedHeaders(source, body, {
          secret: this.options.secrets[source],
          at: this.options.now(),
          ...(source === 'shopify'
            ? {
                topic: this.pick([
                  'returns/request',
                  'orders/cancelled',
                  'flow/review',
                  'returns/update',
                  'RETURNS_APPROVE',
                  'carts/create',
                ]),
              }
            : {}),
        }),
      },
    });
    const strategy = this.int(17);
    switch (strategy) {
      case 0: {
        const body = Buffer.from(base.body);
        for (let flips = 1 + this.int(3); flips > 0; flips -= 1) body[this.int(body.length)] = this.int(256);
        // A flip can write the byte that was already there.
        return {
          ...hostile,
          label: 'flipped bytes, old signature',
          body,
          mayBeAccepted: body.equals(base.body),
        };
      }
      case 1:
        return {
          ...hostile,
          label: 'truncated body, old signature',
          body: base.body.subarray(0, this.int(base.body.length)),
        };
      case 2: {
        const body = Buffer.from(base.body);
        for (let flips = 1 + this.int(3); flips > 0; flips -= 1) body[this.int(body.length)] = this.int(256);
        return resign(body, 'flipped bytes, re-signed');
      }
      case 3:
        return resign(Buffer.from(JSON.stringify(this.randomJson()), 'utf8'), 'random JSON, re-signed');
      case 4: {
        const bytes = Buffer.alloc(this.int(200));
        for (let index = 0; index < bytes.length; index += 1) bytes[index] = this.int(256);
        return this.chance(0.5)
          ? resign(bytes, 'random bytes, re-signed')
          : { ...hostile, label: 'random bytes', body: bytes };
      }
      case 5: {
        const depth = 50 + this.int(5000);
        return resign(
          Buffer.from('['.repeat(depth) + ']'.repeat(this.chance(0.5) ? depth : 0)),
          'deep nesting, re-signed',
        );
      }
      case 6: {
        // Type confusion in a real payload: one field replaced by a random value.
        const parsed = JSON.parse(base.body.toString('utf8')) as unknown;
        const target = Array.isArray(parsed)
          ? (parsed[0] as Record<string, unknown>)
          : (parsed as Record<string, unknown>);
        const keys = Object.keys(target);
        target[this.pick(keys)] = this.randomJson(2);
        return resign(Buffer.from(JSON.stringify(parsed)), 'type confusion, re-signed');
      }
      case 7: {
        const names = Object.keys(hostile.headers).filter((name) => name !== 'Content-Type');
        delete hostile.headers[this.pick(names)];
        // Only the signature headers are essential; dropping an id header may still be accepted.
        return { ...hostile, label: 'header dropped', mayBeAccepted: true };
      }
      case 8: {
        const names = Object.keys(hostile.headers);
        hostile.headers[this.pick(names)] = this.headerValue(this.int(90));
        return { ...hostile, label: 'header garbled', mayBeAccepted: true };
      }
      case 9:
        return {
          ...hostile,
          label: 'wrong content type',
          headers: {
            ...hostile.headers,
            'Content-Type': this.pick([
              'text/plain',
              'application/xml',
              'multipart/form-data',
              'application/json; charset=utf-16',
              this.headerValue(12),
            ]),
          },
        };
      case 10:
        return {
          ...hostile,
          label: 'unknown source',
          source: this.pick(['', 'paypal', '..', 'SHOPIFY', this.token(8), 'generic%00']),
        };
      case 11:
        return { ...hostile, label: 'wrong method', method: this.pick(['GET', 'PUT', 'DELETE', 'PATCH']) };
      case 12: {
        // Replays: the right signature made long ago (timestamped schemes) or a foreign secret.
        const at = new Date(this.options.now().getTime() - (600 + this.int(100_000)) * 1000);
        const headers = signedHeaders(source, base.body, {
          secret: this.chance(0.5) ? this.options.secrets[source] : 'stolen-looking-secret',
          at,
        });
        return {
          ...hostile,
          label: 'stale or foreign signature',
          headers,
          mayBeAccepted: source === 'shopify' || source === 'judgeme',
        };
      }
      case 13:
        return { ...hostile, label: 'no headers at all', headers: {} };
      case 14:
        return {
          ...hostile,
          label: 'bad tenant',
          query: this.pick(['?tenant=%2F..', '?tenant=' + 'a'.repeat(150), '?tenant=a%20b']),
          mayBeAccepted: source === 'shopify' || source === 'judgeme',
        };
      case 16: {
        const limit = this.options.maxBodyBytes ?? 1024 * 1024;
        const padding = ' '.repeat(limit + 1 + this.int(1024));
        return resign(Buffer.from(`{"pad":"${padding}"}`), 'over the size limit, re-signed');
      }
      default: {
        const extra: Record<string, string> = {};
        for (let count = 1 + this.int(6); count > 0; count -= 1)
          extra[`X-${this.token(1 + this.int(20))}`] = this.headerValue(this.int(60));
        return {
          ...hostile,
          label: 'extra random headers',
          headers: { ...hostile.headers, ...extra },
          mayBeAccepted: true,
        };
      }
    }
  }
}
