import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compiledEntry, startChildService, type RunningService } from './child-service.js';

export interface DevHostInstance extends RunningService {
  baseUrl: string;
  /** The function key for `authLevel: 'function'` routes (header `x-functions-key`). */
  functionKey: string;
}

/** Starts the dev host as a child process with the given settings as its environment. */
export async function startDevHostProcess(options: {
  appDir: string;
  dataDir: string;
  port: number;
  env: Record<string, string>;
  onOutput?: (line: string) => void;
  verbose?: boolean;
}): Promise<DevHostInstance> {
  const entry = compiledEntry('local/devhost/main.js');
  const { match, stop, kill } = await startChildService({
    name: 'dev host',
    command: process.execPath,
    args: [
      entry,
      '--app-dir',
      options.appDir,
      '--port',
      String(options.port),
      '--data-dir',
      options.dataDir,
      ...(options.verbose ? ['--verbose'] : []),
    ],
    readyPattern: /dev host ready on (http:\/\/127\.0\.0\.1:\d+)/,
    timeoutMs: 60000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    ...(options.onOutput ? { onOutput: options.onOutput } : {}),
  });
  const keys = JSON.parse(readFileSync(join(options.dataDir, 'host-keys.json'), 'utf8')) as {
    default: string;
  };
  return { baseUrl: match[1] ?? '', functionKey: keys.default, stop, kill };
}
