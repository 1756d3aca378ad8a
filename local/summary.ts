/**
 * What the pipeline has done so far, read from the stores themselves: items landed, how far
 * each got, incidents, cards and tickets sent, anything quarantined or poisoned. Used by
 * `npm start` after the demo and by the end-to-end tests to wait until nothing is in flight.
 */
import { CosmosClient } from '@azure/cosmos';
import { BlobServiceClient } from '@azure/storage-blob';
import { blobContainers, cosmosContainers, settings } from '../shared/topology.js';
import type { Incident } from '../shared/domain/route/incident.js';
import { inFlightOutboxItems } from '../shared/stages/route.js';
import type { LocalStack } from './stack.js';

export interface PipelineSummary {
  rawBlobs: number;
  normalized: number;
  classified: number;
  scored: number;
  routed: number;
  quarantined: number;
  poisonedBlobs: number;
  /** Incidents that alerted (any status but `watching`). */
  incidents: number;
  /** Products × categories with defect evidence but no alert (`status=watching`). */
  watching: number;
  cards: number;
  tickets: number;
  /** Cards, tickets and escalations queued or being sent now (quiet hours' held cards excluded). */
  outboxInFlight: number;
}

async function countBlobs(service: BlobServiceClient, container: string): Promise<number> {
  const client = service.getContainerClient(container);
  if (!(await client.exists())) return 0;
  let count = 0;
  for await (const _blob of client.listBlobsFlat()) count += 1;
  return count;
}

async function countDocuments(
  client: CosmosClient,
  database: string,
  container: string,
  where = '',
): Promise<number> {
  const { resources } = await client
    .database(database)
    .container(container)
    .items.query<number>(`SELECT VALUE COUNT(1) FROM c ${where}`)
    .fetchAll();
  return resources[0] ?? 0;
}

async function countOutboxInFlight(client: CosmosClient, database: string): Promise<number> {
  const { resources } = await client
    .database(database)
    .container(cosmosContainers.incidents.name)
    .items.query<Pick<Incident, 'outbox'>>("SELECT c.outbox FROM c WHERE c.docType = 'incident'")
    .fetchAll();
  const now = new Date();
  return resources.reduce(
    (sum, incident) => sum + inFlightOutboxItems({ outbox: incident.outbox ?? [] }, now),
    0,
  );
}

async function countReceived(baseUrl: string, receiver: 'teams' | 'tickets', kind?: string): Promise<number> {
  const response = await fetch(`${baseUrl}/_local/${receiver}`);
  const entries = (await response.json()) as { kind?: string }[];
  return kind ? entries.filter((entry) => entry.kind === kind).length : entries.length;
}

export async function pipelineSummary(stack: LocalStack): Promise<PipelineSummary> {
  const blobs = BlobServiceClient.fromConnectionString(stack.azurite.connectionString);
  const cosmos = new CosmosClient({
    endpoint: stack.cosmos.endpoint,
    key: stack.settings[settings.cosmosKey] ?? '',
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const database = stack.settings[settings.cosmosDatabase] ?? 'feedback';
  const feedbackWith = (block: string) =>
    countDocuments(cosmos, database, cosmosContainers.feedback.name, `WHERE IS_DEFINED(c.${block})`);
  const incidentsWhere = (status: string) =>
    countDocuments(
      cosmos,
      database,
      cosmosContainers.incidents.name,
      `WHERE c.docType = 'incident' AND c.status ${status}`,
    );
  try {
    const [
      rawBlobs,
      normalized,
      classified,
      scored,
      routed,
      quarantined,
      poisonedBlobs,
      incidents,
      watching,
      cards,
      tickets,
      outboxInFlight,
    ] = await Promise.all([
      countBlobs(blobs, blobContainers.raw),
      feedbackWith('normalized'),
      feedbackWith('classification'),
      feedbackWith('score'),
      feedbackWith('route'),
      countDocuments(cosmos, database, cosmosContainers.quarantine.name),
      countBlobs(blobs, blobContainers.poison),
      incidentsWhere("!= 'watching'"),
      incidentsWhere("= 'watching'"),
      countReceived(stack.baseUrl, 'teams'),
      countReceived(stack.baseUrl, 'tickets', 'create'),
      countOutboxInFlight(cosmos, database),
    ]);
    return {
      rawBlobs,
      normalized,
      classified,
      scored,
      routed,
      quarantined,
      poisonedBlobs,
      incidents,
      watching,
      cards,
      tickets,
      outboxInFlight,
    };
  } finally {
    cosmos.dispose();
  }
}

/**
 * Waits until the pipeline is quiet: every landed item has been routed or quarantined and no card
 * or ticket is still on its way, or no counter has moved for `quietMs`. Returns the last summary.
 */
const MAX_PROBE_FAILURES = 10;

export async function waitUntilSettled(
  stack: LocalStack,
  options: {
    expectedItems?: number;
    timeoutMs: number;
    quietMs?: number;
    onProgress?: (summary: PipelineSummary) => void;
  },
): Promise<PipelineSummary> {
  const deadline = Date.now() + options.timeoutMs;
  const quietMs = options.quietMs ?? 15000;
  let last = '';
  let lastChange = Date.now();
  let failures = 0;
  for (;;) {
    let summary: PipelineSummary;
    try {
      summary = await pipelineSummary(stack);
      failures = 0;
    } catch (error) {
      // A busy machine can make one probe time out; only a service that stays away is an error.
      failures += 1;
      if (failures >= MAX_PROBE_FAILURES || Date.now() > deadline) {
        throw new Error(`the pipeline summary failed ${failures} times in a row`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
      continue;
    }
    options.onProgress?.(summary);
    const expected = options.expectedItems ?? summary.rawBlobs;
    const accountedFor = summary.routed + summary.quarantined + summary.poisonedBlobs;
    if (expected > 0 && accountedFor >= expected && summary.outboxInFlight === 0) return summary;
    const key = JSON.stringify(summary);
    if (key !== last) {
      last = key;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > quietMs) {
      return summary;
    }
    if (Date.now() > deadline) return summary;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
