import { spawn, type ChildProcess } from 'node:child_process';

export interface RunningService {
  /** Stops the service and waits for the process to exit. */
  stop(): Promise<void>;
}

export interface ChildServiceOptions {
  name: string;
  command: string;
  args: string[];
  /** A line on stdout that means the service is ready; its first capture group is returned. */
  readyPattern: RegExp;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts a child process and resolves once it prints its ready line. The child dies with us:
 * it is killed on stop() and when this process exits.
 */
export function startChildService(
  options: ChildServiceOptions,
): Promise<{ child: ChildProcess; match: RegExpMatchArray; stop: () => Promise<void> }> {
  const child = spawn(options.command, options.args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${options.name} did not become ready within ${options.timeoutMs ?? 30000} ms:\n${output}`));
    }, options.timeoutMs ?? 30000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = output.match(options.readyPattern);
      if (match) {
        clearTimeout(timer);
        child.stdout?.removeListener('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({ child, match, stop });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited with code ${code ?? 'null'} before it was ready:\n${output}`));
    });
  });
}
