/**
 * Invokes one registered function the way the worker does: the host's RPC invocation request
 * (input data and trigger metadata as typed data) goes through `@azure/functions`' own
 * InvocationModel, so arguments, `context.triggerMetadata` (camel-cased recursively),
 * `retryContext` and the response are shaped by the library itself.
 */
import { randomUUID } from 'node:crypto';
import type { ProgrammingModel, Registration } from './registrations.js';

/** The worker's typed data (a subset of RpcTypedData). */
export type TypedData =
  | { string: string }
  | { json: string }
  | { bytes: Uint8Array }
  | { int: number }
  | { double: number }
  | { http: Record<string, unknown> }
  | { collectionString: { string: string[] } }
  | { collectionBytes: { bytes: Uint8Array[] } };

export interface InvocationRequest {
  inputData: TypedData;
  triggerMetadata?: Record<string, TypedData>;
  retryContext?: { retryCount: number; maxRetryCount: number; exception?: { message: string } };
}

export interface InvocationResult {
  returnValue?: unknown;
  outputData?: unknown[];
}

export type HostLog = (level: string, functionName: string, message: string) => void;

export async function invokeFunction(
  model: ProgrammingModel,
  registration: Registration,
  request: InvocationRequest,
  log: HostLog,
): Promise<InvocationResult> {
  const invocationId = randomUUID();
  const coreContext = {
    invocationId,
    metadata: registration.metadata,
    request: {
      invocationId,
      functionId: registration.metadata.name,
      inputData: [{ name: registration.trigger.name, data: request.inputData }],
      triggerMetadata: request.triggerMetadata ?? {},
      retryContext: request.retryContext,
    },
    state: 'invocation',
    log: (level: string, _category: string, message: string) =>
      log(level, registration.metadata.name, message),
  };
  const invocationModel = model.getInvocationModel(coreContext);
  const { context, inputs } = await invocationModel.getArguments();
  const result = await invocationModel.invokeFunction(context, inputs, registration.callback);
  return invocationModel.getResponse(context, result);
}

/** Delay of the n-th retry (1-based) under a registration's retry policy, in ms. */
export function retryDelayMs(
  retry: NonNullable<Registration['metadata']['retryOptions']>,
  attempt: number,
): number {
  const ms = (duration?: { seconds?: number | string; nanos?: number }): number =>
    duration ? Number(duration.seconds ?? 0) * 1000 + Math.floor((duration.nanos ?? 0) / 1e6) : 0;
  if (retry.retryStrategy === 'fixedDelay') return ms(retry.delayInterval);
  const minimum = ms(retry.minimumInterval);
  const maximum = ms(retry.maximumInterval) || Number.MAX_SAFE_INTEGER;
  return Math.min(maximum, minimum * 2 ** (attempt - 1));
}
