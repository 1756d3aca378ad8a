/**
 * The dev host's semantics, checked from outside against a fixture function app: HTTP routes
 * and keys, blob receipts and poison, Event Hubs batches with retries, checkpoint-after-failure
 * and quarantine, trigger metadata as the host shapes it, timers, and restart behaviour.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventHubProducerClient } from '@azure/event-hubs';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { startAzurite, type AzuriteInstance } from '../../local/services/azurite.js';
import { startDevHostProcess, type DevHostInstance } from '../../local/services/devhost.js';
import { startEventHubsEmulator, type RunningEmulator } from '../../local/eventhubs-emulator/index.js';

const HUB = 'probe-hub';

async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 30000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function readJson(container: ContainerClient, name: string): Promise<unknown> {
  const blob = container.getBlobClient(name);
  if (!(await blob.exists())) return undefined;
  return JSON.parse((await blob.downloadToBuffer()).toString('utf8')) as unknown;
}

async function listNames(container: ContainerClient, prefix: string): Promise<string[]> {
  const names: string[] = [];
  if (!(await container.exists())) return names;
  for await (const blob of container.listBlobsFlat({ prefix })) names.push(blob.name);
  return names;
}

describe('dev host', { timeout: 180000 }, () => {
  let dataDir: string;
  let azurite: AzuriteInstance;
  let emulator: RunningEmulator;
  let host: DevHostInstance;
  let records: ContainerClient;
  let blobService: BlobServiceClient;
  let env: Record<string, string>;

  const startHost = async (): Promise<DevHostInstance> =>
    startDevHostProcess({
      appDir: 'test/fixtures/devhost-app',
      dataDir: join(dataDir, 'host'),
      port: 0,
      env,
    });

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'devhost-test-'));
    azurite = await startAzurite({ dataDir: join(dataDir, 'azurite') });
    emulator = await startEventHubsEmulator({
      dataDir: join(dataDir, 'eventhubs'),
      hubs: [{ name: HUB, partitions: 2, consumerGroups: ['probe'] }],
    });
    env = {
      AzureWebJobsStorage: azurite.connectionString,
      FIXTURE_STORAGE: azurite.connectionString,
      FIXTURE_EVENTHUB: emulator.connectionString(),
      FIXTURE_HUB: HUB,
      FIXTURE_SCHEDULE: '*/2 * * * * *',
      // The host's own setting for the request body limit (default 100 MB), small for the test.
      FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '4096',
    };
    blobService = BlobServiceClient.fromConnectionString(azurite.connectionString);
    records = blobService.getContainerClient('fixture-records');
    host = await startHost();
  });

  after(async () => {
    await host?.stop();
    await emulator?.stop();
    await azurite?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves HTTP triggers under /api with route parameters, query and status', async () => {
    const response = await fetch(`${host.baseUrl}/api/echo/alpha/beta?q=1`, {
      method: 'POST',
      body: 'hello',
    });
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('x-probe'), 'yes');
    assert.deepEqual(await response.json(), { name: 'alpha', rest: 'beta', q: '1', body: 'hello' });
    const optional = await fetch(`${host.baseUrl}/api/echo/alpha`, { method: 'POST', body: '' });
    assert.equal(((await optional.json()) as { rest: unknown }).rest, null);
    assert.equal((await fetch(`${host.baseUrl}/api/echo/alpha`)).status, 405);
    assert.equal((await fetch(`${host.baseUrl}/api/nothing-here`)).status, 404);
  });

  it('refuses request bodies over FUNCTIONS_REQUEST_BODY_SIZE_LIMIT with 413, declared or streamed', async () => {
    const echo = `${host.baseUrl}/api/echo/big`;
    assert.equal((await fetch(echo, { method: 'POST', body: 'x'.repeat(4096) })).status, 201);
    const declared = await fetch(echo, { method: 'POST', body: 'x'.repeat(4097) });
    assert.equal(declared.status, 413);
    const chunk = new TextEncoder().encode('y'.repeat(1000));
    const streamed = await fetch(echo, {
      method: 'POST',
      body: new ReadableStream({
        start(controller) {
          for (let index = 0; index < 5; index++) controller.enqueue(chunk);
          controller.close();
        },
      }),
      duplex: 'half',
    });
    assert.equal(streamed.status, 413);
    assert.equal((await fetch(echo, { method: 'POST', body: 'small' })).status, 201, 'still serving');
  });

  it('enforces function keys on authLevel function routes', async () => {
    assert.equal((await fetch(`${host.baseUrl}/api/keyed`)).status, 401);
    assert.equal(
      (await fetch(`${host.baseUrl}/api/keyed`, { headers: { 'x-functions-key': 'wrong' } })).status,
      401,
    );
    const withHeader = await fetch(`${host.baseUrl}/api/keyed`, {
      headers: { 'x-functions-key': host.functionKey },
    });
    assert.equal(withHeader.status, 200);
    assert.equal(await withHeader.text(), 'secret ok');
    assert.equal(
      (await fetch(`${host.baseUrl}/api/keyed?code=${encodeURIComponent(host.functionKey)}`)).status,
      200,
    );
  });

  it('answers 500 for a function that throws and stays up', async () => {
    assert.equal((await fetch(`${host.baseUrl}/api/crash`)).status, 500);
    assert.equal((await fetch(`${host.baseUrl}/api/echo/x`, { method: 'POST' })).status, 201);
  });

  it('runs blob triggers once per blob with trigger metadata, and poisons a blob after 5 failures', async () => {
    const input = blobService.getContainerClient('fixture-in');
    await input.createIfNotExists();
    await input.getBlockBlobClient('ok-1.json').upload('{"a":1}', 7);
    await input.getBlockBlobClient('fail-1.json').upload('{"b":2}', 7);
    const recorded = (await eventually(() => readJson(records, 'blob/ok-1.json'), 'blob record')) as {
      content: string;
      triggerMetadata: Record<string, unknown>;
    };
    assert.equal(recorded.content, '{"a":1}');
    assert.equal(recorded.triggerMetadata.blobTrigger, 'fixture-in/ok-1.json');
    assert.equal(recorded.triggerMetadata.name, 'ok-1.json');
    assert.match(String(recorded.triggerMetadata.uri), /fixture-in\/ok-1\.json$/);
    const poison = blobService.getContainerClient('webjobs-blobtrigger-poison');
    const poisoned = (await eventually(
      () => readJson(poison, 'blobProbe/fixture-in/fail-1.json.json'),
      'poison record',
    )) as { attempts: number; error: string; blobPath: string };
    assert.equal(poisoned.attempts, 5);
    assert.equal(poisoned.blobPath, 'fixture-in/fail-1.json');
    assert.match(poisoned.error, /cannot read fail-1\.json/);
  });

  it('delivers Event Hubs batches with the host metadata, retries a failing batch, quarantines it on the last attempt and checkpoints past it', async () => {
    const producer = new EventHubProducerClient(emulator.connectionString(), HUB);
    try {
      await producer.sendBatch([{ body: { n: 1 }, properties: { Source: 'probe' } }], { partitionId: '0' });
      const first = (await eventually(() => readJson(records, 'event/1'), 'event 1')) as {
        partitionContext: { eventHubName: string; consumerGroup: string; partitionId: string };
        sequenceNumber: number;
        properties: Record<string, unknown>;
      };
      assert.equal(first.partitionContext.eventHubName, HUB);
      assert.equal(first.partitionContext.consumerGroup, 'probe');
      assert.equal(first.partitionContext.partitionId, '0');
      assert.equal(first.sequenceNumber, 0);
      // The host camel-cases trigger metadata keys recursively, user property names too.
      assert.deepEqual(first.properties, { source: 'probe' });

      await producer.sendBatch([{ body: { n: 2, fail: true } }], { partitionId: '0' });
      const quarantined = await eventually(async () => {
        const names = await listNames(records, 'quarantine/');
        return names.length > 0 ? names : undefined;
      }, 'quarantine record');
      const entry = (await readJson(records, quarantined[0]!)) as {
        error: string;
        payload: unknown[];
        reason: string;
      };
      assert.match(entry.error, /failing event/);
      assert.deepEqual(entry.payload, [{ n: 2, fail: true }]);
      const attempts = await Promise.all(
        (await listNames(records, 'attempt/')).map(
          (name) =>
            readJson(records, name) as Promise<{
              ns: number[];
              retryContext: { retryCount: number; maxRetryCount: number };
            }>,
        ),
      );
      const failing = attempts.filter((attempt) => attempt.ns.includes(2));
      assert.deepEqual(
        failing.map((attempt) => attempt.retryContext.retryCount).sort(),
        [0, 1, 2],
        'the batch ran once and was retried twice, as the retry policy says',
      );

      await producer.sendBatch([{ body: { n: 3 } }], { partitionId: '0' });
      await eventually(() => readJson(records, 'event/3'), 'event 3 after the failed batch');
    } finally {
      await producer.close();
    }
  });

  it('fires timer triggers with the timer object', async () => {
    const names = await eventually(async () => {
      const found = await listNames(records, 'tick/');
      return found.length > 0 ? found : undefined;
    }, 'a timer tick');
    const tick = (await readJson(records, names[0]!)) as {
      timer: { isPastDue: boolean; scheduleStatus: { next: string } };
    };
    assert.equal(typeof tick.timer.isPastDue, 'boolean');
    assert.ok(Date.parse(tick.timer.scheduleStatus.next) > 0);
  });

  it('after a restart, neither processed blobs nor checkpointed events run again', async () => {
    const before = {
      blobs: await listNames(records, 'blob/'),
      attempts: (await listNames(records, 'attempt/')).length,
    };
    await host.stop();
    host = await startHost();
    await new Promise((resolve) => setTimeout(resolve, 4000));
    assert.deepEqual(await listNames(records, 'blob/'), before.blobs);
    assert.equal((await listNames(records, 'attempt/')).length, before.attempts);
  });
});
