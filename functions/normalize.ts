import { app, type InvocationContext } from '@azure/functions';
import { CosmosDedupeStore } from '../shared/adapters/cosmos-dedupe-store.js';
import { consoleLogger } from '../shared/adapters/logger.js';
import { getRuntime, lazy } from '../shared/runtime.js';
import { instrumented } from '../shared/stages/instrumented.js';
import { makeNormalize } from '../shared/stages/normalize.js';
import { blobContainers, settings, stages } from '../shared/topology.js';

getRuntime(); // settings are validated at start-up

const handler = lazy((runtime) =>
  instrumented(
    'normalize',
    runtime.telemetry,
    makeNormalize({
      publisher: runtime.publisher,
      feedbackStore: runtime.feedbackStore,
      dedupeStore: new CosmosDedupeStore(runtime.containers.dedupe),
      quarantine: runtime.quarantine,
      catalog: runtime.catalog,
      taxonomy: runtime.taxonomy,
      tokenKey: runtime.config.tokenKey,
      nearDuplicateThreshold: runtime.config.nearDuplicateThreshold,
      dedupeWindowDays: runtime.config.dedupeWindowDays,
      clock: runtime.clock,
      logger: consoleLogger('normalize'),
    }),
  ),
);

// Blob trigger on raw/: one immutable envelope per item. In Azure the source is Event Grid
// (Flex Consumption requires it); the dev host scans the container with ETag receipts.
app.storageBlob(stages.normalize.functionName, {
  path: `${blobContainers.raw}/{name}`,
  connection: settings.feedbackStorage,
  source: 'EventGrid',
  handler: (blob: unknown, context: InvocationContext) => handler()(blob as Buffer, context),
});
