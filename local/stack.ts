/**
 * The embedded local stack: Azurite, the Cosmos DB emulator, the Event Hubs emulator and the dev
 * host, on loopback, with data under one directory. Used by `npm start`, the end-to-end tests and
 * the benchmarks, so they all run the same thing.
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { CosmosClient } from '@azure/cosmos';
import { mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { ensureCosmosSchema } from '../shared/adapters/cosmos.js';
import { blobContainers, defaultCosmosDatabase, settings } from '../shared/topology.js';
import { startAzurite, type AzuriteInstance } from './services/azurite.js';
import { COSMOS_EMULATOR_KEY, startCosmos, type CosmosInstance } from './services/cosmos.js';
import { startDevHostProcess, type DevHostInstance } from './services/devhost.js';
import { startEventHubsProcess, type EventHubsInstance } from './services/eventhubs.js';

export interface StackOptions {
  /** Where every service keeps its data; survives restarts. */
  dataDir: string;
  /** HTTP port of the dev host (0 = any free port). */
  httpPort: number;
  /** The function app: its package.json `main` glob names the compiled function files. */
  appDir?: string;
  /** Settings that override local.settings.sample.json (tests use this). */
  settingsOverride?: Record<string, string>;
  onStatus?: (message: string) => void;
  onHostOutput?: (line: string) => void;
  verbose?: boolean;
}

export interface LocalStack {
  baseUrl: string;
  functionKey: string;
  settings: Record<string, string>;
  azurite: AzuriteInstance;
  cosmos: CosmosInstance;
  eventHubs: EventHubsInstance;
  devHost: DevHostInstance;
  /** Stops everything cleanly. */
  stop(): Promise<void>;
  /** Kills every process at once, as a crash or a power cut would. */
  kill(): Promise<void>;
}

export function assertPortFree(port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolvePromise, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `port ${port} is already in use: stop what is using it, or start with --http-port <port>`
            : `port ${port}: ${error.message}`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePromise()));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

/** The local settings: local.settings.sample.json's values with the running endpoints filled in. */
export function localSettings(appDir: string): Record<string, string> {
  const sample = JSON.parse(readFileSync(join(appDir, 'local.settings.sample.json'), 'utf8')) as {
    Values: Record<string, string>;
  };
  return { ...sample.Values };
}

export async function startLocalStack(options: StackOptions): Promise<LocalStack> {
  const appDir = resolve(options.appDir ?? '.');
  const dataDir = resolve(options.dataDir);
  const status = options.onStatus ?? (() => undefined);
  mkdirSync(dataDir, { recursive: true });
  await assertPortFree(options.httpPort);
  const httpPort = options.httpPort === 0 ? await freePort() : options.httpPort;

  const started: { stop(): Promise<void>; kill(): Promise<void> }[] = [];
  try {
    status('starting Azurite (blob)');
    const azurite = await startAzurite({ dataDir: join(dataDir, 'azurite') });
    started.push(azurite);
    status('starting the Cosmos DB emulator');
    const cosmos = await startCosmos({ dataDir: join(dataDir, 'cosmos') });
    started.push(cosmos);
    status('starting the Event Hubs emulator');
    const eventHubs = await startEventHubsProcess({ dataDir: join(dataDir, 'eventhubs') });
    started.push(eventHubs);

    const baseUrl = `http://127.0.0.1:${httpPort}`;
    const values: Record<string, string> = {
      ...localSettings(appDir),
      [settings.hostStorage]: azurite.connectionString,
      [settings.feedbackStorage]: azurite.connectionString,
      [settings.eventHubs]: eventHubs.connectionString,
      [settings.cosmosEndpoint]: cosmos.endpoint,
      [settings.cosmosKey]: COSMOS_EMULATOR_KEY,
      [settings.publicBaseUrl]: baseUrl,
      [settings.teamsWebhookUrl]: `${baseUrl}/_local/teams`,
      [settings.ticketLogicAppUrl]: `${baseUrl}/_local/tickets`,
      ...options.settingsOverride,
    };

    status('creating containers, database and hubs');
    const blobService = BlobServiceClient.fromConnectionString(azurite.connectionString);
    for (const name of [blobContainers.raw, blobContainers.landing]) {
      await blobService.getContainerClient(name).createIfNotExists();
    }
    const cosmosClient = new CosmosClient({
      endpoint: cosmos.endpoint,
      key: COSMOS_EMULATOR_KEY,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    await ensureCosmosSchema(cosmosClient, values[settings.cosmosDatabase] ?? defaultCosmosDatabase);
    cosmosClient.dispose();

    status('starting the dev host');
    const devHost = await startDevHostProcess({
      appDir,
      dataDir: join(dataDir, 'devhost'),
      port: httpPort,
      env: values,
      ...(options.onHostOutput ? { onOutput: options.onHostOutput } : {}),
      ...(options.verbose ? { verbose: true } : {}),
    });
    started.push(devHost);

    return {
      baseUrl: devHost.baseUrl,
      functionKey: devHost.functionKey,
      settings: values,
      azurite,
      cosmos,
      eventHubs,
      devHost,
      stop: async () => {
        // The dev host first, so it checkpoints and stops cleanly while its services are up.
        for (const service of [...started].reverse()) await service.stop();
      },
      kill: async () => {
        await Promise.all(started.map((service) => service.kill()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((service) => service.stop().catch(() => undefined)));
    throw error;
  }
}
