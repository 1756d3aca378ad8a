import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { makeIngestWebhook, RETRY_AFTER_SECONDS, type RawStore } from '../../shared/stages/ingest.js';
import { DEV_GENERIC_SECRET, postFeedbackFile, resolveSigningSecret } from '../../scripts/ingest.js';
import { MemoryRawStore, RecordingLogger, serveWebhookHandler } from '../support/webhook-signing.js';

const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/ingest/${name}`, import.meta.url));
const SECRET = 'cli-test-secret';

void describe('ingest CLI: postFeedbackFile', () => {
  const store = new MemoryRawStore();
  let failuresLeft = 0;
  const flakyStore: RawStore = {
    putIfAbsent: (path, bytes, metadata) => {
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        store.unavailable = true;
        const result = store.putIfAbsent(path, bytes, metadata);
        store.unavailable = false;
        return result;
      }
      return store.putIfAbsent(path, bytes, metadata);
    },
  };
  let server: Awaited<ReturnType<typeof serveWebhookHandler>>;
  let url: string;

  before(async () => {
    server = await serveWebhookHandler(
      makeIngestWebhook({
        rawStore: flakyStore,
        secrets: { shopify: [], judgeme: [], zendesk: [], generic: [SECRET] },
        maxBodyBytes: 1024 * 1024,
        replayWindowSeconds: 300,
        clock: () => new Date(),
        logger: new RecordingLogger(),
      }),
    );
    url = `${server.baseUrl}/api/webhooks/generic`;
  });
  after(() => server.close());

  void it('posts the good rows of a CSV in signed batches and counts the bad ones', async () => {
    const progress: number[] = [];
    const result = await postFeedbackFile(
      { file: fixturePath('export-mixed.csv'), url, secret: SECRET, batchSize: 2, tenant: 'acme' },
      (p) => progress.push(p.accepted),
    );
    assert.equal(result.ok, true, result.error);
    assert.deepEqual(
      {
        rowsRead: result.rowsRead,
        accepted: result.accepted,
        duplicates: result.duplicates,
        rejected: result.rejected,
      },
      { rowsRead: 7, accepted: 4, duplicates: 0, rejected: 3 },
    );
    assert.deepEqual(
      result.rejections.map((r) => r.row),
      [3, 4, 5],
    );
    assert.equal(result.bytesRead, result.totalBytes);
    assert.ok(progress.length >= 2);
    const tenants = new Set(store.envelopes().map((envelope) => envelope.tenant));
    assert.deepEqual([...tenants], ['acme']);
    assert.equal(store.blobs.size, 4);

    const again = await postFeedbackFile({
      file: fixturePath('export-mixed.csv'),
      url,
      secret: SECRET,
      tenant: 'acme',
    });
    assert.deepEqual([again.accepted, again.duplicates], [0, 4]);
    assert.equal(store.blobs.size, 4);
  });

  void it('waits out 503 Retry-After and then lands everything', async () => {
    // Both items of the one batch are written per attempt: two failing attempts, then success.
    failuresLeft = 4;
    const waits: number[] = [];
    const result = await postFeedbackFile({
      file: fixturePath('export-mixed.jsonl'),
      url,
      secret: SECRET,
      concurrency: 1,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    assert.equal(result.ok, true, result.error);
    assert.equal(result.accepted, 2);
    assert.equal(failuresLeft, 0);
    assert.deepEqual(waits, [RETRY_AFTER_SECONDS * 1000, RETRY_AFTER_SECONDS * 1000]);
  });

  void it('stops with a failure on a wrong secret', async () => {
    const result = await postFeedbackFile({ file: fixturePath('export-mixed.jsonl'), url, secret: 'wrong' });
    assert.equal(result.ok, false);
    assert.match(result.error ?? '', /401: signature mismatch/);
    assert.equal(result.accepted, 0);
  });

  void it('uses the dev secret only for a loopback endpoint', () => {
    assert.equal(resolveSigningSecret('http://127.0.0.1:7071/x', undefined, {}), DEV_GENERIC_SECRET);
    assert.equal(resolveSigningSecret('http://localhost:7071/x', undefined, {}), DEV_GENERIC_SECRET);
    assert.equal(resolveSigningSecret('https://x.azurewebsites.net/x', 's', {}), 's');
    assert.equal(
      resolveSigningSecret('https://x.azurewebsites.net/x', undefined, {
        GENERIC_WEBHOOK_SECRETS: 'new, old',
      }),
      'new',
    );
    assert.throws(
      () => resolveSigningSecret('https://x.azurewebsites.net/x', undefined, {}),
      /no signing secret/,
    );
  });
});
