import { app } from '@azure/functions';
import { getRuntime, lazy } from '../shared/runtime.js';
import { makeFeedbackApi } from '../shared/stages/read-api.js';
import { blobContainers } from '../shared/topology.js';

getRuntime();

const handler = lazy((runtime) =>
  makeFeedbackApi({
    feedbackStore: runtime.feedbackStore,
    rawContainerUrl: runtime.blobService.getContainerClient(blobContainers.raw).url,
  }),
);

app.http('feedback', {
  route: 'feedback/{id}',
  methods: ['GET'],
  authLevel: 'function',
  handler: (request, context) => handler()(request, context),
});
