import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { generateDemoFeed, type DemoItem } from '../../local/demo/generate.js';
import { DemoFeedDeliveryError, retryAfterMs, sendDemoFeed } from '../../local/demo/send.js';
import { verifyGenericSignature } from '../../shared/domain/ingest/signatures.js';

const secret = 'demo-local-secret-not-real';
const items = generateDemoFeed({ now: new Date('2026-11-28T09:30:00.000Z'), items: 250, seed: 3 });
const fixedNow = () => new Date('2026-11-28T10:00:00.000Z');

interface Call {
  url: string;
  headers: Headers;
  body: string;
}

type Reply = Response | Error;

/** A fake endpoint: records each request and answers with `reply(call, index)`. */
function fakeEndpoint(reply: (call: Call, index: number) => Reply) {
  const calls: Call[] = [];
  const fetchFn: typeof fetch = (input, init) => {
    const call: Call = {
      url: input instanceof Request ? input.url : input.toString(),
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? init.body : '',
    };
    calls.push(call);
    const answer = reply(call, calls.length - 1);
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  return { calls, fetchFn };
}

const idOf = (item: DemoItem): string => createHash('sha256').update(item.id).digest('hex').slice(0, 32);

function accepted(call: Call, duplicates = 0): Response {
  const batch = JSON.parse(call.body) as DemoItem[];
  return Response.json({ accepted: batch.length, duplicates, feedbackIds: batch.map(idOf) }, { status: 202 });
}

void describe('sendDemoFeed', () => {
  void it('posts signed arrays in order and reports progress and feedback ids', async () => {
    const { calls, fetchFn } = fakeEndpoint((call) => accepted(call));
    const progress: [number, number][] = [];
    const result = await sendDemoFeed({
      baseUrl: 'http://127.0.0.1:7071/',
      secret,
      items,
      batchSize: 100,
      fetch: fetchFn,
      now: fixedNow,
      onProgress: (sent, total) => progress.push([sent, total]),
    });
    assert.equal(calls.length, 3);
    for (const call of calls) {
      assert.equal(call.url, 'http://127.0.0.1:7071/api/webhooks/generic');
      assert.equal(call.headers.get('content-type'), 'application/json');
      const timestamp = call.headers.get('x-feedback-timestamp') ?? '';
      assert.equal(timestamp, String(Date.parse('2026-11-28T10:00:00.000Z') / 1000));
      const verified = verifyGenericSignature(
        [secret],
        call.headers.get('x-feedback-signature') ?? undefined,
        timestamp,
        Buffer.from(call.body, 'utf8'),
      );
      assert.deepEqual(verified, { ok: true });
    }
    const sentIds = calls.flatMap((call) => (JSON.parse(call.body) as DemoItem[]).map((item) => item.id));
    assert.deepEqual(
      sentIds,
      items.map((item) => item.id),
    );
    assert.deepEqual(progress, [
      [100, 250],
      [200, 250],
      [250, 250],
    ]);
    assert.deepEqual(result, {
      accepted: 250,
      duplicates: 0,
      rejected: 0,
      feedbackIds: items.map(idOf),
      rejections: [],
    });
  });

  void it('honours 503 Retry-After and retries network errors, re-signing each attempt', async () => {
    const { calls, fetchFn } = fakeEndpoint((call, index) => {
      if (index === 0)
        return Response.json(
          { error: 'storage unavailable' },
          { status: 503, headers: { 'Retry-After': '10' } },
        );
      if (index === 1) return new TypeError('fetch failed');
      return accepted(call, 5);
    });
    const slept: number[] = [];
    let clock = Date.parse('2026-11-28T10:00:00.000Z');
    const result = await sendDemoFeed({
      baseUrl: 'http://127.0.0.1:7071',
      secret,
      items: items.slice(0, 20),
      fetch: fetchFn,
      now: () => new Date((clock += 1000)),
      sleep: (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    });
    assert.equal(calls.length, 3);
    assert.equal(slept[0], 10_000);
    assert.equal(slept.length, 2);
    assert.notEqual(
      calls[0]?.headers.get('x-feedback-timestamp'),
      calls[2]?.headers.get('x-feedback-timestamp'),
    );
    assert.equal(result.accepted, 20);
    assert.equal(result.duplicates, 5);
  });

  void it('isolates an invalid item by splitting the batch, and reports it instead of dropping it', async () => {
    const bad = { ...items[7]!, id: 'bad-item' };
    const withBad = [...items.slice(0, 7), bad, ...items.slice(8, 40)];
    const { fetchFn } = fakeEndpoint((call) => {
      const batch = JSON.parse(call.body) as DemoItem[];
      if (batch.some((item) => item.id === 'bad-item'))
        return Response.json({ error: '/7/rating must be <= 5' }, { status: 422 });
      return accepted(call);
    });
    const result = await sendDemoFeed({
      baseUrl: 'http://x',
      secret,
      items: withBad,
      fetch: fetchFn,
      now: fixedNow,
    });
    assert.equal(result.accepted, 39);
    assert.equal(result.rejected, 1);
    assert.deepEqual(result.rejections, [{ id: 'bad-item', status: 422, error: '/7/rating must be <= 5' }]);
    assert.equal(result.feedbackIds.length, 39);
  });

  void it('throws with counts when the endpoint refuses the signature', async () => {
    const { fetchFn } = fakeEndpoint((call, index) =>
      index === 0 ? accepted(call) : Response.json({ error: 'signature mismatch' }, { status: 401 }),
    );
    await assert.rejects(
      sendDemoFeed({ baseUrl: 'http://x', secret, items, batchSize: 100, fetch: fetchFn, now: fixedNow }),
      (error: unknown) => {
        assert.ok(error instanceof DemoFeedDeliveryError);
        assert.match(error.message, /401 signature mismatch/);
        assert.match(error.message, /sent 100 of 250/);
        assert.equal(error.progress.accepted, 100);
        assert.equal(error.progress.undelivered, 150);
        return true;
      },
    );
  });

  void it('gives up after its attempts on a server that keeps failing', async () => {
    const { calls, fetchFn } = fakeEndpoint(() => new Response('boom', { status: 500 }));
    await assert.rejects(
      sendDemoFeed({
        baseUrl: 'http://x',
        secret,
        items: items.slice(0, 5),
        fetch: fetchFn,
        now: fixedNow,
        maxAttempts: 3,
        sleep: () => Promise.resolve(),
      }),
      /gave up after 3 attempts: 500 boom.*sent 0 of 5/,
    );
    assert.equal(calls.length, 3);
  });

  void it('refuses a 202 that does not account for every item', async () => {
    const { fetchFn } = fakeEndpoint(() =>
      Response.json({ accepted: 1, duplicates: 0, feedbackIds: ['x'] }, { status: 202 }),
    );
    await assert.rejects(
      sendDemoFeed({ baseUrl: 'http://x', secret, items: items.slice(0, 5), fetch: fetchFn, now: fixedNow }),
      /accepted 1 of 5 items/,
    );
  });
});

void describe('retryAfterMs', () => {
  void it('reads seconds and HTTP dates', () => {
    const now = new Date('2026-11-28T10:00:00.000Z');
    assert.equal(retryAfterMs('7', now), 7000);
    assert.equal(retryAfterMs('Sat, 28 Nov 2026 10:00:30 GMT', now), 30_000);
    assert.equal(retryAfterMs('soon', now), undefined);
    assert.equal(retryAfterMs(null, now), undefined);
  });
});
