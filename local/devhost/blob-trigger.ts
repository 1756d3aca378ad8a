/**
 * Blob triggers as the Functions host runs them, on Azurite: the container is scanned for new or
 * changed blobs; each blob version (ETag) is processed once, recorded by a receipt in host
 * storage (`azure-webjobs-hosts/blobreceipts/...`); a blob that fails `poisonBlobThreshold` times
 * (host.json, default 5) is recorded in the `webjobs-blobtrigger-poison` container with its error,
 * and not tried again.
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { blobContainers } from '../../shared/topology.js';
import { invokeFunction, type HostLog } from './invoke.js';
import { stringProperty, type ProgrammingModel, type Registration } from './registrations.js';

export interface BlobTriggerOptions {
  model: ProgrammingModel;
  registration: Registration;
  /** Connection string of the storage account the binding's `connection` setting names. */
  connectionString: string;
  /** Connection string of host storage (AzureWebJobsStorage), where receipts live. */
  hostStorageConnectionString: string;
  hostId: string;
  pollIntervalMs: number;
  maxDegreeOfParallelism: number;
  poisonBlobThreshold: number;
  log: HostLog;
}

export interface RunningTrigger {
  stop(): Promise<void>;
  /** Resolves once every blob present now has been processed or poisoned (tests, summaries). */
  idle(): Promise<void>;
}

interface Receipt {
  etag: string;
  failures: number;
  done: boolean;
}

export async function startBlobTrigger(options: BlobTriggerOptions): Promise<RunningTrigger> {
  const path = stringProperty(options.registration.trigger, 'path');
  const [containerName, ...rest] = path.split('/');
  const namePattern = rest.join('/');
  if (!containerName || !/^\{[A-Za-z_]\w*\}$/.test(namePattern)) {
    throw new Error(
      `blob trigger ${options.registration.metadata.name}: path must look like 'container/{name}', got '${path}'`,
    );
  }
  const nameParameter = namePattern.slice(1, -1);
  const container = BlobServiceClient.fromConnectionString(options.connectionString).getContainerClient(
    containerName,
  );
  await container.createIfNotExists();
  const hostService = BlobServiceClient.fromConnectionString(options.hostStorageConnectionString);
  const receipts = hostService.getContainerClient(blobContainers.receipts);
  const poison = hostService.getContainerClient(blobContainers.poison);
  await receipts.createIfNotExists();
  await poison.createIfNotExists();
  const functionName = options.registration.metadata.name;
  const receiptPrefix = `blobreceipts/${options.hostId}/${functionName}/${containerName}/`;
  const known = new Map<string, Receipt>();
  for await (const blob of receipts.listBlobsFlat({ prefix: receiptPrefix, includeMetadata: true })) {
    known.set(blob.name.slice(receiptPrefix.length), {
      etag: blob.metadata?.etag ?? '',
      failures: Number(blob.metadata?.failures ?? '0'),
      done: blob.metadata?.done === 'true',
    });
  }

  const inFlight = new Set<string>();
  let stopped = false;
  let scanning: Promise<void> = Promise.resolve();
  let pendingWork = 0;
  const idleWaiters: (() => void)[] = [];

  const writeReceipt = async (name: string, receipt: Receipt): Promise<void> => {
    await receipts.getBlockBlobClient(receiptPrefix + name).upload('', 0, {
      metadata: {
        etag: receipt.etag.replace(/"/g, ''),
        failures: String(receipt.failures),
        done: String(receipt.done),
      },
    });
  };

  const processBlob = async (name: string, etag: string): Promise<void> => {
    const receipt = known.get(name);
    const failures = receipt && receipt.etag === etag ? receipt.failures : 0;
    const blobClient = container.getBlobClient(name);
    try {
      const content = await blobClient.downloadToBuffer();
      const properties = await blobClient.getProperties();
      const dataType = options.registration.trigger.dataType as string | undefined;
      await invokeFunction(
        options.model,
        options.registration,
        {
          inputData:
            dataType === 'string' ? { string: content.toString('utf8') } : { bytes: new Uint8Array(content) },
          triggerMetadata: {
            BlobTrigger: { string: `${containerName}/${name}` },
            Uri: { string: blobClient.url },
            [nameParameter]: { string: name },
            Properties: {
              json: JSON.stringify({
                ETag: properties.etag,
                Length: properties.contentLength,
                ContentType: properties.contentType,
                LastModified: properties.lastModified,
                CreatedOn: properties.createdOn,
              }),
            },
            Metadata: { json: JSON.stringify(properties.metadata ?? {}) },
          },
        },
        options.log,
      );
      const done = { etag, failures, done: true };
      await writeReceipt(name, done);
      known.set(name, done);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const next = { etag, failures: failures + 1, done: false };
      options.log(
        'error',
        functionName,
        `blob ${containerName}/${name} failed (attempt ${next.failures}): ${message}`,
      );
      if (next.failures >= options.poisonBlobThreshold) {
        next.done = true;
        const record = JSON.stringify({
          functionName,
          blobPath: `${containerName}/${name}`,
          etag,
          attempts: next.failures,
          error: message,
          poisonedAt: new Date().toISOString(),
        });
        await poison
          .getBlockBlobClient(`${functionName}/${containerName}/${name}.json`)
          .upload(record, Buffer.byteLength(record), {
            blobHTTPHeaders: { blobContentType: 'application/json' },
          });
        options.log(
          'warning',
          functionName,
          `blob ${containerName}/${name} moved to ${blobContainers.poison} after ${next.failures} failures`,
        );
      }
      await writeReceipt(name, next);
      known.set(name, next);
    }
  };

  const scan = async (): Promise<void> => {
    const work: Promise<void>[] = [];
    const queue: { name: string; etag: string }[] = [];
    for await (const blob of container.listBlobsFlat()) {
      const etag = (blob.properties.etag ?? '').replace(/"/g, '');
      const receipt = known.get(blob.name);
      if (receipt && receipt.etag === etag && receipt.done) continue;
      if (inFlight.has(blob.name)) continue;
      queue.push({ name: blob.name, etag });
    }
    pendingWork = queue.length;
    const worker = async (): Promise<void> => {
      for (let next = queue.shift(); next && !stopped; next = queue.shift()) {
        inFlight.add(next.name);
        try {
          await processBlob(next.name, next.etag);
        } finally {
          inFlight.delete(next.name);
          pendingWork = queue.length;
        }
      }
    };
    for (let i = 0; i < options.maxDegreeOfParallelism; i++) work.push(worker());
    await Promise.all(work);
    pendingWork = 0;
  };

  let timer: NodeJS.Timeout | undefined;
  let lastScanFoundNothing = false;
  const loop = (): void => {
    scanning = scan()
      .then(() => {
        lastScanFoundNothing = inFlight.size === 0;
      })
      .catch((error: unknown) => {
        lastScanFoundNothing = false;
        options.log(
          'warning',
          functionName,
          `blob scan failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      })
      .finally(() => {
        if (lastScanFoundNothing && pendingWork === 0) {
          for (const resolve of idleWaiters.splice(0)) resolve();
        }
        if (!stopped) timer = setTimeout(loop, options.pollIntervalMs);
      });
  };
  loop();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await scanning;
    },
    idle: () => new Promise<void>((resolve) => idleWaiters.push(resolve)),
  };
}
