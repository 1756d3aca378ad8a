import { mkdirSync } from 'node:fs';
import { compiledEntry, startChildService, type RunningService } from './child-service.js';

/** Azurite's well-known development account (public, documented, not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteInstance extends RunningService {
  blobEndpoint: string;
  connectionString: string;
  port: number;
}

/** Starts Azurite's blob service (from npm, crash-safe) on loopback; port 0 picks a free port. */
export async function startAzurite(options: { dataDir: string; port?: number }): Promise<AzuriteInstance> {
  mkdirSync(options.dataDir, { recursive: true });
  // Azurite's blob service, wrapped so that acknowledged writes survive a crash (azurite-process.ts).
  const entry = compiledEntry('local/services/azurite-process.js');
  const { match, stop, kill } = await startChildService({
    name: 'Azurite',
    command: process.execPath,
    args: [
      entry,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(options.port ?? 0),
      '--location',
      options.dataDir,
      '--skipApiVersionCheck',
      '--disableTelemetry',
      '--loose',
      '--silent',
    ],
    readyPattern: /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/,
  });
  const port = Number(match[1]);
  const blobEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  return {
    port,
    blobEndpoint,
    connectionString: azuriteConnectionString(blobEndpoint),
    stop,
    kill,
  };
}

export function azuriteConnectionString(blobEndpoint: string): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobEndpoint};`;
}
