/**
 * Settings → typed config, validated once at start-up. Handlers never read process.env: they
 * get the parts of this object they need from the composition root.
 *
 * Two explicit modes:
 *  - `local`: the embedded emulators, connection strings and keys (development only);
 *  - `azure`: managed identity everywhere, no keys (identity-based `<Conn>__*` settings).
 *
 * Every setting is declared once in `settingDefinitions` (name, description, default); the JSON
 * Schema, the README's configuration table and the name-agreement test derive from it.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describeErrors } from './domain/validation.js';
import { settings } from './topology.js';
import { routeSettingNames, routeSettingsFrom, type RouteSettings } from './domain/route/settings.js';

export type PipelineMode = 'local' | 'azure';

export interface SettingDefinition {
  name: string;
  description: string;
  /** Which mode needs it; 'optional' settings have defaults or switch a feature off when absent. */
  requiredIn: 'both' | 'local' | 'azure' | 'optional';
  default?: string;
  secret?: boolean;
  /** JSON Schema for the string value (pattern, enum, format). */
  schema?: Record<string, unknown>;
}

const url = { type: 'string', pattern: '^https?://' };
const positiveInt = { type: 'string', pattern: '^[1-9][0-9]*$' };
const fraction = { type: 'string', pattern: '^(0(\\.[0-9]+)?|1(\\.0+)?)$' };

