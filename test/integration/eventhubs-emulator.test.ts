// The Event Hubs emulator driven by the real @azure/event-hubs client (and the blob checkpoint
// store on Azurite), on ephemeral ports with temporary data directories.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EventHubConsumerClient,
  EventHubProducerClient,
  earliestEventPosition,
  latestEventPosition,
  type EventPosition,
  type ReceivedEventData,
  type SubscribeOptions,
} from '@azure/event-hubs';
import { BlobCheckpointStore } from '@azure/eventhubs-checkpointstore-blob';
import { ContainerClient } from '@azure/storage-blob';
import { startEventHubsEmulator, type RunningEmulator } from '../../local/eventhubs-emulator/index.js';
import { partitionForKey } from '../../local/eventhubs-emulator/partition-key.js';
import { startAzurite, type AzuriteInstance } from '../../local/services/azurite.js';

const quickRetry = { maxRetries: 0, timeoutInMs: 10_000 };
const patientRetry = { maxRetries: 20, retryDelayInMs: 100, maxRetryDelayInMs: 500, timeoutInMs: 10_000 };

interface Received {
  partitionId: string;
  event: ReceivedEventData;
}

/** Subscribes (one partition or all) and resolves once `count` events arrived. */
async function receive(
  client: EventHubConsumerClient,
  count: number,
  options: SubscribeOptions & { partitionId?: string; onFirstBatch?: () => Promise<void> },
): Promise<Received[]> {
  const got: Received[] = [];
  let first = true;
  let failure: Error | undefined;
  return new Promise<Received[]>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        void sub
          .close()
          .then(() => reject(failure ?? new Error(`received ${got.length} of ${count} events`))),
      30_000,
    );
    const handlers = {
      processEvents: async (events: ReceivedEventData[], ctx: { partitionId: string }) => {
        if (first) {
          first = false;
          await options.onFirstBatch?.();
        }
        for (const event of events) got.push({ partitionId: ctx.partitionId, event });
        if (got.length >= count) {
          clearTimeout(timer);
          await sub.close();
          resolve(got);
        }
      },
      processError: async (error: Error) => {
        failure = error;
        return Promise.resolve();
      },
    };
    const subscribeOptions: SubscribeOptions = { maxBatchSize: 1000, maxWaitTimeInSeconds: 0.3, ...options };
    const sub =
      options.partitionId === undefined
        ? client.subscribe(handlers, subscribeOptions)
        : client.subscribe(options.partitionId, handlers, subscribeOptions);
  });
}

function bodiesOf(received: Received[]): unknown[] {
  return received.map((r) => r.event.body as unknown);
}

/** Every partition's events arrive in sequence order with no gaps or repeats. */
function assertOrderedPerPartition(received: Received[]): void {
  const byPartition = new Map<string, number[]>();
  for (const r of received) {
    const list = byPartition.get(r.partitionId) ?? [];
    list.push(r.event.sequenceNumber);
    byPartition.set(r.partitionId, list);
  }
  for (const [partition, seqs] of byPartition) {
    for (let i = 1; i < seqs.length; i++) {
      assert.equal(seqs[i], (seqs[i - 1] as number) + 1, `partition ${partition} out of order at ${i}`);
    }
  }
}

