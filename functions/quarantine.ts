import { app } from '@azure/functions';
import { CosmosQuarantine } from '../shared/adapters/cosmos.js';
import { getRuntime, lazy } from '../shared/runtime.js';
import { makeQuarantineApi, quarantineApiRoutes } from '../shared/stages/quarantine-api.js';

getRuntime();

const api = lazy((runtime) =>
  makeQuarantineApi({
    store: new CosmosQuarantine(runtime.containers.quarantine),
    publisher: runtime.publisher,
    blobs: {
      touch: async (blobPath) => {
        const [container, ...name] = blobPath.split('/');
        // Rewrite the same bytes: a new version (ETag) for the local trigger, and a BlobCreated
        // event for the Event Grid trigger in Azure. The content never changes.
        const blob = runtime.blobService
          .getContainerClient(container ?? '')
          .getBlockBlobClient(name.join('/'));
        const properties = await blob.getProperties();
        const content = await blob.downloadToBuffer();
        await blob.upload(content, content.length, {
          metadata: properties.metadata ?? {},
          blobHTTPHeaders: { blobContentType: properties.contentType ?? 'application/json' },
          conditions: { ifMatch: properties.etag ?? '*' },
        });
      },
    },
    clock: runtime.clock,
  }),
);

app.http('quarantineList', {
  ...quarantineApiRoutes.list,
  methods: ['GET'],
  handler: (request, context) => api().list(request, context),
});
app.http('quarantineReplay', {
  ...quarantineApiRoutes.replay,
  methods: ['POST'],
  handler: (request, context) => api().replay(request, context),
});