export const settingDefinitions: SettingDefinition[] = [
  {
    name: settings.mode,
    description: '`local` (emulators, keys) or `azure` (managed identity, no keys).',
    requiredIn: 'both',
    schema: { enum: ['local', 'azure'] },
  },
  {
    name: settings.hostStorage,
    description:
      'Functions host storage (local: a connection string). Azure uses `AzureWebJobsStorage__accountName` + `__credential` + `__clientId`.',
    requiredIn: 'local',
  },
  {
    name: settings.feedbackStorage,
    description:
      'Connection to the storage account with the `raw` and `landing` containers (local: a connection string). Azure uses `FEEDBACK_STORAGE__blobServiceUri` + `__credential` + `__clientId`.',
    requiredIn: 'local',
  },
  {
    name: `${settings.feedbackStorage}__blobServiceUri`,
    description: 'Azure: blob endpoint of the feedback storage account (identity-based connection).',
    requiredIn: 'azure',
    schema: url,
  },
  {
    name: settings.eventHubs,
    description:
      'Event Hubs connection (local: the emulator connection string ending `;UseDevelopmentEmulator=true`). Azure uses `EVENTHUB_CONNECTION__fullyQualifiedNamespace`.',
    requiredIn: 'local',
  },
  {
    name: `${settings.eventHubs}__fullyQualifiedNamespace`,
    description: 'Azure: Event Hubs namespace host name, e.g. `myns.servicebus.windows.net`.',
    requiredIn: 'azure',
  },
  {
    name: settings.cosmosEndpoint,
    description: 'Cosmos DB account endpoint.',
    requiredIn: 'both',
    schema: url,
  },
  {
    name: settings.cosmosDatabase,
    description: 'Cosmos DB database name.',
    requiredIn: 'optional',
    default: 'feedback',
  },
  {
    name: settings.cosmosKey,
    description: 'Local emulator only: any non-empty key. Never set in Azure (local auth is disabled there).',
    requiredIn: 'local',
    secret: true,
  },
  {
    name: settings.managedIdentityClientId,
    description: 'Azure: client id of the user-assigned managed identity used for every service.',
    requiredIn: 'azure',
  },
  {
    name: settings.shopifySecrets,
    description:
      'Shopify webhook signing secrets, comma-separated (rotation: old and new both valid). Key Vault reference in Azure.',
    requiredIn: 'both',
    secret: true,
  },
  {
    name: settings.judgemeSecrets,
    description: 'Judge.me webhook secrets, comma-separated.',
    requiredIn: 'both',
    secret: true,
  },
  {
    name: settings.zendeskSecrets,
    description: 'Zendesk webhook signing secrets, comma-separated.',
    requiredIn: 'both',
    secret: true,
  },
  {
    name: settings.genericSecrets,
    description: 'Secrets for the generic signed webhook, comma-separated.',
    requiredIn: 'both',
    secret: true,
  },
  {
    name: settings.webhookMaxBytes,
    description: 'Largest accepted webhook body in bytes; larger bodies get 413.',
    requiredIn: 'optional',
    default: '1048576',
    schema: positiveInt,
  },
  {
    name: settings.webhookReplayWindowSeconds,
    description: 'Timestamped signatures older or newer than this are rejected (401).',
    requiredIn: 'optional',
    default: '300',
    schema: positiveInt,
  },
  {
    name: settings.tokenKey,
    description:
      'HMAC key for stable tokens of customer ids and order/tracking numbers (at least 32 characters).',
    requiredIn: 'both',
    secret: true,
    schema: { type: 'string', minLength: 32 },
  },
  {
    name: settings.actionLinkKey,
    description: 'HMAC key for the signed, expiring action links on Teams cards (at least 32 characters).',
    requiredIn: 'both',
    secret: true,
    schema: { type: 'string', minLength: 32 },
  },
  {
    name: settings.publicBaseUrl,
    description: 'Public base URL of the Function App, for links on cards (local: http://127.0.0.1:7071).',
    requiredIn: 'both',
    schema: url,
  },
  {
    name: settings.teamsWebhookUrl,
    description:
      'Teams Workflows webhook URL for alert cards (local: the dev host receiver `/_local/teams`).',
    requiredIn: 'both',
    secret: true,
    schema: url,
  },
  {
    name: settings.ticketLogicAppUrl,
    description: 'HTTP trigger URL of the ticket Logic App (local: the dev host receiver `/_local/tickets`).',
    requiredIn: 'both',
    secret: true,
    schema: url,
  },
  {
    name: settings.openAiEndpoint,
    description:
      'Azure OpenAI (or OpenAI-compatible) endpoint. Empty: no LLM escalation (rules + local model only).',
    requiredIn: 'optional',
    default: '',
  },
  {
    name: settings.openAiKey,
    description: 'Local only: API key for the OpenAI endpoint. Azure uses the managed identity.',
    requiredIn: 'optional',
    default: '',
    secret: true,
  },
  {
    name: settings.openAiDeployment,
    description: 'Chat deployment name used for escalations.',
    requiredIn: 'optional',
    default: 'gpt-4o-mini',
  },
  {
    name: settings.openAiApiVersion,
    description: 'Azure OpenAI api-version (strict json_schema needs 2024-08-01-preview or later).',
    requiredIn: 'optional',
    default: '2024-10-21',
  },
  {
    name: settings.appInsightsConnectionString,
    description: 'Application Insights connection string. Empty: telemetry goes to the log only.',
    requiredIn: 'optional',
    default: '',
  },
  {
    name: 'NEAR_DUPLICATE_THRESHOLD',
    description: 'Jaccard similarity at or above which two texts about one product are near duplicates.',
    requiredIn: 'optional',
    default: '0.5',
    schema: fraction,
  },
  {
    name: 'DEDUPE_WINDOW_DAYS',
    description:
      'How far apart in event time two items about one product may be and still count as duplicates.',
    requiredIn: 'optional',
    default: '14',
    schema: positiveInt,
  },
  {
    name: 'CATALOG_PATH',
    description: 'Product catalog file (names, aliases, prices, strategic flag, supplier).',
    requiredIn: 'optional',
    default: 'config/catalog.json',
  },
  {
    name: 'TAXONOMY_PATH',
    description: 'Taxonomy file (categories, owner teams, components and synonyms).',
    requiredIn: 'optional',
    default: 'config/taxonomy.json',
  },
  {
    name: 'AZURE_OPENAI_FLAVOR',
    description:
      '`azure` (deployment paths, api-version) or `openai-compatible` (any OpenAI-compatible server; the endpoint is its base URL).',
    requiredIn: 'optional',
    default: 'azure',
    schema: { enum: ['azure', 'openai-compatible'] },
  },
  {
    name: 'CLASSIFY_CONFIDENCE_THRESHOLD',
    description:
      'Classify: below this confidence an item escalates to the LLM (when configured) and goes to the review queue.',
    requiredIn: 'optional',
    default: '0.55',
    schema: fraction,
  },
  {
    name: 'LLM_HOURLY_TOKEN_BUDGET',
    description:
      'Classify: most LLM tokens spent per hour per instance; past it items keep their local labels.',
    requiredIn: 'optional',
    default: '200000',
    schema: positiveInt,
  },
  {
    name: 'LLM_CONCURRENCY',
    description: 'Classify: most LLM calls in flight per instance.',
    requiredIn: 'optional',
    default: '4',
    schema: positiveInt,
  },
  {
    name: 'SCORE_SENSITIVITY',
    description:
      'Score: anomaly sensitivity from 0 (alert only on overwhelming evidence) to 1 (alert early); sets the test level.',
    requiredIn: 'optional',
    default: '0.5',
    schema: fraction,
  },
  {
    name: 'SCORE_MINIMUM_VOLUME',
    description: 'Score: fewest counted items in a window before a volume spike can alert.',
    requiredIn: 'optional',
    default: '5',
    schema: positiveInt,
  },
  {
    name: 'SCORE_LATENESS_HOURS',
    description: 'Score: how late (event time) an item may arrive and still update its buckets.',
    requiredIn: 'optional',
    default: '48',
    schema: positiveInt,
  },
  {
    name: 'SCORE_TICKET_CONFIDENCE',
    description: 'Score: classification confidence from which defect evidence becomes a ticket candidate.',
    requiredIn: 'optional',
    default: '0.75',
    schema: fraction,
  },
  {
    name: 'EXPECTED_EVENTS_PATH',
    description:
      'Score: expected events that suppress alerts with their reason (peak-season delays, suppliers under remediation).',
    requiredIn: 'optional',
    default: 'config/expected-events.json',
  },
  {
    name: routeSettingNames.dedupWindowMinutes,
    description:
      'Route: a second alert on the same incident inside this many minutes (event time) adds evidence, no new card.',
    requiredIn: 'optional',
    default: '240',
    schema: positiveInt,
  },
  {
    name: routeSettingNames.teamRateLimit,
    description:
      'Route: most cards one owner team gets per rate window; beyond it they go into a digest card.',
    requiredIn: 'optional',
    default: '5',
    schema: positiveInt,
  },
  {
    name: routeSettingNames.teamRateWindowMinutes,
    description: 'Route: length of the per-team rate window in minutes.',
    requiredIn: 'optional',
    default: '60',
    schema: positiveInt,
  },
  {
    name: routeSettingNames.quietHours,
    description:
      'Route: quiet hours as `HH:MM-HH:MM` in ROUTE_TIME_ZONE (cards wait until they end; critical bypasses). Empty: none.',
    requiredIn: 'optional',
    default: '',
  },
  {
    name: routeSettingNames.timeZone,
    description: 'Route: IANA time zone of the quiet hours.',
    requiredIn: 'optional',
    default: 'UTC',
  },
  {
    name: routeSettingNames.ackSlaMinutes,
    description: 'Route: minutes to acknowledge before escalating, per severity.',
    requiredIn: 'optional',
    default: 'critical=15,high=60,medium=240,low=1440',
  },
  {
    name: routeSettingNames.resolutionSlaHours,
    description: 'Route: hours to resolve (the ticket SLA due time), per severity.',
    requiredIn: 'optional',
    default: 'critical=4,high=24,medium=72,low=168',
  },
  {
    name: routeSettingNames.escalationPath,
    description:
      'Route: who is escalated to, in order, when an incident stays unacknowledged past its SLA (comma-separated).',
    requiredIn: 'optional',
    default: 'owner team lead,head of operations',
  },
  {
    name: routeSettingNames.fixVerificationDays,
    description:
      'Route: days a resolved incident is watched; an alert inside them reopens it as "regressed after fix".',
    requiredIn: 'optional',
    default: '14',
    schema: positiveInt,
  },
  {
    name: routeSettingNames.snoozeHours,
    description: 'Route: how long the snooze action on a card silences an incident.',
    requiredIn: 'optional',
    default: '24',
    schema: positiveInt,
  },
  {
    name: routeSettingNames.callDeadlineSeconds,
    description:
      'Route: wall-clock budget of one Teams or ticket call with its retries; a claimed card or ticket whose sender died is retried this long plus 30 s after the claim.',
    requiredIn: 'optional',
    default: '120',
    schema: positiveInt,
  },
  {
    name: settings.routeTimerSchedule,
    description:
      'Route: NCRONTAB (six fields, with seconds) of the route timer: escalations, digests, cards after quiet hours, calls whose sender died. The host resolves it into the timer binding, so it must be set; `0 */1 * * * *` (every minute) in the sample and in the Bicep.',
    requiredIn: 'both',
    schema: { type: 'string', pattern: '^\\S+( \\S+){5}$' },
  },
  {
    name: routeSettingNames.actionLinkTtlSeconds,
    description: 'Route: lifetime of the signed action links on cards, in seconds.',
    requiredIn: 'optional',
    default: '604800',
    schema: positiveInt,
  },
];

