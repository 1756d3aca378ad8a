/**
 * Event Hubs triggers with the Functions host's semantics, through the real
 * `EventHubConsumerClient` and `BlobCheckpointStore` on host storage:
 *  - batches of up to `maxEventBatchSize` (host.json), `cardinality: 'many'` or `'one'`;
 *  - at most one invocation in flight per partition (the SDK awaits each batch);
 *  - the registration's retry policy re-runs a failed batch, holding the partition and its
 *    checkpoint meanwhile, with `context.retryContext` set;
 *  - a checkpoint after every batch, whether the function succeeded or finally failed: a batch
 *    that still fails after its retries is gone, as in Azure (stages quarantine it themselves);
 *  - input data and trigger metadata shaped as the host sends them (bodies as JSON text; with
 *    `dataType: 'string'` a collection of strings; properties and system properties arrays).
 */
import {
  EventHubConsumerClient,
  earliestEventPosition,
  type ReceivedEventData,
  type Subscription,
} from '@azure/event-hubs';
import { BlobCheckpointStore } from '@azure/eventhubs-checkpointstore-blob';
import { BlobServiceClient } from '@azure/storage-blob';
import { blobContainers } from '../../shared/topology.js';
import { invokeFunction, retryDelayMs, type HostLog, type TypedData } from './invoke.js';
import { stringProperty, type ProgrammingModel, type Registration } from './registrations.js';

export interface EventHubTriggerOptions {
  model: ProgrammingModel;
  registration: Registration;
  /** Connection string the binding's `connection` setting holds. */
  connectionString: string;
  hostStorageConnectionString: string;
  /** Resolves `%SETTING%` binding expressions. */
  resolveSetting(value: string): string;
  hostId: string;
  maxEventBatchSize: number;
  maxWaitTimeSeconds: number;
  log: HostLog;
}

export interface EventHubTriggerStats {
  batches: number;
  events: number;
  failedBatches: number;
}

