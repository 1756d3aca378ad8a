/**
 * Wraps a stage handler with the per-invocation metrics every stage reports: items received,
 * duration, failures. The handler itself stays free of telemetry plumbing.
 */
import type { InvocationContext } from '@azure/functions';
import { metricNames } from '../domain/telemetry-names.js';
import type { Telemetry } from '../adapters/telemetry.js';

export function instrumented<Input, Output>(
  stage: string,
  telemetry: Telemetry,
  handler: (input: Input, context: InvocationContext) => Promise<Output>,
): (input: Input, context: InvocationContext) => Promise<Output> {
  return async (input, context) => {
    const started = performance.now();
    const dimensions = { stage };
    telemetry.metric(metricNames.itemsIn, Array.isArray(input) ? input.length : 1, dimensions);
    try {
      return await handler(input, context);
    } catch (error) {
      telemetry.metric(metricNames.invocationFailed, 1, dimensions);
      throw error;
    } finally {
      telemetry.metric(metricNames.invocationMs, performance.now() - started, dimensions);
    }
  };
}
