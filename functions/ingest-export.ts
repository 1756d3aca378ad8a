import { app, type InvocationContext } from '@azure/functions';
import { BlobLanding, BlobRawStore } from '../shared/adapters/blob-raw-store.js';
import { consoleLogger } from '../shared/adapters/logger.js';
import { getRuntime, lazy } from '../shared/runtime.js';
import { makeIngestExportFile } from '../shared/stages/ingest-export.js';
import { blobContainers, settings } from '../shared/topology.js';

getRuntime();

const blobPathOf = (context: InvocationContext): string => {
  const path = context.triggerMetadata?.blobTrigger;
  return typeof path === 'string' ? path : '';
};

const ingestFile = lazy((runtime) =>
  makeIngestExportFile({
    rawStore: new BlobRawStore(runtime.blobService.getContainerClient(blobContainers.raw)),
    landing: new BlobLanding(runtime.blobService.getContainerClient(blobContainers.landing)),
    clock: runtime.clock,
    logger: consoleLogger('ingest-export'),
  }),
);

app.storageBlob('ingestExport', {
  path: `${blobContainers.landing}/{name}`,
  connection: settings.feedbackStorage,
  source: 'EventGrid',
  // The file is streamed from storage row by row; the trigger payload itself is not used.
  handler: async (_blob: unknown, context: InvocationContext) => {
    const report = await ingestFile()(blobPathOf(context));
    context.log(
      `export ${report.file}: ${report.status}, accepted ${report.rowsAccepted}, rejected ${report.rowsRejected}`,
    );
  },
});
