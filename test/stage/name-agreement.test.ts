/**
 * One name per thing: the topology, the config schema, local.settings.sample.json, host.json and
 * the function registrations themselves (captured as the host captures them) must agree.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { configSchema, settingDefinitions } from '../../shared/config.js';
import { blobContainers, hubs, settings, stages } from '../../shared/topology.js';
import {
  functionFiles,
  loadApp,
  stringProperty,
  type Registration,
} from '../../local/devhost/registrations.js';

const sample = JSON.parse(readFileSync('local.settings.sample.json', 'utf8')) as {
  Values: Record<string, string>;
};
const hostJson = JSON.parse(readFileSync('host.json', 'utf8')) as {
  version: string;
  extensionBundle: { id: string; version: string };
  extensions: Record<string, Record<string, unknown>>;
};
const definedNames = new Set(settingDefinitions.map((definition) => definition.name));
const topologySettingNames = new Set<string>(Object.values(settings));

describe('name agreement', () => {
  let registrations: Registration[] = [];

  before(async () => {
    // The registrations validate settings at load: give them the sample's local values.
    for (const [name, value] of Object.entries(sample.Values)) process.env[name] ??= value;
    registrations = (await loadApp(functionFiles('.'), () => undefined)).registrations;
  });

  it('every setting in the topology is defined in the config schema', () => {
    for (const name of topologySettingNames)
      assert.ok(definedNames.has(name), `${name} is not in settingDefinitions`);
  });

  it('local.settings.sample.json has every setting the local mode can use, and nothing unknown', () => {
    const localNames = settingDefinitions
      .filter((definition) => definition.requiredIn !== 'azure')
      .map((d) => d.name);
    for (const name of localNames)
      assert.ok(name in sample.Values, `${name} is missing from local.settings.sample.json`);
    for (const name of Object.keys(sample.Values)) {
      if (name === 'FUNCTIONS_WORKER_RUNTIME') continue;
      assert.ok(
        definedNames.has(name),
        `local.settings.sample.json has ${name}, which no setting definition declares`,
      );
    }
    assert.equal(sample.Values.FUNCTIONS_WORKER_RUNTIME, 'node');
  });

  it('the config schema requires exactly the settings each mode declares', () => {
    for (const mode of ['local', 'azure'] as const) {
      const schema = configSchema(mode) as { required: string[]; properties: Record<string, unknown> };
      assert.deepEqual(Object.keys(schema.properties).sort(), [...definedNames].sort());
      for (const name of schema.required) assert.ok(definedNames.has(name));
    }
  });

  it('host.json uses extension bundle v4 and configures the triggers the app registers', () => {
    assert.equal(hostJson.version, '2.0');
    assert.equal(hostJson.extensionBundle.id, 'Microsoft.Azure.Functions.ExtensionBundle');
    assert.match(hostJson.extensionBundle.version, /^\[4\./);
    const types = new Set(registrations.map((registration) => registration.trigger.type.toLowerCase()));
    if (types.has('eventhubtrigger')) assert.ok(hostJson.extensions.eventHubs?.maxEventBatchSize);
    if (types.has('blobtrigger')) assert.ok(hostJson.extensions.blobs);
    assert.equal(hostJson.extensions.http?.routePrefix, 'api');
  });

  it('every binding connection names a topology setting', () => {
    for (const registration of registrations) {
      for (const binding of Object.values(registration.metadata.bindings)) {
        if (binding.connection === undefined) continue;
        assert.ok(
          topologySettingNames.has(stringProperty(binding, 'connection')),
          `${registration.metadata.name}: connection ${stringProperty(binding, 'connection')} is not a topology setting`,
        );
      }
    }
  });

  it('Event Hubs triggers read the topology hubs with their stage consumer groups', () => {
    const hubNames = new Set<string>(Object.values(hubs).map((hub) => hub.name));
    for (const registration of registrations.filter((r) => r.trigger.type === 'eventHubTrigger')) {
      assert.ok(
        hubNames.has(String(registration.trigger.eventHubName)),
        `${registration.metadata.name}: unknown hub`,
      );
      const stage = Object.values(stages).find(
        (candidate) => candidate.functionName === registration.metadata.name,
      );
      assert.ok(
        stage && 'hub' in stage,
        `${registration.metadata.name} is not an Event Hubs stage in the topology`,
      );
      assert.equal(registration.trigger.eventHubName, stage.hub);
      assert.equal(registration.trigger.consumerGroup, stage.consumerGroup);
      assert.equal(registration.trigger.cardinality, 'many');
      assert.ok(registration.metadata.retryOptions, `${registration.metadata.name} needs a retry policy`);
    }
  });

  it('blob triggers watch topology containers', () => {
    const containers = new Set<string>(Object.values(blobContainers));
    for (const registration of registrations.filter((r) => r.trigger.type === 'blobTrigger')) {
      const container = String(registration.trigger.path).split('/')[0] ?? '';
      assert.ok(containers.has(container), `${registration.metadata.name} watches ${container}`);
    }
  });

  it('registers every pipeline stage under its topology name', () => {
    const names = new Set(registrations.map((registration) => registration.metadata.name));
    for (const stage of Object.values(stages))
      assert.ok(names.has(stage.functionName), `${stage.functionName} missing`);
  });
});
