import type { BlobServiceClient } from '@azure/storage-blob';
import type { BlobRetrigger } from '../stages/quarantine-api.js';

/**
 * Replays a blob-triggered item by writing the same bytes again, under the current ETag: a new
 * version for the local trigger's receipts and a BlobCreated event for the Event Grid trigger in
 * Azure. The content never changes.
 */
export class BlobRewriteRetrigger implements BlobRetrigger {
  constructor(private readonly service: BlobServiceClient) {}

  async touch(blobPath: string): Promise<void> {
    const [container, ...name] = blobPath.split('/');
    const blob = this.service.getContainerClient(container ?? '').getBlockBlobClient(name.join('/'));
    const properties = await blob.getProperties();
    const content = await blob.downloadToBuffer();
    await blob.upload(content, content.length, {
      metadata: properties.metadata ?? {},
      blobHTTPHeaders: { blobContentType: properties.contentType ?? 'application/json' },
      conditions: { ifMatch: properties.etag ?? '*' },
    });
  }
}
