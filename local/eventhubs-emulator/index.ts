/**
 * Event Hubs emulator: an AMQP 1.0 endpoint on loopback that the unmodified `@azure/event-hubs`
 * client talks to with a `UseDevelopmentEmulator=true` connection string. See README.md.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PartitionLog } from './partition-log.js';
import { EmulatorServer, type HubRuntime } from './server.js';

export interface HubDefinition {
  name: string;
  partitions: number;
  /** `$Default` is always added. */
  consumerGroups?: string[];
}

export interface EmulatorOptions {
  /** 0 = ephemeral (default). */
  port?: number;
  dataDir: string;
  hubs: HubDefinition[];
  /** Default 24. */
  retentionHours?: number;
  retentionBytes?: number;
  /** Default 1048576. */
  maxMessageBytes?: number;
}

export interface RunningEmulator {
  port: number;
  /** e.g. Endpoint=sb://127.0.0.1:<port>;SharedAccessKeyName=...;SharedAccessKey=...;UseDevelopmentEmulator=true (EntityPath=hub when given) */
  connectionString(hubName?: string): string;
  faults: { dropAllConnections(): void; withholdCredit(ms: number): void; serverBusy(ms: number): void };
  stop(): Promise<void>;
}

export const EMULATOR_HOST = '127.0.0.1';
/** Placeholder credentials: the emulator accepts any key (same convention as the official emulator). */
export const EMULATOR_KEY_NAME = 'RootManageSharedAccessKey';
export const EMULATOR_KEY = 'SAS_KEY_VALUE';
const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
const MAX_SEGMENT_BYTES = 64 * 1024 * 1024;
const MIN_SEGMENT_BYTES = 64 * 1024;
const RETENTION_CHECK_MS = 30_000;

export function emulatorConnectionString(port: number, hubName?: string): string {
  const base = `Endpoint=sb://${EMULATOR_HOST}:${port};SharedAccessKeyName=${EMULATOR_KEY_NAME};SharedAccessKey=${EMULATOR_KEY};UseDevelopmentEmulator=true`;
  return hubName ? `${base};EntityPath=${hubName}` : base;
}

function validateHubs(hubs: HubDefinition[]): void {
  const seen = new Set<string>();
  for (const hub of hubs) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/.test(hub.name))
      throw new Error(`Invalid event hub name '${hub.name}'`);
    if (!Number.isInteger(hub.partitions) || hub.partitions < 1 || hub.partitions > 32) {
      throw new Error(`Event hub '${hub.name}' must have 1-32 partitions, got ${hub.partitions}`);
    }
    const key = hub.name.toLowerCase();
    if (seen.has(key)) throw new Error(`Event hub '${hub.name}' is defined twice`);
    seen.add(key);
  }
}

/** Segment size: a fraction of the size limit so retention can delete whole segments. */
function segmentBytesFor(retentionBytes: number | undefined): number {
  if (retentionBytes === undefined) return MAX_SEGMENT_BYTES;
  return Math.max(MIN_SEGMENT_BYTES, Math.min(MAX_SEGMENT_BYTES, Math.floor(retentionBytes / 8)));
}

async function hubCreatedAt(dir: string): Promise<Date> {
  const path = join(dir, 'hub.json');
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (
      parsed &&
      typeof parsed === 'object' &&
      'createdAt' in parsed &&
      typeof parsed.createdAt === 'string'
    ) {
      const date = new Date(parsed.createdAt);
      if (!Number.isNaN(date.getTime())) return date;
    }
  } catch {
    // first start for this hub
  }
  const now = new Date();
  await writeFile(path, JSON.stringify({ createdAt: now.toISOString() }) + '\n');
  return now;
}

export async function startEventHubsEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  validateHubs(options.hubs);
  const retentionMs = (options.retentionHours ?? 24) * 3600_000;
  const segmentBytes = segmentBytesFor(options.retentionBytes);
  const hubs = new Map<string, HubRuntime>();
  const logs: PartitionLog[] = [];
  try {
    for (const def of options.hubs) {
      const dir = join(options.dataDir, def.name);
      await mkdir(dir, { recursive: true });
      const partitions: PartitionLog[] = [];
      for (let i = 0; i < def.partitions; i++) {
        const log = await PartitionLog.open({ dir: join(dir, 'partitions', String(i)), segmentBytes });
        partitions.push(log);
        logs.push(log);
      }
      const groups = ['$Default', ...(def.consumerGroups ?? [])];
      const consumerGroups = groups.filter(
        (g, i) => groups.findIndex((other) => other.toLowerCase() === g.toLowerCase()) === i,
      );
      hubs.set(def.name.toLowerCase(), {
        name: def.name,
        createdAt: await hubCreatedAt(dir),
        partitions,
        consumerGroups,
        nextPartition: 0,
      });
    }
  } catch (error) {
    await Promise.all(logs.map((l) => l.close()));
    throw error;
  }

  const perPartitionBytes =
    options.retentionBytes === undefined
      ? undefined
      : Math.max(1, Math.floor(options.retentionBytes / Math.max(1, logs.length)));
  let retentionRunning: Promise<void> | undefined;
  const applyRetention = (): void => {
    if (retentionRunning) return;
    retentionRunning = (async () => {
      for (const log of logs) await log.applyRetention(retentionMs, perPartitionBytes).catch(() => 0);
    })().finally(() => {
      retentionRunning = undefined;
    });
  };
  const retentionTimer = setInterval(
    applyRetention,
    Math.min(RETENTION_CHECK_MS, Math.max(1000, retentionMs / 4)),
  );
  retentionTimer.unref();
  applyRetention();

  const server = new EmulatorServer({
    hubs,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    host: EMULATOR_HOST,
  });
  let port: number;
  try {
    port = await server.listen(options.port ?? 0);
  } catch (error) {
    clearInterval(retentionTimer);
    await Promise.all(logs.map((l) => l.close()));
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    port,
    connectionString: (hubName?: string) => emulatorConnectionString(port, hubName),
    faults: {
      dropAllConnections: () => server.dropAllConnections(),
      withholdCredit: (ms: number) => server.withholdCredit(ms),
      serverBusy: (ms: number) => server.serverBusy(ms),
    },
    stop: () => {
      stopping ??= (async () => {
        clearInterval(retentionTimer);
        await server.close();
        if (retentionRunning) await retentionRunning;
        await Promise.all(logs.map((l) => l.close()));
      })();
      return stopping;
    },
  };
}
