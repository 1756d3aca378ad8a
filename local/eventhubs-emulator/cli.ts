/**
 * Command line: `node dist/local/eventhubs-emulator/cli.js --port 5672 --data-dir .local/eventhubs
 *   --hubs feedback-normalized:4,feedback-classified:4`. Without --hubs it serves the hubs and
 * consumer groups of shared/topology.ts. Prints one ready line; stops cleanly on SIGINT/SIGTERM.
 * When started with an IPC channel (child_process.fork) it answers `{ type: 'memory' }` with
 * `process.memoryUsage()` and `process.cpuUsage()` (used by the benchmark).
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { consumerGroupsFor, hubs as topologyHubs } from '../../shared/topology.js';
import { startEventHubsEmulator, type HubDefinition } from './index.js';

const usage = `Usage: eventhubs emulator [--port 5672] [--data-dir .local/eventhubs] [--hubs name:partitions[:group+group],...]
  [--retention-hours 24] [--retention-bytes N] [--max-message-bytes 1048576]`;

function parseHubs(spec: string): HubDefinition[] {
  return spec
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const [name = '', partitions = '', groups = ''] = part.split(':');
      const count = Number(partitions || '4');
      if (!name || !Number.isInteger(count))
        throw new Error(`Invalid hub '${part}' (expected name:partitions)`);
      const extra = groups.split('+').filter((g) => g !== '');
      return {
        name,
        partitions: count,
        consumerGroups: [...new Set([...consumerGroupsFor(name), ...extra])],
      };
    });
}

function topologyDefinitions(): HubDefinition[] {
  return Object.values(topologyHubs).map((hub) => ({
    name: hub.name,
    partitions: hub.partitions,
    consumerGroups: consumerGroupsFor(hub.name),
  }));
}

function optionalNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} must be a non-negative number`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '5672' },
      'data-dir': { type: 'string', default: '.local/eventhubs' },
      hubs: { type: 'string' },
      'retention-hours': { type: 'string' },
      'retention-bytes': { type: 'string' },
      'max-message-bytes': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const emulator = await startEventHubsEmulator({
    port: optionalNumber(values.port, '--port') ?? 5672,
    dataDir: resolve(values['data-dir']),
    hubs: values.hubs ? parseHubs(values.hubs) : topologyDefinitions(),
    retentionHours: optionalNumber(values['retention-hours'], '--retention-hours'),
    retentionBytes: optionalNumber(values['retention-bytes'], '--retention-bytes'),
    maxMessageBytes: optionalNumber(values['max-message-bytes'], '--max-message-bytes'),
  });
  console.log(`eventhubs emulator ready on 127.0.0.1:${emulator.port}`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    emulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (process.send) {
    process.on('message', (message: unknown) => {
      if (message && typeof message === 'object' && 'type' in message && message.type === 'memory') {
        // With --expose-gc, collect first so the figure is live memory, not garbage.
        (globalThis as { gc?: () => void }).gc?.();
        process.send?.({ type: 'memory', usage: process.memoryUsage(), cpu: process.cpuUsage() });
      }
    });
    process.on('disconnect', stop);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(usage);
  process.exit(1);
});
