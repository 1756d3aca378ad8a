import { app } from '@azure/functions';
import { BlobRewriteRetrigger } from '../shared/adapters/blob-retrigger.js';
import { getRuntime, lazy } from '../shared/runtime.js';
import { makeQuarantineApi, quarantineApiRoutes } from '../shared/stages/quarantine-api.js';

getRuntime();

const api = lazy((runtime) =>
  makeQuarantineApi({
    store: runtime.quarantine,
    publisher: runtime.publisher,
    blobs: new BlobRewriteRetrigger(runtime.blobService),
    clock: runtime.clock,
  }),
);

const { list, replay } = quarantineApiRoutes;
app.http('quarantineList', { ...list, methods: [...list.methods], handler: (r, c) => api().list(r, c) });
app.http('quarantineReplay', {
  ...replay,
  methods: [...replay.methods],
  handler: (r, c) => api().replay(r, c),
});
