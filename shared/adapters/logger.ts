import type { InvocationContext } from '@azure/functions';
import type { Logger } from '../stages/ports.js';

/** A Logger on the invocation context: one line with the message and its ids as JSON. */
export function contextLogger(context: InvocationContext): Logger {
  const format = (message: string, properties?: Record<string, unknown>): string =>
    properties && Object.keys(properties).length > 0 ? `${message} ${JSON.stringify(properties)}` : message;
  return {
    info: (message, properties) => context.log(format(message, properties)),
    warn: (message, properties) => context.warn(format(message, properties)),
    error: (message, properties) => context.error(format(message, properties)),
  };
}

/** A process-wide Logger (for handlers built once per process): JSON lines on the console. */
export function consoleLogger(component: string): Logger {
  const write =
    (level: 'info' | 'warn' | 'error') =>
    (message: string, properties?: Record<string, unknown>): void => {
      const line = JSON.stringify({ level, component, message, ...properties });
      if (level === 'info') console.log(line);
      else console.error(line);
    };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}
