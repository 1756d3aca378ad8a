import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { startAzurite, type AzuriteInstance } from '../../local/services/azurite.js';
import { BlobLanding, BlobRawStore } from '../../shared/adapters/blob-raw-store.js';
import { makeIngestWebhook, StorageUnavailableError } from '../../shared/stages/ingest.js';
import { makeIngestExportFile } from '../../shared/stages/ingest-export.js';
import type { RawEnvelope } from '../../shared/domain/record.js';
import { RecordingLogger, TEST_SECRETS, signedRequest, testContext } from '../support/webhook-signing.js';

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

void describe('ingest blob adapters against Azurite', () => {
  let dataDir: string;
  let azurite: AzuriteInstance;
  let raw: ContainerClient;
  let landing: ContainerClient;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ingest-blob-test-'));
    azurite = await startAzurite({ dataDir });
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    raw = service.getContainerClient('raw');
    landing = service.getContainerClient('landing');
    await raw.createIfNotExists();
    await landing.createIfNotExists();
  });

  after(async () => {
    await azurite?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  void it('writes a blob only if absent, with metadata; a second write is "exists" and changes nothing', async () => {
    const store = new BlobRawStore(raw);
    const path = 'generic/2026/11/27/a%2Fb@20261127T120000000Z.json';
    assert.equal(
      await store.putIfAbsent(path, Buffer.from('{"first":true}'), { feedbackid: 'f1', source: 'generic' }),
      'created',
    );
    assert.equal(
      await store.putIfAbsent(path, Buffer.from('{"second":true}'), { feedbackid: 'f2', source: 'generic' }),
      'exists',
    );
    const blob = raw.getBlobClient(path);
    assert.equal(await streamText((await blob.download()).readableStreamBody!), '{"first":true}');
    const properties = await blob.getProperties();
    assert.deepEqual(properties.metadata, { feedbackid: 'f1', source: 'generic' });
    assert.equal(properties.contentType, 'application/json');
  });

  void it('concurrent writers of one path: exactly one creates it', async () => {
    const store = new BlobRawStore(raw);
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        store.putIfAbsent('race/one.json', Buffer.from(`{"n":${index}}`), {}),
      ),
    );
    assert.equal(outcomes.filter((outcome) => outcome === 'created').length, 1);
    assert.equal(outcomes.filter((outcome) => outcome === 'exists').length, 7);
  });

  void it('the webhook handler lands envelopes in the raw container and answers a redelivery with success', async () => {
    const handler = makeIngestWebhook({
      rawStore: new BlobRawStore(raw),
      secrets: structuredClone(TEST_SECRETS),
      maxBodyBytes: 1024 * 1024,
      replayWindowSeconds: 300,
      clock: () => new Date(),
      logger: new RecordingLogger(),
    });
    const item = { id: 'azurite-1', text: 'Handle snapped', createdAt: '2026-11-27T10:00:00Z' };
    const first = await handler(signedRequest('generic', item), testContext());
    const second = await handler(signedRequest('generic', item), testContext());
    assert.equal(first.status, 202);
    assert.equal(second.status, 202);
    assert.equal((second.jsonBody as { duplicates: number }).duplicates, 1);
    const path = 'generic/2026/11/27/azurite-1@20261127T100000000Z.json';
    const envelope = JSON.parse(
      await streamText((await raw.getBlobClient(path).download()).readableStreamBody!),
    ) as RawEnvelope;
    assert.equal(envelope.sourceId, 'azurite-1');
    assert.deepEqual(JSON.parse(Buffer.from(envelope.body, 'base64').toString('utf8')), item);
    assert.equal((await raw.getBlobClient(path).getProperties()).metadata?.sourceid, 'azurite-1');
  });

  void it('BlobLanding streams an export file and writes its report beside it', async () => {
    const csv = 'id,text,createdAt\nl-1,Too small,2026-11-27T09:00:00Z\nl-2,,2026-11-27T09:00:00Z\n';
    await landing.getBlockBlobClient('shop-a/returns.csv').upload(csv, Buffer.byteLength(csv));
    const run = makeIngestExportFile({
      rawStore: new BlobRawStore(raw),
      landing: new BlobLanding(landing),
      clock: () => new Date(),
      logger: new RecordingLogger(),
    });
    const report = await run('landing/shop-a/returns.csv');
    assert.equal(report.rowsAccepted, 1);
    assert.equal(report.rowsRejected, 1);
    const stored = JSON.parse(
      await streamText(
        (await landing.getBlobClient('shop-a/returns.csv.report.json').download()).readableStreamBody!,
      ),
    ) as { rowsAccepted: number; tenant: string };
    assert.deepEqual([stored.rowsAccepted, stored.tenant], [1, 'shop-a']);
    assert.ok(await raw.getBlobClient('generic/2026/11/27/l-1@20261127T090000000Z.json').exists());
    // A retry of the file overwrites its report and lands nothing new.
    const again = await run('landing/shop-a/returns.csv');
    assert.equal(again.rowsDuplicate, 1);
  });

  void it('an unreachable account is StorageUnavailableError (the handler answers 503)', async () => {
    // A port nothing listens on; one try, short deadline.
    const unreachable = new BlobServiceClient('http://127.0.0.1:9/devstoreaccount1', undefined, {
      retryOptions: { maxTries: 1 },
    }).getContainerClient('raw');
    const store = new BlobRawStore(unreachable, { timeoutMs: 2000 });
    await assert.rejects(store.putIfAbsent('x.json', Buffer.from('{}'), {}), StorageUnavailableError);
    const handler = makeIngestWebhook({
      rawStore: store,
      secrets: structuredClone(TEST_SECRETS),
      maxBodyBytes: 1024,
      replayWindowSeconds: 300,
      clock: () => new Date(),
      logger: new RecordingLogger(),
    });
    const response = await handler(
      signedRequest('generic', { id: 'z', text: 'z', createdAt: '2026-11-27T10:00:00Z' }),
      testContext(),
    );
    assert.equal(response.status, 503);
    assert.ok((response.headers as Record<string, string>)['Retry-After']);
    // A missing container is a configuration error, not an outage: it is not swallowed as 503.
    const missing = new BlobRawStore(
      BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('nope'),
    );
    await assert.rejects(
      missing.putIfAbsent('x.json', Buffer.from('{}'), {}),
      (error: Error) => !(error instanceof StorageUnavailableError),
    );
    await assert.rejects(
      new BlobLanding(unreachable, { timeoutMs: 2000 }).openRead('x.csv'),
      StorageUnavailableError,
    );
  });

  void it('export files stream from blob storage in full', async () => {
    const rows = ['id,text,createdAt'];
    for (let index = 0; index < 300; index += 1) rows.push(`bulk-${index},Row ${index},2026-11-26T00:00:00Z`);
    const text = rows.join('\n');
    await landing.getBlockBlobClient('bulk.csv').uploadStream(Readable.from([text]));
    const report = await makeIngestExportFile({
      rawStore: new BlobRawStore(raw),
      landing: new BlobLanding(landing),
      clock: () => new Date(),
      logger: new RecordingLogger(),
    })('bulk.csv');
    assert.equal(report.rowsAccepted, 300);
    assert.equal(report.tenant, '');
  });
});
