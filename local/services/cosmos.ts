import { compiledEntry, startChildService, type RunningService } from './child-service.js';

/** The emulator accepts any key; this placeholder is not a secret. */
export const COSMOS_EMULATOR_KEY = 'local-emulator-accepts-any-key';

export interface CosmosInstance extends RunningService {
  endpoint: string;
  port: number;
}

/** Starts the local Cosmos DB emulator (see cosmos-process.ts) on loopback; port 0 picks a free port. */
export async function startCosmos(options: { dataDir: string; port?: number }): Promise<CosmosInstance> {
  const entry = compiledEntry('local/services/cosmos-process.js');
  const { match, stop, kill } = await startChildService({
    name: 'Cosmos DB emulator',
    command: process.execPath,
    args: [entry, '--port', String(options.port ?? 0), '--data-dir', options.dataDir],
    readyPattern: /cosmos emulator ready on 127\.0\.0\.1:(\d+)/,
    // Loading the snapshot and log takes seconds. The margin is for a busy machine, and for the
    // one-time upgrade of a data directory the earlier version wrote (its requests are re-run).
    timeoutMs: 120000,
  });
  const port = Number(match[1]);
  return { port, endpoint: `http://127.0.0.1:${port}`, stop, kill };
}