export interface Config {
  mode: PipelineMode;
  /** The raw, validated settings with defaults applied, by name. */
  values: Readonly<Record<string, string>>;
  storage: { hostConnection: string; feedback: { connectionString?: string; blobServiceUri?: string } };
  eventHubs: { connectionString?: string; fullyQualifiedNamespace?: string };
  cosmos: { endpoint: string; database: string; key?: string };
  managedIdentityClientId?: string;
  webhooks: {
    secrets: { shopify: string[]; judgeme: string[]; zendesk: string[]; generic: string[] };
    maxBytes: number;
    replayWindowSeconds: number;
  };
  tokenKey: string;
  actionLinkKey: string;
  publicBaseUrl: string;
  teamsWebhookUrl: string;
  ticketLogicAppUrl: string;
  openAi?: {
    endpoint: string;
    apiKey?: string;
    deployment: string;
    apiVersion: string;
    flavor: 'azure' | 'openai-compatible';
  };
  classify: { confidenceThreshold: number; llmHourlyTokenBudget: number; llmConcurrency: number };
  score: {
    sensitivity: number;
    minimumVolume: number;
    latenessHours: number;
    ticketConfidenceThreshold: number;
    expectedEventsPath: string;
  };
  appInsightsConnectionString?: string;
  nearDuplicateThreshold: number;
  dedupeWindowDays: number;
  catalogPath: string;
  taxonomyPath: string;
  route: RouteSettings;
  actionLinkTtlSeconds: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function requiredIn(definition: SettingDefinition, mode: PipelineMode): boolean {
  return definition.requiredIn === 'both' || definition.requiredIn === mode;
}

/** JSON Schema of the environment for one mode: every setting is a string. */
export function configSchema(mode: PipelineMode): object {
  const properties: Record<string, object> = {};
  for (const definition of settingDefinitions) {
    properties[definition.name] = { type: 'string', ...(definition.schema ?? {}) };
  }
  const required = settingDefinitions
    .filter((definition) => requiredIn(definition, mode))
    .map((definition) => definition.name);
  return { type: 'object', properties, required };
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validators = { local: ajv.compile(configSchema('local')), azure: ajv.compile(configSchema('azure')) };

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/**
 * Reads and validates the settings. Throws ConfigError naming every missing or invalid setting
 * (never its value), so start-up stops with a message a person can act on.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const mode = env[settings.mode];
  if (mode !== 'local' && mode !== 'azure') {
    throw new ConfigError(
      `setting ${settings.mode} must be 'local' or 'azure' (got ${mode === undefined ? 'nothing' : 'another value'})`,
    );
  }
  const values: Record<string, string> = {};
  for (const definition of settingDefinitions) {
    const value = env[definition.name];
    if (value !== undefined && value !== '') values[definition.name] = value;
    else if (definition.default !== undefined) values[definition.name] = definition.default;
  }
  const validate = validators[mode];
  if (!validate(values)) {
    const problems = describeErrors(validate.errors).replace(
      /\/ must have property '([^']+)'/g,
      'missing setting $1',
    );
    throw new ConfigError(
      `invalid configuration (${mode} mode): ${problems.replace(/^\/([A-Za-z_]+)/gm, 'setting $1')}`,
    );
  }
  const get = (name: string): string => values[name] ?? '';
  const secrets = {
    shopify: list(get(settings.shopifySecrets)),
    judgeme: list(get(settings.judgemeSecrets)),
    zendesk: list(get(settings.zendeskSecrets)),
    generic: list(get(settings.genericSecrets)),
  };
  for (const [source, entries] of Object.entries(secrets)) {
    if (entries.length === 0)
      throw new ConfigError(`setting ${source.toUpperCase()}_WEBHOOK_SECRETS has no secret`);
  }
  const openAiEndpoint = get(settings.openAiEndpoint);
  let route: RouteSettings;
  try {
    route = routeSettingsFrom(values);
  } catch (error) {
    throw new ConfigError(`invalid configuration (${mode} mode): ${(error as Error).message}`);
  }
  return {
    mode,
    values,
    storage: {
      hostConnection: get(settings.hostStorage),
      feedback:
        mode === 'local'
          ? { connectionString: get(settings.feedbackStorage) }
          : { blobServiceUri: get(`${settings.feedbackStorage}__blobServiceUri`) },
    },
    eventHubs:
      mode === 'local'
        ? { connectionString: get(settings.eventHubs) }
        : { fullyQualifiedNamespace: get(`${settings.eventHubs}__fullyQualifiedNamespace`) },
    cosmos: {
      endpoint: get(settings.cosmosEndpoint),
      database: get(settings.cosmosDatabase),
      ...(mode === 'local' ? { key: get(settings.cosmosKey) } : {}),
    },
    ...(mode === 'azure' ? { managedIdentityClientId: get(settings.managedIdentityClientId) } : {}),
    webhooks: {
      secrets,
      maxBytes: Number(get(settings.webhookMaxBytes)),
      replayWindowSeconds: Number(get(settings.webhookReplayWindowSeconds)),
    },
    tokenKey: get(settings.tokenKey),
    actionLinkKey: get(settings.actionLinkKey),
    publicBaseUrl: get(settings.publicBaseUrl).replace(/\/+$/, ''),
    teamsWebhookUrl: get(settings.teamsWebhookUrl),
    ticketLogicAppUrl: get(settings.ticketLogicAppUrl),
    ...(openAiEndpoint !== ''
      ? {
          openAi: {
            endpoint: openAiEndpoint,
            ...(get(settings.openAiKey) !== '' ? { apiKey: get(settings.openAiKey) } : {}),
            deployment: get(settings.openAiDeployment),
            apiVersion: get(settings.openAiApiVersion),
            flavor: get('AZURE_OPENAI_FLAVOR') === 'openai-compatible' ? 'openai-compatible' : 'azure',
          },
        }
      : {}),
    ...(get(settings.appInsightsConnectionString) !== ''
      ? { appInsightsConnectionString: get(settings.appInsightsConnectionString) }
      : {}),
    nearDuplicateThreshold: Number(get('NEAR_DUPLICATE_THRESHOLD')),
    dedupeWindowDays: Number(get('DEDUPE_WINDOW_DAYS')),
    catalogPath: get('CATALOG_PATH'),
    taxonomyPath: get('TAXONOMY_PATH'),
    classify: {
      confidenceThreshold: Number(get('CLASSIFY_CONFIDENCE_THRESHOLD')),
      llmHourlyTokenBudget: Number(get('LLM_HOURLY_TOKEN_BUDGET')),
      llmConcurrency: Number(get('LLM_CONCURRENCY')),
    },
    score: {
      sensitivity: Number(get('SCORE_SENSITIVITY')),
      minimumVolume: Number(get('SCORE_MINIMUM_VOLUME')),
      latenessHours: Number(get('SCORE_LATENESS_HOURS')),
      ticketConfidenceThreshold: Number(get('SCORE_TICKET_CONFIDENCE')),
      expectedEventsPath: get('EXPECTED_EVENTS_PATH'),
    },
    route,
    actionLinkTtlSeconds: Number(get(routeSettingNames.actionLinkTtlSeconds)),
  };
}
