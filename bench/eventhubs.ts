/**
 * Event Hubs emulator benchmark, through the real SDK on loopback with 1 KB events: send rate,
 * end-to-end rate (sent and received concurrently), and the emulator's memory after storing
 * 100,000 and 1,000,000 events.
 *
 * Every party runs in its own process, as in the local stack and in Azure, where the publishing
 * function app, the subscribing one and Event Hubs are separate processes: the emulator (the CLI,
 * forked, so its memory is measured apart from the clients), an SDK producer and an SDK consumer
 * (this file, forked with `--role`). The consumer uses the settings the dev host's Event Hubs
 * trigger uses (host.json `maxEventBatchSize`, the SDK's default prefetch, bodies handed over
 * unparsed). For comparison it also measures producer and consumer sharing one process, where the
 * SDK's own cost per event bounds the rate on one core.
 * Run standalone: `node --import tsx bench/eventhubs.ts`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  EventHubConsumerClient,
  EventHubProducerClient,
  latestEventPosition,
  type SubscribeOptions,
} from '@azure/event-hubs';
import { readHostJson } from '../local/devhost/host-json.js';

const HUB = 'bench';
const PARTITIONS = 4;
const EVENT_BYTES = 1024;
const WARM_UP_EVENTS = 5_000;

interface EmulatorStats {
  usage: NodeJS.MemoryUsage;
  cpu: NodeJS.CpuUsage;
}

interface EmulatorProcess {
  port: number;
  stats(): Promise<EmulatorStats>;
  stop(): Promise<void>;
}

const here = fileURLToPath(import.meta.url);

/** A file of this repository, from the sources (tsx) or the build (`dist/`) alike. */
function sibling(...parts: string[]): string {
  return join(here, '..', '..', ...parts.slice(0, -1), `${parts[parts.length - 1] ?? ''}${extname(here)}`);
}

