import { app } from '@azure/functions';
import { getRuntime, lazy } from '../shared/runtime.js';
import { makeHealth } from '../shared/stages/read-api.js';
import { blobContainers, hubs } from '../shared/topology.js';

getRuntime(); // settings are validated at start-up

const handler = lazy((runtime) =>
  makeHealth([
    {
      name: 'blob',
      check: async () =>
        void (await runtime.blobService.getContainerClient(blobContainers.raw).getProperties()),
    },
    { name: 'cosmos', check: async () => void (await runtime.cosmosDatabase.read()) },
    ...Object.values(hubs).map((hub) => ({
      name: `eventhubs:${hub.name}`,
      check: async () => void (await runtime.publisher.hubProperties(hub.name)),
    })),
  ]),
);

app.http('health', {
  route: 'health',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: (request, context) => handler()(request, context),
});
