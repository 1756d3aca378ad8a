import { app } from '@azure/functions';
import { BlobRawStore } from '../shared/adapters/blob-raw-store.js';
import { consoleLogger } from '../shared/adapters/logger.js';
import { getRuntime, lazy } from '../shared/runtime.js';
import { makeIngestWebhook } from '../shared/stages/ingest.js';
import { blobContainers, stages } from '../shared/topology.js';

getRuntime(); // settings are validated at start-up

const handler = lazy((runtime) =>
  makeIngestWebhook({
    rawStore: new BlobRawStore(runtime.blobService.getContainerClient(blobContainers.raw)),
    secrets: runtime.config.webhooks.secrets,
    maxBodyBytes: runtime.config.webhooks.maxBytes,
    replayWindowSeconds: runtime.config.webhooks.replayWindowSeconds,
    clock: runtime.clock,
    logger: consoleLogger('ingest'),
  }),
);

app.http(stages.ingest.functionName, {
  route: stages.ingest.route,
  methods: ['POST'],
  authLevel: 'anonymous', // every delivery is authenticated by its signature
  handler: (request, context) => handler()(request, context),
});
