/**
 * The composition root: settings are validated and SDK clients built once per process, then
 * shared by every function. Function files ask for what they need; tests never come here (they
 * build handlers from fakes).
 */
import { ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import type { Database } from '@azure/cosmos';
import { loadConfig, type Config } from './config.js';
import {
  cosmosContainersOf,
  CosmosFeedbackStore,
  CosmosQuarantine,
  createCosmosClient,
  type CosmosContainers,
} from './adapters/cosmos.js';
import { CosmosReviewQueue } from './adapters/cosmos-review-queue.js';
import { EventHubsPublisher } from './adapters/event-hubs-publisher.js';
import { createTelemetry, type Telemetry } from './adapters/telemetry.js';
import { loadCatalog, type Catalog } from './domain/catalog.js';
import { loadTaxonomy, type Taxonomy } from './domain/taxonomy.js';
import type { Clock, FeedbackStore } from './stages/ports.js';

export interface Runtime {
  config: Config;
  credential?: TokenCredential;
  blobService: BlobServiceClient;
  cosmosDatabase: Database;
  containers: CosmosContainers;
  publisher: EventHubsPublisher;
  feedbackStore: FeedbackStore;
  quarantine: CosmosQuarantine;
  reviewQueue: CosmosReviewQueue;
  taxonomy: Taxonomy;
  catalog: Catalog;
  telemetry: Telemetry;
  clock: Clock;
}

function createRuntime(config: Config): Runtime {
  const credential =
    config.mode === 'azure'
      ? new ManagedIdentityCredential({ clientId: config.managedIdentityClientId ?? '' })
      : undefined;
  const blobService =
    config.mode === 'local'
      ? BlobServiceClient.fromConnectionString(config.storage.feedback.connectionString ?? '')
      : new BlobServiceClient(config.storage.feedback.blobServiceUri ?? '', credential);
  const cosmosDatabase = createCosmosClient(config, credential).database(config.cosmos.database);
  const containers = cosmosContainersOf(cosmosDatabase);
  return {
    config,
    ...(credential ? { credential } : {}),
    blobService,
    cosmosDatabase,
    containers,
    publisher: new EventHubsPublisher(config, credential),
    feedbackStore: new CosmosFeedbackStore(containers.feedback),
    quarantine: new CosmosQuarantine(containers.quarantine),
    reviewQueue: new CosmosReviewQueue(containers.reviewQueue),
    taxonomy: loadTaxonomy(config.taxonomyPath),
    catalog: loadCatalog(config.catalogPath),
    telemetry: createTelemetry(config.appInsightsConnectionString),
    clock: () => new Date(),
  };
}

let runtime: Runtime | undefined;

/**
 * The process-wide runtime. The first call validates the settings: a missing or invalid one
 * throws a ConfigError naming it, which stops start-up (function files call this at load).
 */
export function getRuntime(): Runtime {
  runtime ??= createRuntime(loadConfig());
  return runtime;
}

/** A handler built once, on first use, from the runtime. */
export function lazy<T>(build: (runtime: Runtime) => T): () => T {
  let built: T | undefined;
  return () => {
    built ??= build(getRuntime());
    return built;
  };
}
