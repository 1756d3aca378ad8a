/**
 * Cosmos DB client, containers and the two stores every stage shares (the enriched feedback
 * record and the quarantine). Portable subset only: point reads and writes keyed by partition
 * key, ETag preconditions, patch; no GROUP BY, change feed, TTL or stored procedures.
 */
import { CosmosClient, type Container, type Database } from '@azure/cosmos';
import type { TokenCredential } from '@azure/identity';
import type { Config } from '../config.js';
import { cosmosContainers, type CosmosContainerKey } from '../topology.js';
import type { FeedbackDocument, FeedbackStore, Quarantine, QuarantineEntry } from '../stages/ports.js';
import type { QuarantineStore, StoredQuarantineEntry } from '../stages/quarantine-api.js';

export function createCosmosClient(config: Config, credential?: TokenCredential): CosmosClient {
  if (config.mode === 'local') {
    // The local emulator speaks plain HTTP on loopback: no certificate to trust, and endpoint
    // discovery off so the client never follows the emulator's advertised https address.
    return new CosmosClient({
      endpoint: config.cosmos.endpoint,
      key: config.cosmos.key ?? '',
      connectionPolicy: { enableEndpointDiscovery: false },
    });
  }
  if (!credential) throw new Error('Cosmos DB in azure mode needs the managed identity credential');
  return new CosmosClient({ endpoint: config.cosmos.endpoint, aadCredentials: credential });
}

export type CosmosContainers = Record<CosmosContainerKey, Container>;

export function cosmosContainersOf(database: Database): CosmosContainers {
  const entries = Object.entries(cosmosContainers).map(([key, definition]) => [
    key,
    database.container(definition.name),
  ]);
  return Object.fromEntries(entries) as CosmosContainers;
}

/** Creates the database and every container of the topology (local stack and tests only). */
export async function ensureCosmosSchema(client: CosmosClient, databaseName: string): Promise<Database> {
  const { database } = await client.databases.createIfNotExists({ id: databaseName });
  for (const definition of Object.values(cosmosContainers)) {
    await database.containers.createIfNotExists({
      id: definition.name,
      partitionKey: { paths: [definition.partitionKey] },
    });
  }
  return database;
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number'
    ? error.code
    : undefined;
}

const MAX_CONFLICT_RETRIES = 8;

interface StoredFeedback extends FeedbackDocument {
  _etag?: string;
}

/** The `feedback` container: one document per feedback id, each stage's block added in place. */
export class CosmosFeedbackStore implements FeedbackStore {
  constructor(private readonly container: Container) {}

  async get(feedbackId: string): Promise<FeedbackDocument | undefined> {
    const { resource } = await this.container.item(feedbackId, feedbackId).read<StoredFeedback>();
    if (!resource) return undefined;
    const { id, revision, header, normalized, classification, score, route } = resource;
    return { id, revision, header, normalized, classification, score, route };
  }

  async putNormalized(
    feedbackId: string,
    revision: string,
    header: Record<string, unknown>,
    normalized: unknown,
  ): Promise<'written' | 'unchanged' | 'stale'> {
    for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
      const { resource: existing } = await this.container.item(feedbackId, feedbackId).read<StoredFeedback>();
      if (existing && existing.revision > revision) return 'stale';
      if (existing && existing.revision === revision) return 'unchanged';
      const document: FeedbackDocument = { id: feedbackId, revision, header, normalized };
      try {
        if (existing?._etag) {
          await this.container.item(feedbackId, feedbackId).replace(document, {
            accessCondition: { type: 'IfMatch', condition: existing._etag },
          });
        } else {
          await this.container.items.create(document);
        }
        return 'written';
      } catch (error) {
        const status = statusOf(error);
        if (status === 409 || status === 412) continue; // someone else wrote first: read again
        throw error;
      }
    }
    throw new Error(`feedback ${feedbackId}: too many concurrent writers`);
  }

  async putBlock(
    feedbackId: string,
    revision: string,
    block: 'classification' | 'score' | 'route',
    value: unknown,
  ): Promise<'written' | 'stale'> {
    // Read, then patch under the ETag: only the stored revision gets the block. (A patch with a
    // filter predicate would save the read, but the local emulator evaluates such filters wrongly.)
    for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
      const { resource: existing } = await this.container.item(feedbackId, feedbackId).read<StoredFeedback>();
      if (!existing || existing.revision !== revision || !existing._etag) return 'stale';
      try {
        await this.container.item(feedbackId, feedbackId).patch([{ op: 'set', path: `/${block}`, value }], {
          accessCondition: { type: 'IfMatch', condition: existing._etag },
        });
        return 'written';
      } catch (error) {
        const status = statusOf(error);
        if (status === 412) continue; // another stage wrote its block first: read again
        if (status === 404) return 'stale';
        throw error;
      }
    }
    throw new Error(`feedback ${feedbackId}: too many concurrent writers`);
  }
}

/** The `quarantine` container: what could not be processed, with its reason, replayable. */
export class CosmosQuarantine implements Quarantine, QuarantineStore {
  constructor(private readonly container: Container) {}

  async put(entry: QuarantineEntry): Promise<void> {
    await this.container.items.upsert({ ...entry, status: 'quarantined' });
  }

  async list(limit: number): Promise<StoredQuarantineEntry[]> {
    const { resources } = await this.container.items
      .query<StoredQuarantineEntry>({
        query: 'SELECT TOP @limit * FROM c ORDER BY c.quarantinedAt DESC',
        parameters: [{ name: '@limit', value: limit }],
      })
      .fetchAll();
    return resources.map(withoutSystemFields);
  }

  async get(id: string): Promise<StoredQuarantineEntry | undefined> {
    const { resource } = await this.container.item(id, id).read<StoredQuarantineEntry>();
    return resource ? withoutSystemFields(resource) : undefined;
  }

  async markReplayed(entry: StoredQuarantineEntry, at: string): Promise<void> {
    await this.container.item(entry.id, entry.id).patch([
      { op: 'set', path: '/status', value: 'replayed' },
      { op: 'set', path: '/replayedAt', value: at },
      { op: 'set', path: '/replays', value: (entry.replays ?? 0) + 1 },
    ]);
  }
}

function withoutSystemFields<T extends object>(document: T): T {
  const copy = { ...document } as Record<string, unknown>;
  for (const key of Object.keys(copy)) if (key.startsWith('_')) delete copy[key];
  return copy as T;
}