function waitForExit(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

async function startEmulatorProcess(dataDir: string): Promise<EmulatorProcess> {
  const cli = sibling('local', 'eventhubs-emulator', 'cli');
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
    port,
    stats: () =>
      new Promise((resolve) => {
        child.once('message', (message: unknown) => {
          resolve(message as EmulatorStats);
        });
        child.send({ type: 'memory' });
      }),
    stop: () => {
      child.kill('SIGTERM');
      return waitForExit(child);
    },
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

/** The repository root (holds host.json), from the sources or the build. */
function repositoryRoot(): string {
  let dir = dirname(here);
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** What the dev host's Event Hubs trigger passes to `subscribe` (local/devhost/eventhub-trigger.ts). */
function hostSubscribeOptions(): SubscribeOptions {
  const host = readHostJson(repositoryRoot());
  return {
    maxBatchSize: host.maxEventBatchSize,
    maxWaitTimeInSeconds: host.maxWaitTimeSeconds,
    skipParsingBodyAsJson: true,
  };
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

/**
 * Subscribes at the end of every partition. `ready` resolves once every partition's receiver is
 * attached; `expect(n)` resolves when `n` more events have arrived.
 */
function receiveFromLatest(consumer: EventHubConsumerClient): {
  ready: Promise<void>;
  expect(count: number): Promise<void>;
  close(): Promise<void>;
} {
  let received = 0;
  let target = Infinity;
  let reached: (() => void) | undefined;
  const attached = new Set<string>();
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const subscription = consumer.subscribe(
    {
      processEvents: async (events, ctx) => {
        attached.add(ctx.partitionId);
        if (attached.size === PARTITIONS) markReady();
        received += events.length;
        if (received >= target) {
          target = Infinity;
          reached?.();
        }
        return Promise.resolve();
      },
      processError: async () => Promise.resolve(),
    },
    { ...hostSubscribeOptions(), startPosition: latestEventPosition },
  );
  return {
    ready,
    expect: (count) =>
      new Promise<void>((resolve) => {
        target = received + count;
        reached = resolve;
      }),
    close: () => subscription.close(),
  };
}

// ------------------------------------------------------------------ client processes

type ClientRequest = { type: 'send'; count: number } | { type: 'expect'; count: number } | { type: 'exit' };
type ClientReply = { type: 'ready' } | { type: 'done'; cpuMicros: number };

interface ClientProcess {
  ready: Promise<void>;
  /** Asks for a send or a receive; resolves with the client's CPU time for it. */
  run(request: { type: 'send' | 'expect'; count: number }): Promise<number>;
  stop(): Promise<void>;
}

function startClientProcess(role: 'producer' | 'consumer', port: number): ClientProcess {
  const child = fork(here, ['--role', role, '--port', String(port)], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    const onReady = (message: ClientReply): void => {
      if (message.type !== 'ready') return;
      child.off('message', onReady);
      resolve();
    };
    child.on('message', onReady);
    child.once('exit', (code) => reject(new Error(`${role} exited with ${String(code)}`)));
  });
  return {
    ready,
    run: (request) =>
      new Promise<number>((resolve) => {
        const onDone = (message: ClientReply): void => {
          if (message.type !== 'done') return;
          child.off('message', onDone);
          resolve(message.cpuMicros);
        };
        child.on('message', onDone);
        child.send(request satisfies ClientRequest);
      }),
    stop: () => {
      child.send({ type: 'exit' } satisfies ClientRequest);
      return waitForExit(child);
    },
  };
}

/** The body of a forked client: one SDK client that sends or receives when asked. */
async function runClient(role: string, port: number): Promise<void> {
  const cpuMicros = (since: NodeJS.CpuUsage): number => {
    const used = process.cpuUsage(since);
    return used.user + used.system;
  };
  const reply = (message: ClientReply): void => void process.send?.(message);
  if (role === 'producer') {
    const producer = new EventHubProducerClient(connectionString(port));
    await sendEvents(producer, PARTITIONS); // open the links
    process.on('message', (request: ClientRequest) => {
      if (request.type === 'exit') void producer.close().then(() => process.exit(0));
      if (request.type !== 'send') return;
      const before = process.cpuUsage();
      void sendEvents(producer, request.count).then(() =>
        reply({ type: 'done', cpuMicros: cpuMicros(before) }),
      );
    });
  } else {
    const consumer = new EventHubConsumerClient('$Default', connectionString(port));
    const receiver = receiveFromLatest(consumer);
    await receiver.ready;
    process.on('message', (request: ClientRequest) => {
      if (request.type === 'exit') {
        void receiver
          .close()
          .then(() => consumer.close())
          .then(() => process.exit(0));
      }
      if (request.type !== 'expect') return;
      const before = process.cpuUsage();
      void receiver.expect(request.count).then(() => reply({ type: 'done', cpuMicros: cpuMicros(before) }));
    });
  }
  reply({ type: 'ready' });
}

// ------------------------------------------------------------------ the benchmark

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
const emulatorCpu = (stats: EmulatorStats): number => stats.cpu.user + stats.cpu.system;

/** Producer and consumer in separate processes: the end-to-end rate and each party's CPU. */
async function endToEndSeparateProcesses(
  emulator: EmulatorProcess,
  events: number,
): Promise<Record<string, number>> {
  const producer = startClientProcess('producer', emulator.port);
  // The consumer starts at the end of the stream once the producer has opened its links.
  await producer.ready;
  const consumer = startClientProcess('consumer', emulator.port);
  try {
    await consumer.ready;
    await Promise.all([
      consumer.run({ type: 'expect', count: WARM_UP_EVENTS }),
      producer.run({ type: 'send', count: WARM_UP_EVENTS }),
    ]);
    const load = loadavg()[0] ?? 0;
    const emulatorBefore = emulatorCpu(await emulator.stats());
    const start = performance.now();
    let sentAt = start;
    const [consumerCpu, producerCpu] = await Promise.all([
      consumer.run({ type: 'expect', count: events }),
      producer.run({ type: 'send', count: events }).then((cpu) => {
        sentAt = performance.now();
        return cpu;
      }),
    ]);
    const receivedAt = performance.now();
    const emulatorMicros = emulatorCpu(await emulator.stats()) - emulatorBefore;
    const perEvent = (micros: number): number => Math.round((micros / events) * 10) / 10;
    return {
      eventHubsSendEventsPerSecond: Math.round(events / ((sentAt - start) / 1000)),
      eventHubsEndToEndEventsPerSecond: Math.round(events / ((receivedAt - start) / 1000)),
      // CPU per event, which depends far less than the rates on how busy the machine is.
      eventHubsEmulatorCpuMicrosPerEvent: perEvent(emulatorMicros),
      eventHubsProducerCpuMicrosPerEvent: perEvent(producerCpu),
      eventHubsConsumerCpuMicrosPerEvent: perEvent(consumerCpu),
      eventHubsLoadAverageAtStart: Math.round(load * 10) / 10,
    };
  } finally {
    await Promise.all([producer.stop(), consumer.stop()]);
  }
}

/** Producer and consumer sharing this process (one core for both SDK clients). */
async function endToEndOneClientProcess(port: number, events: number): Promise<Record<string, number>> {
  const producer = new EventHubProducerClient(connectionString(port));
  const consumer = new EventHubConsumerClient('$Default', connectionString(port));
  const receiver = receiveFromLatest(consumer);
  try {
    await receiver.ready;
    const warmedUp = receiver.expect(WARM_UP_EVENTS);
    await sendEvents(producer, WARM_UP_EVENTS);
    await warmedUp;
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    const received = receiver.expect(events);
    await sendEvents(producer, events);
    await received;
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      eventHubsEndToEndOneClientProcessEventsPerSecond: Math.round(events / seconds),
      eventHubsOneClientProcessCpuMicrosPerEvent: Math.round(((cpu.user + cpu.system) / events) * 10) / 10,
    };
  } finally {
    await receiver.close().catch(() => undefined);
    await consumer.close().catch(() => undefined);
    await producer.close().catch(() => undefined);
  }
}

export async function benchEventHubs(
  options: { endToEndEvents?: number; storedSmall?: number; storedLarge?: number } = {},
): Promise<Record<string, number>> {
  const endToEndEvents = options.endToEndEvents ?? 100_000;
  const storedSmall = options.storedSmall ?? 100_000;
  const storedLarge = options.storedLarge ?? 1_000_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'eh-bench-'));
  const emulator = await startEmulatorProcess(dataDir);
  try {
    const separate = await endToEndSeparateProcesses(emulator, endToEndEvents);
    const shared = await endToEndOneClientProcess(emulator.port, endToEndEvents);
    let stored = 2 * (WARM_UP_EVENTS + endToEndEvents) + PARTITIONS;

    // Memory with a small and a large log, filled by a producer process.
    const producer = startClientProcess('producer', emulator.port);
    let small: NodeJS.MemoryUsage;
    let large: NodeJS.MemoryUsage;
    let fillCount: number;
    let fillSeconds: number;
    try {
      await producer.ready;
      stored += PARTITIONS;
      await producer.run({ type: 'send', count: Math.max(0, storedSmall - stored) });
      stored = Math.max(stored, storedSmall);
      small = (await emulator.stats()).usage;
      fillCount = Math.max(0, storedLarge - stored);
      const fillStart = performance.now();
      await producer.run({ type: 'send', count: fillCount });
      fillSeconds = (performance.now() - fillStart) / 1000;
      stored = Math.max(stored, storedLarge);
      large = (await emulator.stats()).usage;
    } finally {
      await producer.stop();
    }

    return {
      ...separate,
      ...shared,
      eventHubsBulkSendEventsPerSecond: fillCount > 0 ? Math.round(fillCount / fillSeconds) : 0,
      eventHubsEventBytes: EVENT_BYTES,
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
    await emulator.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && here === process.argv[1]) {
  const { values } = parseArgs({ options: { role: { type: 'string' }, port: { type: 'string' } } });
  if (values.role) {
    runClient(values.role, Number(values.port)).catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  } else {
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
}
