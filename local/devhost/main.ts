/**
 * The dev host: runs the compiled function registrations the way the Azure Functions host does,
 * on this machine, against Azurite, the Cosmos emulator and the Event Hubs emulator.
 *
 * Usage: node dist/local/devhost/main.js --app-dir . --port 7071 --data-dir .local
 * Settings come from the environment (the local stack passes them). Prints
 * `dev host ready on http://127.0.0.1:<port>` when every trigger is listening.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startBlobTrigger } from './blob-trigger.js';
import { disabledSettingName, isFunctionDisabled } from './disabled.js';
import { startEventHubTrigger } from './eventhub-trigger.js';
import { readHostJson } from './host-json.js';
import { startHttpHost } from './http-host.js';
import { localReceivers } from './local-receivers.js';
import { functionFiles, loadApp, stringProperty, type Registration } from './registrations.js';
import { startTimerTrigger } from './timer-trigger.js';
import type { HostLog } from './invoke.js';

const { values } = parseArgs({
  options: {
    'app-dir': { type: 'string', default: '.' },
    port: { type: 'string', default: '7071' },
    'data-dir': { type: 'string', default: '.local' },
    'host-id': { type: 'string', default: 'devhost' },
    verbose: { type: 'boolean', default: false },
  },
});
const appDir = resolve(values['app-dir'] ?? '.');
const dataDir = resolve(values['data-dir'] ?? '.local');
const hostId = values['host-id'] ?? 'devhost';
mkdirSync(dataDir, { recursive: true });

/**
 * What the functions and the host print leaves once per event-loop turn: lines written during a
 * turn are corked and go out in one write, the way the Functions worker ships its logs to the
 * host asynchronously. (A pipe write per line cost a system call, and a wake-up of the reader,
 * per request.) Whatever is still corked is written at exit.
 */
function batchOutput(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    stream.uncork();
  };
  stream.write = (...args: unknown[]): boolean => {
    if (!corked) {
      corked = true;
      stream.cork();
      setImmediate(uncork);
    }
    return write(...args);
  };
  process.on('exit', () => {
    if (corked) uncork();
  });
}
batchOutput(process.stdout);
batchOutput(process.stderr);

const log: HostLog = (level, functionName, message) => {
  if (!values.verbose && (level === 'information' || level === 'debug' || level === 'trace')) return;
  const line = `[${new Date().toISOString()}] ${level.padEnd(7)} ${functionName}: ${message}`;
  if (level === 'error' || level === 'critical' || level === 'warning') console.error(line);
  else console.log(line);
};

/** Function keys for authLevel 'function' routes: created once per data directory. */
function functionKeys(): string[] {
  const file = join(dataDir, 'host-keys.json');
  if (!existsSync(file)) {
    writeFileSync(file, JSON.stringify({ default: randomBytes(24).toString('base64url') }, null, 2), {
      mode: 0o600,
    });
  }
  const keys = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  return Object.values(keys);
}

function setting(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`setting ${name} is not set (a binding's connection names it)`);
  }
  return value;
}

function resolveSetting(value: string): string {
  return value.replace(/%([A-Za-z0-9_]+)%/g, (_match, name: string) => setting(name));
}

function triggerKind(registration: Registration): string {
  return registration.trigger.type.toLowerCase();
}

async function main(): Promise<void> {
  const host = readHostJson(appDir);
  const loaded = await loadApp(functionFiles(appDir), log);
  const disabled = loaded.registrations.filter((registration) =>
    isFunctionDisabled(registration.metadata.name, process.env),
  );
  const app = {
    ...loaded,
    registrations: loaded.registrations.filter((registration) => !disabled.includes(registration)),
  };
  const stops: (() => Promise<void>)[] = [];
  const hostStorage = setting('AzureWebJobsStorage');
  for (const registration of app.registrations) {
    for (const binding of Object.values(registration.metadata.bindings)) {
      if (binding.direction === 'out' && binding.type.toLowerCase() !== 'http') {
        throw new Error(
          `function ${registration.metadata.name}: output binding type ${binding.type} is not supported by the dev host; use the SDK through shared/adapters`,
        );
      }
    }
  }
  for (const registration of app.registrations) {
    const kind = triggerKind(registration);
    if (kind === 'blobtrigger') {
      const trigger = await startBlobTrigger({
        model: app.programmingModel,
        registration,
        connectionString: setting(stringProperty(registration.trigger, 'connection', 'AzureWebJobsStorage')),
        hostStorageConnectionString: hostStorage,
        hostId,
        pollIntervalMs: host.blobPollIntervalMs,
        maxDegreeOfParallelism: host.blobMaxDegreeOfParallelism,
        poisonBlobThreshold: host.poisonBlobThreshold,
        log,
      });
      stops.push(() => trigger.stop());
    } else if (kind === 'eventhubtrigger') {
      const trigger = await startEventHubTrigger({
        model: app.programmingModel,
        registration,
        connectionString: setting(stringProperty(registration.trigger, 'connection')),
        hostStorageConnectionString: hostStorage,
        resolveSetting,
        hostId,
        maxEventBatchSize: host.maxEventBatchSize,
        maxWaitTimeSeconds: host.maxWaitTimeSeconds,
        log,
      });
      stops.push(() => trigger.stop());
    } else if (kind === 'timertrigger') {
      const trigger = startTimerTrigger({ model: app.programmingModel, registration, resolveSetting, log });
      stops.push(() => trigger.stop());
    } else if (kind !== 'httptrigger') {
      throw new Error(
        `function ${registration.metadata.name}: trigger ${registration.trigger.type} is not supported by the dev host`,
      );
    }
  }
  const httpHost = await startHttpHost({
    model: app.programmingModel,
    registrations: app.registrations,
    routePrefix: host.routePrefix,
    port: Number(values.port),
    functionKeys: functionKeys(),
    localRoutes: localReceivers(dataDir),
    log,
    // The same app setting the Functions host reads for its request body limit.
    ...(process.env.FUNCTIONS_REQUEST_BODY_SIZE_LIMIT
      ? { maxBodyBytes: Number(process.env.FUNCTIONS_REQUEST_BODY_SIZE_LIMIT) }
      : {}),
  });
  stops.unshift(() => httpHost.close());
  for (const registration of app.registrations) {
    const trigger = registration.trigger;
    const detail =
      triggerKind(registration) === 'httptrigger'
        ? `${((trigger.methods as string[] | undefined) ?? ['GET', 'POST']).join(',')} ${httpHost.baseUrl}/${host.routePrefix}/${stringProperty(trigger, 'route', registration.metadata.name)}`
        : triggerKind(registration) === 'eventhubtrigger'
          ? `event hub ${resolveSetting(stringProperty(trigger, 'eventHubName'))} (${resolveSetting(stringProperty(trigger, 'consumerGroup', '$Default'))})`
          : triggerKind(registration) === 'blobtrigger'
            ? `blob ${stringProperty(trigger, 'path')}`
            : `timer ${resolveSetting(stringProperty(trigger, 'schedule'))}`;
    console.log(`  ${registration.metadata.name}: ${detail}`);
  }
  for (const registration of disabled) {
    console.log(
      `  ${registration.metadata.name}: disabled (${disabledSettingName(registration.metadata.name)})`,
    );
  }
  console.log(`dev host ready on ${httpHost.baseUrl}`);

  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    const timeout = setTimeout(() => process.exit(1), 15000);
    timeout.unref();
    Promise.all(stops.map((stop) => stop().catch(() => undefined)))
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error(`dev host failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