void describe('Event Hubs emulator with the real SDK', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'eh-emulator-'));
  let emulator: RunningEmulator;
  const clients: { close(): Promise<void> }[] = [];
  const producer = (hub: string): EventHubProducerClient => {
    const client = new EventHubProducerClient(emulator.connectionString(hub), { retryOptions: patientRetry });
    clients.push(client);
    return client;
  };
  const consumer = (hub: string, group = '$Default'): EventHubConsumerClient => {
    const client = new EventHubConsumerClient(group, emulator.connectionString(hub), {
      retryOptions: patientRetry,
    });
    clients.push(client);
    return client;
  };

  before(async () => {
    emulator = await startEventHubsEmulator({
      dataDir,
      hubs: [
        { name: 'orders', partitions: 4, consumerGroups: ['audit'] },
        { name: 'positions', partitions: 1 },
        { name: 'bulk', partitions: 4 },
        { name: 'big', partitions: 2 },
        { name: 'faults', partitions: 2 },
      ],
    });
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await emulator?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  void test('reports hub and partition properties through $management', async () => {
    const client = producer('orders');
    const props = await client.getEventHubProperties();
    assert.equal(props.name, 'orders');
    assert.deepEqual(props.partitionIds, ['0', '1', '2', '3']);
    const partition = await client.getPartitionProperties('3');
    assert.equal(partition.partitionId, '3');
    assert.equal(partition.isEmpty, true);
    assert.equal(partition.lastEnqueuedSequenceNumber, -1);
  });

  void test('createBatch fills up at the advertised 1 MB and the batch arrives whole', async () => {
    const client = producer('big');
    const batch = await client.createBatch();
    assert.equal(batch.maxSizeInBytes, 1024 * 1024);
    const body = Buffer.alloc(1024, 7);
    let added = 0;
    while (batch.tryAdd({ body })) added++;
    assert.ok(added > 900 && added < 1024, `added ${added} 1 KB events`);
    assert.equal(batch.count, added);
    await client.sendBatch(batch);
    let stored = 0;
    for (const id of ['0', '1'])
      stored += (await client.getPartitionProperties(id)).lastEnqueuedSequenceNumber + 1;
    assert.equal(stored, added);
  });

  void test('sends by hub, by partition id and by partition key; bodies and properties round-trip', async () => {
    const client = producer('orders');
    await client.sendBatch([{ body: { kind: 'json', n: 1 }, properties: { source: 'test', n: 42 } }], {
      partitionId: '2',
    });
    await client.sendBatch([{ body: 'plain text' }], { partitionId: '2' });
    await client.sendBatch([{ body: Buffer.from([0, 1, 2, 254]) }], { partitionId: '2' });
    const keyed = await client.createBatch({ partitionKey: 'sku-123' });
    for (let i = 0; i < 3; i++) keyed.tryAdd({ body: { keyed: i } });
    await client.sendBatch(keyed);
    await client.sendBatch([{ body: { keyed: 3 } }], { partitionKey: 'sku-123' });
    for (let i = 0; i < 8; i++) await client.sendBatch([{ body: { spread: i } }]);

    const received = await receive(consumer('orders'), 3 + 4 + 8, { startPosition: earliestEventPosition });
    const onTwo = received.filter((r) => r.partitionId === '2' && r.event.partitionKey === undefined);
    assert.deepEqual(bodiesOf(onTwo).slice(0, 3), [
      { kind: 'json', n: 1 },
      'plain text',
      Buffer.from([0, 1, 2, 254]),
    ]);
    assert.deepEqual(onTwo[0]?.event.properties, { source: 'test', n: 42 });

    const keyedEvents = received.filter((r) => r.event.partitionKey === 'sku-123');
    assert.equal(keyedEvents.length, 4);
    const expectedPartition = String(partitionForKey('sku-123', 4));
    assert.ok(keyedEvents.every((r) => r.partitionId === expectedPartition));

    const spread = new Set(
      received.filter((r) => 'spread' in Object(r.event.body)).map((r) => r.partitionId),
    );
    assert.equal(spread.size, 4, 'hub-level sends are spread across all partitions');
    for (const r of received) {
      assert.equal(typeof r.event.offset, 'string');
      assert.ok(r.event.enqueuedTimeUtc instanceof Date);
    }
  });

  void test('10,000 events over 4 partitions are received exactly once and in order', async () => {
    const client = producer('bulk');
    const total = 10_000;
    await Promise.all(
      ['0', '1', '2', '3'].map(async (partitionId, p) => {
        let batch = await client.createBatch({ partitionId });
        for (let i = p; i < total; i += 4) {
          const event = { body: { i } };
          if (!batch.tryAdd(event)) {
            await client.sendBatch(batch);
            batch = await client.createBatch({ partitionId });
            assert.ok(batch.tryAdd(event));
          }
        }
        await client.sendBatch(batch);
      }),
    );
    const received = await receive(consumer('bulk'), total, { startPosition: earliestEventPosition });
    assert.equal(received.length, total);
    const seen = new Set(received.map((r) => (r.event.body as { i: number }).i));
    assert.equal(seen.size, total);
    assertOrderedPerPartition(received);
    for (const r of received) assert.equal((r.event.body as { i: number }).i % 4, Number(r.partitionId));
  });

  void describe('start positions', () => {
    const events: ReceivedEventData[] = [];
    let midpoint: Date;

    before(async () => {
      const client = producer('positions');
      for (let i = 0; i < 5; i++) await client.sendBatch([{ body: i }]);
      midpoint = (await client.getPartitionProperties('0')).lastEnqueuedOnUtc;
      await new Promise((resolve) => setTimeout(resolve, 20));
      for (let i = 5; i < 10; i++) await client.sendBatch([{ body: i }]);
      const all = await receive(consumer('positions'), 10, {
        partitionId: '0',
        startPosition: earliestEventPosition,
      });
      events.push(...all.map((r) => r.event));
    });

    void test('earliest', () => {
      assert.deepEqual(
        events.map((e) => e.body as unknown),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
      assert.deepEqual(
        events.map((e) => e.sequenceNumber),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
    });

    const from = async (startPosition: EventPosition, count: number): Promise<unknown[]> =>
      bodiesOf(await receive(consumer('positions'), count, { partitionId: '0', startPosition }));

    void test('sequence number, exclusive and inclusive', async () => {
      assert.deepEqual(await from({ sequenceNumber: 6 }, 3), [7, 8, 9]);
      assert.deepEqual(await from({ sequenceNumber: 6, isInclusive: true }, 4), [6, 7, 8, 9]);
    });

    void test('offset, exclusive and inclusive', async () => {
      const offset = (events[7] as ReceivedEventData).offset;
      assert.deepEqual(await from({ offset }, 2), [8, 9]);
      assert.deepEqual(await from({ offset, isInclusive: true }, 3), [7, 8, 9]);
    });

    void test('enqueued time', async () => {
      assert.deepEqual(await from({ enqueuedOn: midpoint }, 5), [5, 6, 7, 8, 9]);
    });

    void test('latest only sees events sent after the receiver opened', async () => {
      const client = producer('positions');
      const received = await receive(consumer('positions'), 2, {
        partitionId: '0',
        startPosition: latestEventPosition,
        onFirstBatch: async () => {
          await client.sendBatch([{ body: 'late-1' }, { body: 'late-2' }]);
        },
      });
      assert.deepEqual(bodiesOf(received), ['late-1', 'late-2']);
      assert.equal(received[0]?.event.sequenceNumber, 10);
    });
  });

  void test('a receiver with a higher owner level takes the partition', async () => {
    const client = producer('orders');
    await client.sendBatch([{ body: 'epoch' }], { partitionId: '0' });
    const first = consumer('orders', 'audit');
    const errors: (Error & { code?: string })[] = [];
    let receiving!: () => void;
    const firstIsReceiving = new Promise<void>((resolve) => (receiving = resolve));
    let stolen!: () => void;
    const firstWasStolen = new Promise<void>((resolve) => (stolen = resolve));
    const sub = first.subscribe(
      '0',
      {
        processEvents: async (events) => {
          if (events.length > 0) receiving();
          return Promise.resolve();
        },
        processError: async (error) => {
          errors.push(error);
          stolen();
          return Promise.resolve();
        },
      },
      { ownerLevel: 1, startPosition: earliestEventPosition, maxWaitTimeInSeconds: 0.3 },
    );
    await firstIsReceiving;
    const received = await receive(consumer('orders', 'audit'), 1, {
      partitionId: '0',
      ownerLevel: 2,
      startPosition: earliestEventPosition,
    });
    assert.equal(received.length >= 1, true);
    await firstWasStolen;
    await sub.close();
    assert.equal(errors[0]?.code, 'ReceiverDisconnectedError');

    // A lower owner level cannot take the partition back while the higher one holds it.
    const holder = consumer('orders', 'audit');
    const holding = holder.subscribe(
      '0',
      { processEvents: async () => Promise.resolve(), processError: async () => Promise.resolve() },
      { ownerLevel: 5, startPosition: earliestEventPosition, maxWaitTimeInSeconds: 0.3 },
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const lower = new EventHubConsumerClient('audit', emulator.connectionString('orders'), {
      retryOptions: quickRetry,
    });
    clients.push(lower);
    const rejected = await new Promise<Error & { code?: string }>((resolve) => {
      const s = lower.subscribe(
        '0',
        {
          processEvents: async () => Promise.resolve(),
          processError: async (e) => {
            void s.close();
            resolve(e);
            return Promise.resolve();
          },
        },
        { ownerLevel: 4, startPosition: earliestEventPosition },
      );
    });
    assert.equal(rejected.code, 'ReceiverDisconnectedError');
    await holding.close();
  });

  void test('unknown hub, unknown consumer group and oversized events fail with the SDK errors', async () => {
    const missing = new EventHubProducerClient(emulator.connectionString('no-such-hub'), {
      retryOptions: quickRetry,
    });
    clients.push(missing);
    await assert.rejects(missing.getEventHubProperties(), { code: 'MessagingEntityNotFoundError' });
    await assert.rejects(missing.sendBatch([{ body: 'x' }]), { code: 'MessagingEntityNotFoundError' });

    const client = new EventHubProducerClient(emulator.connectionString('big'), { retryOptions: quickRetry });
    clients.push(client);
    await assert.rejects(client.getPartitionProperties('9'), { code: 'ArgumentOutOfRangeError' });
    await assert.rejects(client.sendBatch([{ body: Buffer.alloc(1024 * 1024 + 1) }], { partitionId: '0' }), {
      code: 'MessageTooLargeError',
    });

    const wrongGroup = new EventHubConsumerClient('nobody', emulator.connectionString('big'), {
      retryOptions: quickRetry,
    });
    clients.push(wrongGroup);
    const error = await new Promise<Error>((resolve) => {
      const sub = wrongGroup.subscribe(
        '0',
        {
          processEvents: async () => Promise.resolve(),
          processError: async (e) => {
            void sub.close();
            resolve(e);
            return Promise.resolve();
          },
        },
        { startPosition: earliestEventPosition },
      );
    });
    assert.equal((error as Error & { code?: string }).code, 'MessagingEntityNotFoundError');
  });

  void test('server-busy and withheld credit are retried by the SDK', async () => {
    const client = producer('faults');
    const impatient = new EventHubProducerClient(emulator.connectionString('faults'), {
      retryOptions: quickRetry,
    });
    clients.push(impatient);
    await client.sendBatch([{ body: 'warm-up' }], { partitionId: '0' });
    await impatient.getPartitionIds();
    emulator.faults.serverBusy(600);
    await assert.rejects(impatient.sendBatch([{ body: 'busy' }], { partitionId: '0' }), {
      code: 'ServerBusyError',
    });
    // The patient client retries through the busy period.
    await client.sendBatch([{ body: 'after-busy' }], { partitionId: '0' });

    // Without credit the SDK holds the send; nothing reaches the log until credit is granted.
    emulator.faults.withholdCredit(1500);
    const starved = new EventHubProducerClient(emulator.connectionString('faults'), {
      retryOptions: patientRetry,
    });
    clients.push(starved);
    const pending = starved.sendBatch([{ body: 'credit back' }], { partitionId: '1' });
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.equal((await client.getPartitionProperties('1')).isEmpty, true);
    await pending;
    assert.equal((await client.getPartitionProperties('1')).lastEnqueuedSequenceNumber, 0);

    const received = await receive(consumer('faults'), 3, { startPosition: earliestEventPosition });
    assert.deepEqual(new Set(bodiesOf(received)), new Set(['warm-up', 'after-busy', 'credit back']));
  });

  void test('a forced disconnect mid-stream loses nothing: the SDK reconnects and resumes', async () => {
    const client = producer('bulk');
    const before = await Promise.all(['0', '1', '2', '3'].map((id) => client.getPartitionProperties(id)));
    const startPosition = Object.fromEntries(
      before.map((p) => [p.partitionId, { sequenceNumber: p.lastEnqueuedSequenceNumber }]),
    );
    const total = 2000;
    const send = async (from: number, to: number): Promise<void> => {
      for (let i = from; i < to; i += 100) {
        await client.sendBatch(Array.from({ length: 100 }, (_v, k) => ({ body: { d: i + k } })));
      }
    };
    await send(0, total / 2);
    let dropped = false;
    const received: Received[] = [];
    const collected = receive(consumer('bulk'), total, {
      startPosition,
      maxBatchSize: 50,
      onFirstBatch: async () => {
        emulator.faults.dropAllConnections();
        dropped = true;
        // Let the producer see the drop first: a send in flight on a dying link waits out its timeout.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await send(total / 2, total);
      },
    });
    received.push(...(await collected));
    assert.equal(dropped, true);
    const ids = received.map((r) => (r.event.body as { d: number }).d);
    assert.equal(new Set(ids).size, total, 'every event exactly once');
    assertOrderedPerPartition(received);
  });

  void test('EventHubConsumerClient with BlobCheckpointStore on Azurite resumes from its checkpoints', async () => {
    const azuriteDir = mkdtempSync(join(tmpdir(), 'eh-azurite-'));
    let azurite: AzuriteInstance | undefined;
    try {
      azurite = await startAzurite({ dataDir: azuriteDir });
      const container = new ContainerClient(azurite.connectionString, 'checkpoints');
      await container.create();
      const store = new BlobCheckpointStore(container);
      const client = producer('orders');
      const total = 200;
      const base = Date.now();
      for (let i = 0; i < total; i += 20) {
        await client.sendBatch(Array.from({ length: 20 }, (_v, k) => ({ body: { c: base + i + k } })));
      }
      const ours = (r: ReceivedEventData): boolean =>
        typeof (r.body as { c?: unknown }).c === 'number' && (r.body as { c: number }).c >= base;

      let namespace = '';
      const run = async (stopAfter: number): Promise<number[]> => {
        const seen: number[] = [];
        const processor = new EventHubConsumerClient('audit', emulator.connectionString('orders'), store, {
          retryOptions: patientRetry,
          loadBalancingOptions: { strategy: 'greedy', updateIntervalInMs: 200 },
        });
        namespace = processor.fullyQualifiedNamespace;
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`processed ${seen.length} events`)), 30_000);
          const sub = processor.subscribe(
            {
              processEvents: async (events, ctx) => {
                if (events.length === 0) return;
                for (const e of events) if (ours(e)) seen.push((e.body as { c: number }).c);
                await ctx.updateCheckpoint(events[events.length - 1] as ReceivedEventData);
                if (seen.length >= stopAfter) {
                  clearTimeout(timer);
                  await sub.close();
                  resolve();
                }
              },
              processError: async () => Promise.resolve(),
            },
            { startPosition: earliestEventPosition, maxBatchSize: 10, maxWaitTimeInSeconds: 0.3 },
          );
        });
        await processor.close();
        return seen;
      };

      const firstRun = await run(total / 2);
      const checkpoints = await store.listCheckpoints(namespace, 'orders', 'audit');
      assert.ok(checkpoints.length > 0, 'checkpoints were written to Azurite');
      const remaining = total - new Set(firstRun).size;
      const secondRun = await run(remaining);
      const all = new Set([...firstRun, ...secondRun]);
      assert.equal(all.size, total, 'nothing lost across the restart');
      assert.ok(secondRun.length < total, 'the second run resumed instead of starting over');
      const overlap = secondRun.filter((c) => firstRun.includes(c));
      assert.deepEqual(overlap, [], 'checkpointed events are not processed again');
    } finally {
      await azurite?.stop();
      rmSync(azuriteDir, { recursive: true, force: true });
    }
  });
});

