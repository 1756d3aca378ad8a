/**
 * Event Hubs emulator benchmark, through the real SDK on loopback with 1 KB events:
 * send rate, end-to-end rate (sent and received concurrently), and the emulator's memory after
 * storing 100,000 and 1,000,000 events. The emulator runs in its own process (the CLI, forked)
 * so its memory is measured apart from the clients.
 * Run standalone: `node --import tsx bench/eventhubs.ts`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventHubConsumerClient, EventHubProducerClient, latestEventPosition } from '@azure/event-hubs';

const HUB = 'bench';
const PARTITIONS = 4;
const EVENT_BYTES = 1024;

interface EmulatorStats {
  usage: NodeJS.MemoryUsage;
  cpu: NodeJS.CpuUsage;
}

interface EmulatorProcess {
  child: ChildProcess;
  port: number;
  stats(): Promise<EmulatorStats>;
  stop(): Promise<void>;
}

async function startEmulatorProcess(dataDir: string): Promise<EmulatorProcess> {
  const here = fileURLToPath(import.meta.url);
  const cli = join(here, '..', '..', 'local', 'eventhubs-emulator', `cli${extname(here)}`);
  const child = fork(cli, ['--port', '0', '--data-dir', dataDir, '--hubs', `${HUB}:${PARTITIONS}`], {
    execArgv: [...process.execArgv, '--expose-gc'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /eventhubs emulator ready on 127\.0\.0\.1:(\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${String(code)}`)));
  });
  return {
    child,
    port,
    stats: () =>
      new Promise((resolve) => {
        child.once('message', (message: unknown) => {
          resolve(message as EmulatorStats);
        });
        child.send({ type: 'memory' });
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function connectionString(port: number): string {
  return `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;EntityPath=${HUB}`;
}

/** A JSON body of about 1 KB, like the pipeline's records. */
function eventBody(): Record<string, unknown> {
  const text = 'x'.repeat(EVENT_BYTES - 120);
  return { feedbackId: 'bench-0000000000', source: 'bench', text, rating: 4, locale: 'en-US' };
}

/** Sends `count` ~1 KB JSON events in full batches, one sender per partition. */
async function sendEvents(producer: EventHubProducerClient, count: number): Promise<void> {
  const body = eventBody();
  await Promise.all(
    Array.from({ length: PARTITIONS }, async (_v, p) => {
      const partitionId = String(p);
      const share = Math.floor(count / PARTITIONS) + (p < count % PARTITIONS ? 1 : 0);
      let batch = await producer.createBatch({ partitionId });
      for (let i = 0; i < share; i++) {
        if (!batch.tryAdd({ body })) {
          await producer.sendBatch(batch);
          batch = await producer.createBatch({ partitionId });
          batch.tryAdd({ body });
        }
      }
      if (batch.count > 0) await producer.sendBatch(batch);
    }),
  );
}

/** Subscribes at the end of every partition; resolves `done` after `count` events. */
function receiveFromLatest(
  consumer: EventHubConsumerClient,
  count: number,
): { ready: Promise<void>; done: Promise<number> } {
  let received = 0;
  const attached = new Set<string>();
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let finish!: (at: number) => void;
  const done = new Promise<number>((resolve) => (finish = resolve));
  const subscription = consumer.subscribe(
    {
      processEvents: async (events, ctx) => {
        attached.add(ctx.partitionId);
        if (attached.size === PARTITIONS) markReady();
        received += events.length;
        if (received >= count) {
          finish(performance.now());
          await subscription.close();
        }
      },
      processError: async () => Promise.resolve(),
    },
    {
      startPosition: latestEventPosition,
      maxBatchSize: 1000,
      maxWaitTimeInSeconds: 0.2,
      prefetchCount: 3000,
    },
  );
  return { ready, done };
}

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

export async function benchEventHubs(
  options: { endToEndEvents?: number; storedSmall?: number; storedLarge?: number } = {},
): Promise<Record<string, number>> {
  const endToEndEvents = options.endToEndEvents ?? 100_000;
  const storedSmall = options.storedSmall ?? 100_000;
  const storedLarge = options.storedLarge ?? 1_000_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'eh-bench-'));
  const emulator = await startEmulatorProcess(dataDir);
  const producer = new EventHubProducerClient(connectionString(emulator.port));
  const consumer = new EventHubConsumerClient('$Default', connectionString(emulator.port));
  try {
    // Warm up links and JIT.
    await sendEvents(producer, 2_000);

    // End to end: a consumer on every partition while the producer sends.
    const { ready, done } = receiveFromLatest(consumer, endToEndEvents);
    await ready;
    const load = loadavg()[0] ?? 0;
    const emulatorCpuBefore = (await emulator.stats()).cpu;
    const clientCpuBefore = process.cpuUsage();
    const start = performance.now();
    await sendEvents(producer, endToEndEvents);
    const sentAt = performance.now();
    const receivedAt = await done;
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const emulatorCpuAfter = (await emulator.stats()).cpu;
    const perEvent = (micros: number): number => Math.round((micros / endToEndEvents) * 10) / 10;
    const emulatorCpuMicros =
      emulatorCpuAfter.user + emulatorCpuAfter.system - emulatorCpuBefore.user - emulatorCpuBefore.system;
    let stored = 2_000 + endToEndEvents;

    // Memory with a small and a large log.
    await sendEvents(producer, Math.max(0, storedSmall - stored));
    stored = Math.max(stored, storedSmall);
    const small = (await emulator.stats()).usage;
    const fillStart = performance.now();
    await sendEvents(producer, Math.max(0, storedLarge - stored));
    const fillSeconds = (performance.now() - fillStart) / 1000;
    const fillCount = Math.max(0, storedLarge - stored);
    stored = Math.max(stored, storedLarge);
    const large = (await emulator.stats()).usage;

    const round = (value: number) => Math.round(value);
    return {
      eventHubsSendEventsPerSecond: round(endToEndEvents / ((sentAt - start) / 1000)),
      eventHubsEndToEndEventsPerSecond: round(endToEndEvents / ((receivedAt - start) / 1000)),
      eventHubsBulkSendEventsPerSecond: round(fillCount / fillSeconds),
      eventHubsEventBytes: EVENT_BYTES,
      // CPU per event (send + deliver) independent of how busy the machine is.
      eventHubsEmulatorCpuMicrosPerEvent: perEvent(emulatorCpuMicros),
      eventHubsClientCpuMicrosPerEvent: perEvent(clientCpu.user + clientCpu.system),
      eventHubsLoadAverageAtStart: Math.round(load * 10) / 10,
      eventHubsStoredSmall: storedSmall,
      eventHubsRssMbSmall: mb(small.rss),
      eventHubsHeapMbSmall: mb(small.heapUsed),
      eventHubsExternalMbSmall: mb(small.external),
      eventHubsStoredLarge: stored,
      eventHubsRssMbLarge: mb(large.rss),
      eventHubsHeapMbLarge: mb(large.heapUsed),
      eventHubsExternalMbLarge: mb(large.external),
    };
  } finally {
    await consumer.close().catch(() => undefined);
    await producer.close().catch(() => undefined);
    await emulator.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  benchEventHubs().then(
    (result) => {
      console.log(JSON.stringify(result, null, 2));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