export interface RunningEventHubTrigger {
  stop(): Promise<void>;
  stats: EventHubTriggerStats;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function bodyText(event: ReceivedEventData): string {
  const body: unknown = event.body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function systemProperties(event: ReceivedEventData): Record<string, unknown> {
  return {
    'x-opt-sequence-number': event.sequenceNumber,
    'x-opt-offset': event.offset,
    'x-opt-enqueued-time': event.enqueuedTimeUtc.toISOString(),
    'x-opt-partition-key': event.partitionKey ?? null,
    SequenceNumber: event.sequenceNumber,
    Offset: event.offset,
    PartitionKey: event.partitionKey ?? null,
    EnqueuedTimeUtc: event.enqueuedTimeUtc.toISOString(),
  };
}

export async function startEventHubTrigger(options: EventHubTriggerOptions): Promise<RunningEventHubTrigger> {
  const trigger = options.registration.trigger;
  const functionName = options.registration.metadata.name;
  const hubName = options.resolveSetting(stringProperty(trigger, 'eventHubName'));
  const consumerGroup = options.resolveSetting(stringProperty(trigger, 'consumerGroup', '$Default'));
  const many = (trigger.cardinality as string | undefined) !== 'one';
  const dataType = trigger.dataType as string | undefined;
  const checkpoints = BlobServiceClient.fromConnectionString(
    options.hostStorageConnectionString,
  ).getContainerClient(blobContainers.checkpoints);
  await checkpoints.createIfNotExists();
  const client = new EventHubConsumerClient(
    consumerGroup,
    options.connectionString,
    hubName,
    new BlobCheckpointStore(checkpoints),
    {
      // A stable owner id: after a restart this host reclaims its partitions at once.
      identifier: `${options.hostId}-${functionName}`,
      loadBalancingOptions: {
        strategy: 'greedy',
        updateIntervalInMs: 2000,
        partitionOwnershipExpirationIntervalInMs: 20000,
      },
    },
  );
  const stats: EventHubTriggerStats = { batches: 0, events: 0, failedBatches: 0 };
  const retry = options.registration.metadata.retryOptions;
  let stopping = false;

  const inputFor = (events: ReceivedEventData[]): TypedData => {
    const texts = events.map(bodyText);
    if (!many) {
      const text = texts[0] ?? '';
      return dataType === 'binary' ? { bytes: new Uint8Array(Buffer.from(text)) } : { string: text };
    }
    if (dataType === 'string') return { collectionString: { string: texts } };
    if (dataType === 'binary')
      return { collectionBytes: { bytes: texts.map((text) => new Uint8Array(Buffer.from(text))) } };
    // Without a data type the host hands the batch over as one JSON array: a body that is not
    // JSON fails the invocation, as it does in Azure.
    return { json: `[${texts.join(',')}]` };
  };

  const metadataFor = (events: ReceivedEventData[], partitionId: string): Record<string, TypedData> => {
    const json = (value: unknown): TypedData => ({ json: JSON.stringify(value) });
    const partitionContext = json({
      ConsumerGroup: consumerGroup,
      EventHubName: hubName,
      FullyQualifiedNamespace: client.fullyQualifiedNamespace,
      PartitionId: partitionId,
    });
    if (!many) {
      const event = events[0];
      if (!event) return {};
      return {
        PartitionContext: partitionContext,
        Properties: json(event.properties ?? {}),
        SystemProperties: json(systemProperties(event)),
        SequenceNumber: { int: event.sequenceNumber },
        Offset: { string: String(event.offset) },
        PartitionKey: { string: event.partitionKey ?? '' },
        EnqueuedTimeUtc: { string: event.enqueuedTimeUtc.toISOString() },
      };
    }
    return {
      PartitionContext: partitionContext,
      PropertiesArray: json(events.map((event) => event.properties ?? {})),
      SystemPropertiesArray: json(events.map(systemProperties)),
      SequenceNumberArray: json(events.map((event) => event.sequenceNumber)),
      OffsetArray: json(events.map((event) => String(event.offset))),
      PartitionKeyArray: json(events.map((event) => event.partitionKey ?? null)),
      EnqueuedTimeUtcArray: json(events.map((event) => event.enqueuedTimeUtc.toISOString())),
    };
  };

  const runWithRetries = async (events: ReceivedEventData[], partitionId: string): Promise<void> => {
    const maxRetryCount = retry?.maxRetryCount ?? 0;
    let lastError: unknown;
    for (let attempt = 0; attempt <= maxRetryCount; attempt++) {
      if (attempt > 0) {
        if (stopping) throw lastError;
        await delay(retryDelayMs(retry!, attempt));
      }
      try {
        await invokeFunction(
          options.model,
          options.registration,
          {
            inputData: inputFor(events),
            triggerMetadata: metadataFor(events, partitionId),
            ...(retry
              ? {
                  retryContext: {
                    retryCount: attempt,
                    maxRetryCount,
                    ...(lastError
                      ? { exception: { message: String((lastError as Error).message ?? lastError) } }
                      : {}),
                  },
                }
              : {}),
          },
          options.log,
        );
        return;
      } catch (error) {
        lastError = error;
        options.log(
          'warning',
          functionName,
          `partition ${partitionId}: batch of ${events.length} failed (attempt ${attempt + 1} of ${maxRetryCount + 1}): ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    throw lastError;
  };

  const subscription: Subscription = client.subscribe(
    {
      processEvents: async (events, context) => {
        if (events.length === 0) return;
        const batches = many ? [events] : events.map((event) => [event]);
        for (const batch of batches) {
          try {
            await runWithRetries(batch, context.partitionId);
          } catch {
            stats.failedBatches += 1;
            options.log(
              'error',
              functionName,
              `partition ${context.partitionId}: batch of ${batch.length} failed after its retries; checkpointing past it`,
            );
          }
          stats.batches += 1;
          stats.events += batch.length;
          const last = batch[batch.length - 1];
          if (last) await context.updateCheckpoint(last);
        }
      },
      processError: (error, context) => {
        if (stopping) return Promise.resolve();
        options.log('warning', functionName, `partition ${context.partitionId || '-'}: ${error.message}`);
        return Promise.resolve();
      },
    },
    {
      maxBatchSize: many ? options.maxEventBatchSize : 1,
      maxWaitTimeInSeconds: options.maxWaitTimeSeconds,
      // Without a checkpoint the host starts at the beginning of the stream (initialOffsetOptions: fromStart).
      startPosition: earliestEventPosition,
      skipParsingBodyAsJson: true,
    },
  );

  return {
    stats,
    async stop() {
      stopping = true;
      await subscription.close();
      await client.close();
    },
  };
}
