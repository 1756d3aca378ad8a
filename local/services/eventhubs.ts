import { compiledEntry, startChildService, type RunningService } from './child-service.js';

export interface EventHubsInstance extends RunningService {
  port: number;
  connectionString: string;
}

/** The connection string the unmodified SDK uses to reach the emulator (any key is accepted). */
export function emulatorConnectionString(port: number): string {
  return `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=local-emulator-accepts-any-key;UseDevelopmentEmulator=true`;
}

/** Starts the project's Event Hubs emulator as a child process with the topology's hubs. */
export async function startEventHubsProcess(options: {
  dataDir: string;
  port?: number;
}): Promise<EventHubsInstance> {
  const entry = compiledEntry('local/eventhubs-emulator/cli.js');
  const { match, stop, kill } = await startChildService({
    name: 'Event Hubs emulator',
    command: process.execPath,
    args: [entry, '--port', String(options.port ?? 0), '--data-dir', options.dataDir],
    readyPattern: /eventhubs emulator ready on 127\.0\.0\.1:(\d+)/,
    timeoutMs: 60000,
  });
  const port = Number(match[1]);
  return { port, connectionString: emulatorConnectionString(port), stop, kill };
}
