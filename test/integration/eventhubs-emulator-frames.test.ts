// The emulator's delivery frames seen by a plain AMQP client: a peer with a small maximum frame
// size gets every event split over several transfers, and delivery ids stay in sequence.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventHubProducerClient } from '@azure/event-hubs';
import rhea, { type Connection, type Message } from 'rhea';
import { startEventHubsEmulator, type RunningEmulator } from '../../local/eventhubs-emulator/index.js';

const HUB = 'frames';
let dataDir: string;
let emulator: RunningEmulator;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'eh-frames-'));
  emulator = await startEventHubsEmulator({ dataDir, hubs: [{ name: HUB, partitions: 1 }] });
});

after(async () => {
  await emulator.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

void test('a peer with a 512-byte frame limit receives 2 KB events whole, in order', async () => {
  const count = 300;
  const producer = new EventHubProducerClient(emulator.connectionString(HUB));
  const batch = await producer.createBatch({ partitionId: '0' });
  for (let i = 0; i < count; i++) assert.ok(batch.tryAdd({ body: `${i}:${'y'.repeat(2000)}` }));
  await producer.sendBatch(batch);
  await producer.close();

  const container = rhea.create_container({ id: 'frames-test' });
  const connection: Connection = container.connect({
    host: '127.0.0.1',
    port: emulator.port,
    max_frame_size: 512,
    reconnect: false,
  });
  const received: { index: string; sequenceNumber: unknown; length: number }[] = [];
  let transfers = 0;
  await new Promise<void>((resolve, reject) => {
    // A small credit window, so deliveries go out in several bursts of several frames each.
    const receiver = connection.open_receiver({
      source: { address: `${HUB}/ConsumerGroups/$Default/Partitions/0` },
      credit_window: 25,
    });
    receiver.on('message', (context) => {
      const message = context.message as Message;
      // The SDK sends a string body as JSON in a data section.
      const section = message.body as { content?: Buffer };
      const text = JSON.parse(section.content?.toString() ?? '""') as string;
      received.push({
        index: text.split(':')[0] ?? '',
        sequenceNumber: message.message_annotations?.['x-opt-sequence-number'],
        length: text.length,
      });
      if (received.length === count) {
        // rhea's session counts incoming transfer frames (its typings do not expose it).
        transfers = (receiver.session as unknown as { incoming: { next_transfer_id: number } }).incoming
          .next_transfer_id;
        resolve();
      }
    });
    receiver.on('receiver_error', () => reject(receiver.error as Error));
    connection.on('connection_error', () => reject(connection.error as Error));
    connection.on('disconnected', () => reject(new Error('disconnected')));
  });
  connection.removeAllListeners('disconnected');
  connection.close();

  assert.deepEqual(
    received.map((r) => r.index),
    Array.from({ length: count }, (_v, i) => String(i)),
  );
  assert.deepEqual(
    received.map((r) => Number(r.sequenceNumber)),
    Array.from({ length: count }, (_v, i) => i),
  );
  assert.ok(transfers >= count * 4, `each ~2 KB event took several transfer frames (${transfers} in all)`);
  assert.deepEqual(
    received.map((r) => r.length),
    Array.from({ length: count }, (_v, i) => `${i}:`.length + 2000),
  );
});
