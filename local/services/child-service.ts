import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The compiled entry point of a child process (`dist/<path>`), whether the caller runs compiled
 * code or TypeScript through tsx: services always run the build, as Azure does.
 */
export function compiledEntry(pathInRepository: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (package.json)');
    dir = parent;
  }
  const entry = join(dir, 'dist', pathInRepository);
  if (!existsSync(entry)) throw new Error(`${entry} does not exist: run \`npm run build\` first`);
  return entry;
}

export interface RunningService {
  /** Stops the service and waits for the process to exit. */
  stop(): Promise<void>;
  /** Kills the process at once (SIGKILL), as a crash would, and waits for it to exit. */
  kill(): Promise<void>;
}

export interface ChildServiceOptions {
  name: string;
  command: string;
  args: string[];
  /** A line on stdout that means the service is ready; its first capture group is returned. */
  readyPattern: RegExp;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Receives the service's output lines after it is ready (default: discarded). */
  onOutput?: (line: string) => void;
}

/**
 * Starts a child process and resolves once it prints its ready line. The child dies with us:
 * it is killed on stop() and when this process exits.
 */
export function startChildService(options: ChildServiceOptions): Promise<{
  child: ChildProcess;
  match: RegExpMatchArray;
  stop: () => Promise<void>;
  kill: () => Promise<void>;
}> {
  const child = spawn(options.command, options.args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const terminate = async (signal: NodeJS.Signals): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
  };
  const stop = (): Promise<void> => terminate('SIGTERM');
  const kill = (): Promise<void> => terminate('SIGKILL');
  return new Promise((resolve, reject) => {
    let output = '';
    let ready = false;
    const timer = setTimeout(() => {
      void stop();
      reject(
        new Error(`${options.name} did not become ready within ${options.timeoutMs ?? 30000} ms:\n${output}`),
      );
    }, options.timeoutMs ?? 30000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = output.match(options.readyPattern);
      if (match) {
        ready = true;
        clearTimeout(timer);
        child.stdout?.removeListener('data', onData);
        child.stderr?.removeAllListeners('data');
        forwardLines(child, options.onOutput);
        resolve({ child, match, stop, kill });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (ready) return;
      reject(new Error(`${options.name} exited with code ${code ?? 'null'} before it was ready:\n${output}`));
    });
  });
}

function forwardLines(child: ChildProcess, onOutput?: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    if (!onOutput) {
      stream.resume();
      continue;
    }
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onOutput(line);
    });
  }
}