void describe('Event Hubs emulator durability', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'eh-restart-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  void test('a restart keeps every acknowledged event; sequence numbers and offsets continue', async () => {
    const hubs = [{ name: 'durable', partitions: 2 }];
    let emulator = await startEventHubsEmulator({ dataDir, hubs });
    let client = new EventHubProducerClient(emulator.connectionString('durable'), {
      retryOptions: patientRetry,
    });
    try {
      for (let i = 0; i < 300; i += 30) {
        await client.sendBatch(
          Array.from({ length: 30 }, (_v, k) => ({ body: { r: i + k } })),
          {
            partitionId: String((i / 30) % 2),
          },
        );
      }
      const beforeRestart = await client.getPartitionProperties('0');
      await client.close();
      await emulator.stop();

      emulator = await startEventHubsEmulator({ dataDir, hubs });
      client = new EventHubProducerClient(emulator.connectionString('durable'), {
        retryOptions: patientRetry,
      });
      const afterRestart = await client.getPartitionProperties('0');
      assert.equal(afterRestart.lastEnqueuedSequenceNumber, beforeRestart.lastEnqueuedSequenceNumber);
      assert.equal(afterRestart.lastEnqueuedOffset, beforeRestart.lastEnqueuedOffset);
      await client.sendBatch([{ body: { r: 300 } }], { partitionId: '0' });
      const consumerClient = new EventHubConsumerClient('$Default', emulator.connectionString('durable'));
      try {
        const received = await receive(consumerClient, 301, { startPosition: earliestEventPosition });
        assert.equal(new Set(received.map((r) => (r.event.body as { r: number }).r)).size, 301);
        assertOrderedPerPartition(received);
        const last = received.find((r) => (r.event.body as { r: number }).r === 300);
        assert.equal(last?.event.sequenceNumber, beforeRestart.lastEnqueuedSequenceNumber + 1);
        assert.ok(Number(last?.event.offset) > Number(beforeRestart.lastEnqueuedOffset));
      } finally {
        await consumerClient.close();
      }
    } finally {
      await client.close();
      await emulator.stop();
    }
  });
});
