import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryLogger } from '../../shared/adapters/memory.js';
import { MemoryReviewQueue, type NewReviewItem } from '../../shared/domain/review.js';
import { parseLabelledJsonl } from '../../shared/domain/classify/labelled.js';
import { makeReviewApi } from '../../shared/stages/review-api.js';
import { makeIncidentsApi } from '../../shared/stages/incidents-api.js';
import { context, makeHarness, request } from '../fixtures/route/harness.js';

const categories = ['defect', 'quality', 'delivery', 'sizing_fit'];

function item(id: string): NewReviewItem {
  return {
    id,
    feedbackId: id,
    revision: '1',
    text: 'Die Sohle ist nach einer Woche ab. [order]',
    language: 'de',
    candidates: {
      sentiment: { label: 'negative', score: -0.7, confidence: 0.6 },
      primaryCategory: 'quality',
      secondaryCategories: [],
      component: 'sole',
      severity: 'medium',
      intent: 'complaint',
    },
    reasons: ['confidence 0.55 under 0.7'],
    createdAt: `2026-11-27T10:0${id.length % 10}:00.000Z`,
  };
}

function principal(name: string): string {
  return Buffer.from(
    JSON.stringify({
      auth_typ: 'aad',
      claims: [
        { typ: 'preferred_username', val: name },
        {
          typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
          val: '00000000-0000-0000-0000-000000000001',
        },
      ],
    }),
  ).toString('base64');
}

function setup(requirePrincipal: boolean) {
  const reviewQueue = new MemoryReviewQueue();
  const api = makeReviewApi({
    reviewQueue,
    categories,
    auth: { requirePrincipal },
    clock: () => new Date('2026-11-27T12:00:00.000Z'),
    logger: new MemoryLogger(),
  });
  return { reviewQueue, api };
}

