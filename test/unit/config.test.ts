import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../../shared/config.js';

const localValues = (
  JSON.parse(readFileSync('local.settings.sample.json', 'utf8')) as { Values: Record<string, string> }
).Values;

const azureValues: Record<string, string> = {
  PIPELINE_MODE: 'azure',
  FEEDBACK_STORAGE__blobServiceUri: 'https://stfeedback.blob.core.windows.net',
  EVENTHUB_CONNECTION__fullyQualifiedNamespace: 'evhns-feedback.servicebus.windows.net',
  COSMOS_ENDPOINT: 'https://cosmos-feedback.documents.azure.com:443/',
  AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000000',
  SHOPIFY_WEBHOOK_SECRETS: 'a',
  JUDGEME_WEBHOOK_SECRETS: 'b',
  ZENDESK_WEBHOOK_SECRETS: 'c',
  GENERIC_WEBHOOK_SECRETS: 'd,e',
  PII_TOKEN_KEY: 'k'.repeat(32),
  ACTION_LINK_KEY: 'l'.repeat(32),
  PUBLIC_BASE_URL: 'https://func-feedback.azurewebsites.net',
  TEAMS_WEBHOOK_URL: 'https://example.invalid/teams',
  TICKET_LOGIC_APP_URL: 'https://example.invalid/logic',
  ROUTE_TIMER_SCHEDULE: '0 */1 * * * *',
};

describe('config', () => {
  it('maps the local sample to a typed config with keys and connection strings', () => {
    const config = loadConfig(localValues);
    assert.equal(config.mode, 'local');
    assert.equal(config.cosmos.key, 'local-emulator-accepts-any-key');
    assert.ok(config.eventHubs.connectionString?.endsWith(';UseDevelopmentEmulator=true'));
    assert.deepEqual(config.webhooks.secrets.generic, ['dev-generic-secret-not-for-production']);
    assert.equal(config.webhooks.maxBytes, 1048576);
    assert.equal(config.openAi, undefined, 'no endpoint: no LLM');
    assert.equal(config.route.dedupWindowMinutes, 240);
  });

  it('maps azure mode to identity-based connections and no keys', () => {
    const config = loadConfig(azureValues);
    assert.equal(config.mode, 'azure');
    assert.equal(config.cosmos.key, undefined);
    assert.equal(config.eventHubs.fullyQualifiedNamespace, 'evhns-feedback.servicebus.windows.net');
    assert.equal(config.managedIdentityClientId, '00000000-0000-0000-0000-000000000000');
    assert.deepEqual(config.webhooks.secrets.generic, ['d', 'e'], 'comma-separated secrets for rotation');
  });

  it('stops with a message naming a missing setting, never its neighbours values', () => {
    const { COSMOS_ENDPOINT: _missing, ...rest } = azureValues;
    assert.throws(
      () => loadConfig(rest),
      (error: Error) =>
        error instanceof ConfigError && /COSMOS_ENDPOINT/.test(error.message) && !/k{32}/.test(error.message),
    );
  });

  it('stops with a message naming an invalid setting', () => {
    assert.throws(() => loadConfig({ ...localValues, WEBHOOK_MAX_BYTES: 'lots' }), /WEBHOOK_MAX_BYTES/);
    assert.throws(() => loadConfig({ ...localValues, PII_TOKEN_KEY: 'short' }), /PII_TOKEN_KEY/);
    assert.throws(() => loadConfig({ ...localValues, ROUTE_QUIET_HOURS: 'evenings' }), /ROUTE_QUIET_HOURS/);
    assert.throws(() => loadConfig({ ...localValues, PIPELINE_MODE: 'cloud' }), /PIPELINE_MODE/);
  });
});
