/**
 * The one source of truth for how the pipeline is wired: stages, triggers, hubs, partitions,
 * consumer groups, storage containers, Cosmos containers and app-setting names.
 *
 * Function registrations (functions/*.ts), the dev host, the local stack, Bicep and the
 * name-agreement test all read from here. Nothing else spells these names.
 */

/** App settings. Binding `connection:` values name a prefix; the host reads `<prefix>` or `<prefix>__*`. */
export const settings = {
  /** Functions host storage (leases, blob trigger receipts, Event Hubs checkpoints). */
  hostStorage: 'AzureWebJobsStorage',
  /** Connection prefix for the pipeline's own blob containers (raw, landing, quarantine). */
  feedbackStorage: 'FEEDBACK_STORAGE',
  /** Connection prefix for the Event Hubs namespace. */
  eventHubs: 'EVENTHUB_CONNECTION',
  cosmosEndpoint: 'COSMOS_ENDPOINT',
  cosmosDatabase: 'COSMOS_DATABASE',
  /** Local emulator only; Azure uses managed identity. */
  cosmosKey: 'COSMOS_KEY',
  /** `local` (emulators, keys) or `azure` (managed identity, no keys). */
  mode: 'PIPELINE_MODE',
  /** Client id of the user-assigned managed identity (Azure mode). */
  managedIdentityClientId: 'AZURE_CLIENT_ID',
  shopifySecrets: 'SHOPIFY_WEBHOOK_SECRETS',
  judgemeSecrets: 'JUDGEME_WEBHOOK_SECRETS',
  zendeskSecrets: 'ZENDESK_WEBHOOK_SECRETS',
  genericSecrets: 'GENERIC_WEBHOOK_SECRETS',
  webhookMaxBytes: 'WEBHOOK_MAX_BYTES',
  webhookReplayWindowSeconds: 'WEBHOOK_REPLAY_WINDOW_SECONDS',
  /** HMAC key for stable tokens (customer ids, order and tracking numbers). */
  tokenKey: 'PII_TOKEN_KEY',
  /** HMAC key for signed, expiring action links on Teams cards. */
  actionLinkKey: 'ACTION_LINK_KEY',
  /** Base URL of this Function App, used to build links on cards. */
  publicBaseUrl: 'PUBLIC_BASE_URL',
  teamsWebhookUrl: 'TEAMS_WEBHOOK_URL',
  ticketLogicAppUrl: 'TICKET_LOGIC_APP_URL',
  openAiEndpoint: 'AZURE_OPENAI_ENDPOINT',
  openAiKey: 'AZURE_OPENAI_API_KEY',
  openAiDeployment: 'AZURE_OPENAI_DEPLOYMENT',
  openAiApiVersion: 'AZURE_OPENAI_API_VERSION',
  appInsightsConnectionString: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
  /** NCRONTAB of the route timer; the timer binding reads it as `%ROUTE_TIMER_SCHEDULE%`. */
  routeTimerSchedule: 'ROUTE_TIMER_SCHEDULE',
} as const;

export type SettingName = (typeof settings)[keyof typeof settings];

/** Event hubs between stages; partition key is the product key. */
export const hubs = {
  normalized: { name: 'feedback-normalized', partitions: 4 },
  classified: { name: 'feedback-classified', partitions: 4 },
  scored: { name: 'feedback-scored', partitions: 4 },
} as const;

export type HubKey = keyof typeof hubs;

/** Blob containers in the feedback storage account. */
export const blobContainers = {
  /** Immutable raw envelopes: raw/{source}/{yyyy}/{mm}/{dd}/{sourceId}@{revision}.json */
  raw: 'raw',
  /** Export files (CSV/JSONL) dropped for bulk ingest, with their reports. */
  landing: 'landing',
  /** Blobs the blob trigger gave up on after its retries (the host's poison container). */
  poison: 'webjobs-blobtrigger-poison',
  /** Event Hubs checkpoints and ownership (host storage). */
  checkpoints: 'eventhub-checkpoints',
  /** Blob trigger receipts (host storage). */
  receipts: 'azure-webjobs-hosts',
} as const;

/** Cosmos DB containers and their partition key paths. */
export const cosmosContainers = {
  feedback: { name: 'feedback', partitionKey: '/id' },
  features: { name: 'features', partitionKey: '/key' },
  incidents: { name: 'incidents', partitionKey: '/key' },
  reviewQueue: { name: 'reviewQueue', partitionKey: '/id' },
  quarantine: { name: 'quarantine', partitionKey: '/id' },
  llmCache: { name: 'llmCache', partitionKey: '/hash' },
  dedupe: { name: 'dedupe', partitionKey: '/key' },
} as const;

export type CosmosContainerKey = keyof typeof cosmosContainers;

export const defaultCosmosDatabase = 'feedback';

/** The five pipeline stages, in order, with their triggers and outputs. */
export const stages = {
  ingest: { functionName: 'ingest', trigger: 'http', route: 'webhooks/{source}', emitsTo: 'raw blob' },
  normalize: {
    functionName: 'normalize',
    trigger: 'blob',
    container: blobContainers.raw,
    emitsTo: hubs.normalized.name,
  },
  classify: {
    functionName: 'classify',
    trigger: 'eventHub',
    hub: hubs.normalized.name,
    consumerGroup: 'classify',
    emitsTo: hubs.classified.name,
  },
  score: {
    functionName: 'score',
    trigger: 'eventHub',
    hub: hubs.classified.name,
    consumerGroup: 'score',
    emitsTo: hubs.scored.name,
  },
  route: {
    functionName: 'route',
    trigger: 'eventHub',
    hub: hubs.scored.name,
    consumerGroup: 'route',
    emitsTo: 'teams, tickets',
  },
} as const;

export type StageName = keyof typeof stages;

/** Consumer groups each hub needs: `$Default` plus the one its consuming stage reads with. */
export function consumerGroupsFor(hubName: string): string[] {
  const groups = Object.values(stages)
    .filter((stage) => 'hub' in stage && stage.hub === hubName)
    .map((stage) => ('consumerGroup' in stage ? stage.consumerGroup : ''))
    .filter((group) => group !== '');
  return ['$Default', ...groups];
}

/** Retry policy of the Event Hubs-triggered stages (the host holds the partition meanwhile). */
export const eventHubRetry = {
  strategy: 'exponentialBackoff',
  maxRetryCount: 3,
  minimumInterval: { seconds: 1 },
  maximumInterval: { seconds: 10 },
} as const;