void describe('review API', () => {
  void it('lists pending items and confirms the candidate labels', async () => {
    const { reviewQueue, api } = setup(false);
    await reviewQueue.enqueue(item('a'));
    await reviewQueue.enqueue(item('b'));
    const list = await api.list(request({ url: 'http://x/api/review?limit=10' }), context());
    assert.equal(list.status, 200);
    assert.deepEqual(
      (list.jsonBody as { items: { id: string }[] }).items.map((entry) => entry.id),
      ['a', 'b'],
    );
    const confirmed = await api.submit(
      request({
        method: 'POST',
        url: 'http://x',
        params: { id: 'a' },
        body: JSON.stringify({ action: 'confirm' }),
      }),
      context(),
    );
    assert.equal(confirmed.status, 200);
    const stored = (await reviewQueue.get('a'))!;
    assert.equal(stored.status, 'resolved');
    assert.equal(stored.resolution?.labels.primaryCategory, 'quality');
    assert.equal(stored.resolution?.action, 'confirm');
  });

  void it('stores a correction for training, and rejects unknown labels', async () => {
    const { reviewQueue, api } = setup(false);
    await reviewQueue.enqueue(item('c'));
    const labels = {
      sentiment: 'negative',
      primaryCategory: 'defect',
      secondaryCategories: ['quality'],
      component: 'sole',
      severity: 'high',
      intent: 'complaint',
    };
    const bad = await api.submit(
      request({
        method: 'POST',
        url: 'http://x',
        params: { id: 'c' },
        body: JSON.stringify({ action: 'correct', labels: { ...labels, primaryCategory: 'weather' } }),
      }),
      context(),
    );
    assert.equal(bad.status, 400);
    const missing = await api.submit(
      request({
        method: 'POST',
        url: 'http://x',
        params: { id: 'c' },
        body: JSON.stringify({ action: 'correct' }),
      }),
      context(),
    );
    assert.equal(missing.status, 400, 'a correction needs labels');
    const corrected = await api.submit(
      request({
        method: 'POST',
        url: 'http://x',
        params: { id: 'c' },
        body: JSON.stringify({ action: 'correct', labels, reviewer: 'ops-anna' }),
      }),
      context(),
    );
    assert.equal(corrected.status, 200);
    const [resolved] = await reviewQueue.listResolved(10);
    assert.equal(resolved?.resolution?.labels.primaryCategory, 'defect');
    assert.equal(resolved?.resolution?.reviewer, 'ops-anna');
    const again = await api.submit(
      request({
        method: 'POST',
        url: 'http://x',
        params: { id: 'c' },
        body: JSON.stringify({ action: 'confirm' }),
      }),
      context(),
    );
    assert.equal(again.status, 409);
    const unknown = await api.submit(
      request({
        method: 'POST',
        url: 'http://x',
        params: { id: 'zz' },
        body: JSON.stringify({ action: 'confirm' }),
      }),
      context(),
    );
    assert.equal(unknown.status, 404);
  });

  void it('exports resolved items as labelled JSONL that train and eval read', async () => {
    const { reviewQueue, api } = setup(false);
    await reviewQueue.enqueue(item('e'));
    await reviewQueue.enqueue(item('ff'));
    const labels = {
      sentiment: 'negative',
      primaryCategory: 'defect',
      secondaryCategories: [],
      component: 'sole',
      severity: 'high',
      intent: 'return_request',
    };
    await api.submit(
      request({
        method: 'POST',
        url: 'http://x',
        params: { id: 'e' },
        body: JSON.stringify({ action: 'correct', labels }),
      }),
      context(),
    );
    const exported = await api.list(
      request({ url: 'http://x/api/review?status=resolved&format=jsonl' }),
      context(),
    );
    assert.equal(exported.status, 200);
    assert.match(String((exported.headers as Record<string, string>)['content-type']), /ndjson/);
    const examples = parseLabelledJsonl(exported.body as string, 'export');
    assert.equal(examples.length, 1, 'only the resolved item');
    assert.equal(examples[0]?.text, item('e').text);
    assert.equal(examples[0]?.primaryCategory, 'defect');
    assert.equal(examples[0]?.intent, 'return_request');

    const resolvedJson = await api.list(request({ url: 'http://x/api/review?status=resolved' }), context());
    assert.deepEqual(
      (resolvedJson.jsonBody as { items: { id: string }[] }).items.map((entry) => entry.id),
      ['e'],
    );
    const pending = await api.list(request({ url: 'http://x/api/review' }), context());
    assert.deepEqual(
      (pending.jsonBody as { items: { id: string }[] }).items.map((entry) => entry.id),
      ['ff'],
    );
    for (const query of ['status=open', 'format=csv', 'format=jsonl']) {
      const bad = await api.list(request({ url: `http://x/api/review?${query}` }), context());
      assert.equal(bad.status, 400, query);
    }
  });

  void it('in Azure mode refuses callers without the EasyAuth principal and records who reviewed', async () => {
    const { reviewQueue, api } = setup(true);
    await reviewQueue.enqueue(item('d'));
    const anonymousList = await api.list(request({ url: 'http://x/api/review' }), context());
    assert.equal(anonymousList.status, 401);
    const anonymousSubmit = await api.submit(
      request({
        method: 'POST',
        url: 'http://x',
        params: { id: 'd' },
        body: JSON.stringify({ action: 'confirm' }),
      }),
      context(),
    );
    assert.equal(anonymousSubmit.status, 401);
    assert.equal((await reviewQueue.get('d'))!.status, 'pending');
    const signedIn = await api.submit(
      request({
        method: 'POST',
        url: 'http://x',
        params: { id: 'd' },
        headers: { 'x-ms-client-principal': principal('reviewer@contoso.example') },
        body: JSON.stringify({ action: 'confirm', reviewer: 'someone-else' }),
      }),
      context(),
    );
    assert.equal(signedIn.status, 200);
    assert.equal((await reviewQueue.get('d'))!.resolution?.reviewer, 'reviewer@contoso.example');
  });
});

void describe('incidents API in Azure mode', () => {
  void it('refuses list, get and resolve without the EasyAuth principal', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
    const api = makeIncidentsApi({ ...h.deps, auth: { requirePrincipal: true } });
    assert.equal((await api.list(request({ url: 'http://x/api/incidents' }), context())).status, 401);
    assert.equal((await api.get(request({ url: 'http://x', params: { key: 'k' } }), context())).status, 401);
    assert.equal(
      (await api.resolve(request({ method: 'POST', url: 'http://x', params: { key: 'k' } }), context()))
        .status,
      401,
    );
    const allowed = await api.list(
      request({
        url: 'http://x/api/incidents',
        headers: { 'x-ms-client-principal': principal('ops@contoso.example') },
      }),
      context(),
    );
    assert.equal(allowed.status, 200);
  });
});
