/**
 * What an Event Hubs-triggered stage does with a batch that fails. In Azure the host checkpoints
 * past a batch once its retry policy gives up, so an exception on the last attempt would lose
 * the batch. On that last attempt the stage quarantines the batch with the error instead, so
 * nothing is lost and it can be replayed; on earlier attempts it rethrows so the retry runs.
 */
import { createHash } from 'node:crypto';
import type { InvocationContext } from '@azure/functions';
import type { StageName } from '../topology.js';
import type { Quarantine } from './ports.js';

export type BatchHandler = (messages: unknown[], context: InvocationContext) => Promise<void>;

export function isFinalAttempt(context: InvocationContext): boolean {
  const retry = context.retryContext;
  return retry === undefined || retry.retryCount >= retry.maxRetryCount;
}

export function quarantineOnFinalFailure(
  stage: StageName,
  quarantine: Quarantine,
  handler: BatchHandler,
  clock: () => Date = () => new Date(),
): BatchHandler {
  return async (messages, context) => {
    try {
      await handler(messages, context);
    } catch (error) {
      if (!isFinalAttempt(context)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      const list = Array.isArray(messages) ? messages : [messages];
      const batchId = createHash('sha256').update(JSON.stringify(list)).digest('hex').slice(0, 32);
      context.error(
        `${stage}: batch of ${list.length} failed on its last attempt; quarantined as ${batchId}: ${message}`,
      );
      await quarantine.put({
        id: `${stage}:batch:${batchId}`,
        stage,
        reason: 'batch failed after retries',
        error: message,
        payload: list,
        quarantinedAt: clock().toISOString(),
      });
    }
  };
}
