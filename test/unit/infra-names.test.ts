/**
 * Keeps infra/ in step with shared/topology.ts, and lints the Bicep offline (there is no Bicep
 * compiler on the build machines): every hub, partition count, consumer group, blob container,
 * Cosmos container and partition key, and every app-setting name must appear in infra exactly;
 * module calls must match the modules' parameters and outputs.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  blobContainers,
  consumerGroupsFor,
  cosmosContainers,
  defaultCosmosDatabase,
  hubs,
  settings,
  stages,
} from '../../shared/topology.js';
import { settingDefinitions } from '../../shared/config.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const infraDir = join(repoRoot, 'infra');
const read = (path: string): string => readFileSync(path, 'utf8');

// ---------------------------------------------------------------------------------------------
// A small Bicep reader: enough to skip strings (with interpolation) and comments, find balanced
// blocks, read literal objects, and list params, outputs and module calls.
// ---------------------------------------------------------------------------------------------

/** Index just past the string that starts at `start` (a `'`), following `${...}` interpolations. */
function skipString(text: string, start: number): number {
  if (text.startsWith("'''", start)) {
    const end = text.indexOf("'''", start + 3);
    if (end < 0) throw new Error(`unterminated ''' string at ${start}`);
    return end + 3;
  }
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') {
      i += 2;
    } else if (c === "'") {
      return i + 1;
    } else if (c === '$' && text[i + 1] === '{') {
      i = skipBalanced(text, i + 1);
    } else if (c === '\n') {
      throw new Error(`line break inside a string at ${start}`);
    } else {
      i += 1;
    }
  }
  throw new Error(`unterminated string at ${start}`);
}

/** Index just past a comment starting at `i`, or `i` when there is none. */
function skipComment(text: string, i: number): number {
  if (text.startsWith('//', i)) {
    const end = text.indexOf('\n', i);
    return end < 0 ? text.length : end;
  }
  if (text.startsWith('/*', i)) {
    const end = text.indexOf('*/', i);
    if (end < 0) throw new Error(`unterminated comment at ${i}`);
    return end + 2;
  }
  return i;
}

const closers: Record<string, string> = { '{': '}', '[': ']', '(': ')' };

/** Index just past the bracket that closes the one at `open`. */
function skipBalanced(text: string, open: number): number {
  const stack: string[] = [];
  let i = open;
  while (i < text.length) {
    const afterComment = skipComment(text, i);
    if (afterComment !== i) {
      i = afterComment;
      continue;
    }
    const c = text[i]!;
    if (c === "'") {
      i = skipString(text, i);
      continue;
    }
    if (c in closers) {
      stack.push(closers[c]!);
    } else if (c === '}' || c === ']' || c === ')') {
      const expected = stack.pop();
      if (c !== expected) throw new Error(`unbalanced '${c}' at ${i} (expected '${expected ?? 'nothing'}')`);
      if (stack.length === 0) return i + 1;
    }
    i += 1;
  }
  throw new Error(`no closing bracket for the one at ${open}`);
}

/** Bicep text with comments and string contents blanked, so regexes only see code. */
function codeOnly(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const afterComment = skipComment(text, i);
    if (afterComment !== i) {
      out += text.slice(i, afterComment).replace(/[^\n]/g, ' ');
      i = afterComment;
      continue;
    }
    if (text[i] === "'") {
      const end = skipString(text, i);
      out += "'" + text.slice(i + 1, end - 1).replace(/[^\n]/g, '_') + "'";
      i = end;
      continue;
    }
    out += text[i];
    i += 1;
  }
  return out;
}

/** The text of the `{...}` or `[...]` that follows `marker` (e.g. `var appSettings =`). */
function blockAfter(text: string, marker: string): string {
  const at = codeOnly(text).indexOf(marker);
  assert.ok(at >= 0, `marker not found: ${marker}`);
  const open = text.slice(at + marker.length).search(/[{[]/) + at + marker.length;
  return text.slice(open, skipBalanced(text, open));
}

type Literal = string | number | boolean | null | Literal[] | { [key: string]: Literal };

/** Reads a Bicep literal (objects, arrays, plain strings, numbers, booleans); throws on expressions. */
function parseLiteral(source: string): Literal {
  let i = 0;
  const skipSpace = (): void => {
    for (;;) {
      const afterComment = skipComment(source, i);
      if (afterComment !== i) i = afterComment;
      else if (/[\s,]/.test(source[i] ?? '')) i += 1;
      else return;
    }
  };
  const value = (): Literal => {
    skipSpace();
    const c = source[i];
    if (c === '{') {
      i += 1;
      const object: Record<string, Literal> = {};
      for (;;) {
        skipSpace();
        if (source[i] === '}') {
          i += 1;
          return object;
        }
        const key = source[i] === "'" ? (value() as string) : /^\w+/.exec(source.slice(i))![0];
        if (source[i] !== ':') i += key.length;
        skipSpace();
        assert.equal(source[i], ':', `expected ':' after key ${key}`);
        i += 1;
        object[key] = value();
      }
    }
    if (c === '[') {
      i += 1;
      const array: Literal[] = [];
      for (;;) {
        skipSpace();
        if (source[i] === ']') {
          i += 1;
          return array;
        }
        array.push(value());
      }
    }
    if (c === "'") {
      const end = skipString(source, i);
      const raw = source.slice(i + 1, end - 1);
      assert.ok(!raw.includes('${'), `interpolated string is not a literal: ${raw}`);
      i = end;
      return raw.replace(/\\(.)/g, (_m, ch: string) => (ch === 'n' ? '\n' : ch));
    }
    const word = /^(-?\d+|true|false|null)\b/.exec(source.slice(i));
    assert.ok(word, `not a literal at: ${source.slice(i, i + 40)}`);
    i += word[0].length;
    return JSON.parse(word[0]) as Literal;
  };
  const result = value();
  skipSpace();
  assert.equal(i, source.length, 'trailing text after literal');
  return result;
}

/** Top-level `key: value-text` pairs of an object block whose values may be expressions. */
function topLevelEntries(block: string): Map<string, string> {
  const entries = new Map<string, string>();
  const code = codeOnly(block);
  let i = 1;
  while (i < block.length - 1) {
    const match = /^\s*([A-Za-z_][\w]*|'[^']*')\s*:/.exec(code.slice(i));
    if (!match) {
      i += 1;
      continue;
    }
    // Read the key from the original text: in `code`, quoted keys are blanked.
    const keyStart = i + match[0].indexOf(match[1]!);
    const key = block.slice(keyStart, keyStart + match[1]!.length).replace(/^'|'$/g, '');
    let j = i + match[0].length;
    // The value runs to the end of the line, or past a bracket it opens.
    while (j < block.length - 1 && block[j] !== '\n') {
      if (block[j] === "'") j = skipString(block, j);
      else if (block[j]! in closers) j = skipBalanced(block, j);
      else j += 1;
    }
    entries.set(key, block.slice(i + match[0].length, j).trim());
    i = j;
  }
  return entries;
}

interface BicepFile {
  path: string;
  text: string;
  code: string;
  params: Map<string, { hasDefault: boolean }>;
  outputs: Set<string>;
}

function loadBicep(path: string): BicepFile {
  const text = read(path);
  const code = codeOnly(text);
  const params = new Map<string, { hasDefault: boolean }>();
  for (const m of code.matchAll(/^param\s+(\w+)\s+[^\n]*$/gm)) {
    params.set(m[1]!, { hasDefault: /=/.test(m[0]) });
  }
  const outputs = new Set([...code.matchAll(/^output\s+(\w+)\s/gm)].map((m) => m[1]!));
  return { path, text, code, params, outputs };
}

function bicepFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? bicepFiles(join(dir, entry.name))
      : entry.name.endsWith('.bicep')
        ? [join(dir, entry.name)]
        : [],
  );
}

const main = loadBicep(join(infraDir, 'main.bicep'));
const api = loadBicep(join(infraDir, 'app', 'api.bicep'));

// ---------------------------------------------------------------------------------------------
// Names: shared/topology.ts ⇄ infra
// ---------------------------------------------------------------------------------------------

void describe('infra names agree with shared/topology.ts', () => {
  const topology = parseLiteral(blockAfter(main.text, 'var pipelineTopology =')) as Record<string, Literal>;

  void it('declares every hub with its partition count and consumer groups', () => {
    const expected = Object.fromEntries(
      Object.entries(hubs).map(([key, hub]) => [
        key,
        { name: hub.name, partitions: hub.partitions, consumerGroups: consumerGroupsFor(hub.name) },
      ]),
    );
    assert.deepEqual(topology.hubs, expected);
  });

  void it('declares every blob container under its topology key', () => {
    assert.deepEqual(topology.blobContainers, { ...blobContainers });
  });

  void it('declares every Cosmos container with its partition key, and the database', () => {
    assert.deepEqual(topology.cosmosContainers, JSON.parse(JSON.stringify(cosmosContainers)));
    assert.equal(topology.defaultCosmosDatabase, defaultCosmosDatabase);
  });

  void it('subscribes every blob-triggered stage to Event Grid on its container', () => {
    const triggers = topology.blobTriggers as { functionName: string; container: string }[];
    const blobStages = Object.values(stages).filter((stage) => stage.trigger === 'blob');
    assert.ok(blobStages.length > 0);
    for (const stage of blobStages) {
      assert.ok(
        triggers.some((t) => t.functionName === stage.functionName && t.container === stage.container),
        `no Event Grid subscription for ${stage.functionName} on ${stage.container}`,
      );
    }
    const feedbackContainers = new Set<string>([blobContainers.raw, blobContainers.landing]);
    for (const trigger of triggers) assert.ok(feedbackContainers.has(trigger.container), trigger.container);
  });

  void it('creates the feedback containers, the poison queue and the receipts container from the topology block', () => {
    for (const key of ['raw', 'landing', 'poison', 'receipts']) {
      assert.match(main.code, new RegExp(`pipelineTopology\\.blobContainers\\.${key}\\b`), key);
    }
  });

  // Settings that only make sense locally (keys): Azure uses managed identity instead.
  const localOnly = new Set<string>([settings.cosmosKey, settings.openAiKey]);
  // Connection prefixes: the host reads `<prefix>__*` in Azure.
  const connectionPrefixes = new Set<string>([
    settings.hostStorage,
    settings.feedbackStorage,
    settings.eventHubs,
  ]);
  // Names the platform defines, not the app.
  const platformSettings = new Set(['APPLICATIONINSIGHTS_AUTHENTICATION_STRING']);
  // Values are Key Vault references, never literals.
  const secretSettings: string[] = [
    settings.shopifySecrets,
    settings.judgemeSecrets,
    settings.zendeskSecrets,
    settings.genericSecrets,
    settings.tokenKey,
    settings.actionLinkKey,
    settings.teamsWebhookUrl,
    settings.ticketLogicAppUrl,
  ];
  const appSettings = topLevelEntries(blockAfter(api.text, 'var appSettings ='));

  void it('sets every topology setting (or its identity-based variants), except the local-only keys', () => {
    for (const name of Object.values(settings)) {
      if (localOnly.has(name)) continue;
      if (connectionPrefixes.has(name)) {
        assert.equal(appSettings.get(`${name}__credential`), "'managedidentity'", `${name}__credential`);
        assert.ok(appSettings.has(`${name}__clientId`), `${name}__clientId`);
      } else {
        assert.ok(appSettings.has(name), `app setting ${name} missing in infra/app/api.bicep`);
      }
    }
    assert.ok(appSettings.has(`${settings.hostStorage}__accountName`));
    assert.ok(appSettings.has(`${settings.feedbackStorage}__blobServiceUri`));
    assert.ok(
      appSettings.has(`${settings.feedbackStorage}__queueServiceUri`),
      'blob trigger needs the queue URI',
    );
    assert.ok(appSettings.has(`${settings.eventHubs}__fullyQualifiedNamespace`));
    assert.equal(appSettings.get(settings.mode), "'azure'");
  });

  void it('sets no key-based setting and no name that topology does not know', () => {
    for (const name of localOnly) assert.ok(!appSettings.has(name), `${name} must not be set in Azure`);
    for (const name of appSettings.keys()) {
      const prefix = name.split('__')[0]!;
      const known =
        (Object.values(settings) as string[]).includes(name) ||
        (name.includes('__') && connectionPrefixes.has(prefix)) ||
        platformSettings.has(name);
      assert.ok(known, `app setting ${name} is not in shared/topology.ts settings`);
    }
  });

  void it('sets every setting shared/config.ts requires in Azure, and only settings something reads', () => {
    const configNames = new Set(settingDefinitions.map((definition) => definition.name));
    for (const definition of settingDefinitions) {
      if (definition.requiredIn === 'azure' || definition.requiredIn === 'both') {
        assert.ok(appSettings.has(definition.name), `config requires ${definition.name} in Azure`);
      }
    }
    for (const name of appSettings.keys()) {
      // Identity-based connection parts are read by the Functions host, not by config.ts.
      const readByHost = name.includes('__') && connectionPrefixes.has(name.split('__')[0]!);
      assert.ok(configNames.has(name) || readByHost || platformSettings.has(name), `nothing reads ${name}`);
    }
  });

  void it('subscribes every blob trigger registered in functions/ to Event Grid', () => {
    const triggers = topology.blobTriggers as { functionName: string; container: string }[];
    const functionsDir = join(repoRoot, 'functions');
    const registrations = readdirSync(functionsDir)
      .filter((name) => name.endsWith('.ts'))
      .flatMap((name) => [
        ...read(join(functionsDir, name)).matchAll(
          /app\.storageBlob\(\s*'(\w+)',\s*\{\s*path:\s*`\$\{blobContainers\.(\w+)\}\//g,
        ),
      ]);
    assert.ok(registrations.length > 0, 'no app.storageBlob registration found in functions/');
    for (const [, functionName, containerKey] of registrations) {
      const container = blobContainers[containerKey as keyof typeof blobContainers];
      assert.ok(
        triggers.some((t) => t.functionName === functionName && t.container === container),
        `functions/ registers blob trigger ${functionName} on ${container}; add it to blobTriggers in infra/main.bicep`,
      );
    }
  });

  void it('reads every secret through a Key Vault reference', () => {
    for (const name of secretSettings) {
      assert.match(appSettings.get(name) ?? '', /^'@Microsoft\.KeyVault\(SecretUri=\$\{[^}]+\}\)'$/, name);
    }
  });

  void it('outputs settings azd writes into the environment under the same names', () => {
    for (const name of [
      settings.cosmosEndpoint,
      settings.cosmosDatabase,
      settings.managedIdentityClientId,
      settings.openAiEndpoint,
      settings.openAiDeployment,
      settings.openAiApiVersion,
      settings.publicBaseUrl,
      settings.appInsightsConnectionString,
      `${settings.eventHubs}__fullyQualifiedNamespace`,
      `${settings.feedbackStorage}__blobServiceUri`,
      'AZURE_FUNCTION_APP_NAME',
    ]) {
      assert.ok(main.outputs.has(name), `output ${name} missing in infra/main.bicep`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Structure: what a Bicep build would catch first, checked without one
// ---------------------------------------------------------------------------------------------

void describe('infra Bicep structure', () => {
  const files = bicepFiles(infraDir).map(loadBicep);

  void it('has balanced brackets, closed strings and closed comments in every file', () => {
    assert.ok(files.length >= 10);
    for (const file of files) {
      assert.doesNotThrow(() => skipBalanced(`{${file.text}\n}`, 0), relative(repoRoot, file.path));
    }
  });

  void it('calls every module with parameters it declares, and all it requires', () => {
    let calls = 0;
    for (const file of files) {
      for (const m of file.code.matchAll(/^module\s+(\w+)\s+'([^']*)'\s*=/gm)) {
        const modulePath = join(
          dirname(file.path),
          file.text.slice(m.index + m[0].indexOf("'") + 1).split("'")[0]!,
        );
        const where = `${relative(repoRoot, file.path)} module ${m[1]}`;
        assert.ok(existsSync(modulePath), `${where}: ${modulePath} does not exist`);
        const target = loadBicep(modulePath);
        const body = blockAfter(file.text.slice(m.index), '=');
        const passed = new Set(topLevelEntries(blockAfter(body, 'params:')).keys());
        for (const name of passed) assert.ok(target.params.has(name), `${where}: unknown param ${name}`);
        for (const [name, param] of target.params) {
          assert.ok(param.hasDefault || passed.has(name), `${where}: required param ${name} not passed`);
        }
        for (const ref of file.text.matchAll(new RegExp(`\\b${m[1]}\\.outputs\\.(\\w+)`, 'g'))) {
          assert.ok(target.outputs.has(ref[1]!), `${where}: no output ${ref[1]}`);
        }
        calls += 1;
      }
    }
    assert.ok(calls >= 10, `only ${calls} module calls found`);
  });

  void it('nests no for-expression inside another (Bicep rejects it, BCP142)', () => {
    for (const file of files) {
      for (const m of file.code.matchAll(/\[\s*for\s/g)) {
        const loop = file.text.slice(m.index, skipBalanced(file.text, m.index));
        assert.ok(
          !/\[\s*for\s/.test(codeOnly(loop).slice(1)),
          `${relative(repoRoot, file.path)}: nested loop`,
        );
      }
    }
  });

  void it('feeds main.parameters.json only to parameters main.bicep declares, and every required one', () => {
    const parameterFile = JSON.parse(read(join(infraDir, 'main.parameters.json'))) as {
      parameters: Record<string, { value: unknown }>;
    };
    const given = new Set(Object.keys(parameterFile.parameters));
    for (const name of given) assert.ok(main.params.has(name), `main.parameters.json: unknown param ${name}`);
    for (const [name, param] of main.params) {
      assert.ok(param.hasDefault || given.has(name), `main.bicep param ${name} has no value`);
    }
  });

  void it('keeps secrets out of literals: secure params come from azd secretOrRandomPassword or the environment', () => {
    const parameterFile = read(join(infraDir, 'main.parameters.json'));
    for (const m of main.code.matchAll(/@secure\(\)\s*(?:@description\([^)]*\)\s*)?param\s+(\w+)/g)) {
      const entry = new RegExp(
        `"${m[1]}":\\s*\\{\\s*"value":\\s*"(\\$\\(secretOrRandomPassword [^"]+\\)|\\$\\{[A-Z_]+=?\\})"`,
      );
      assert.match(parameterFile, entry, `secure param ${m[1]}`);
    }
  });

  void it('gives every hook the environment it reads from main.bicep outputs', () => {
    const hook = read(join(infraDir, 'hooks', 'postdeploy.sh'));
    const used = new Set([...hook.matchAll(/\$\{([A-Z][A-Z0-9_]*)(?::\?[^}]*)?\}/g)].map((m) => m[1]!));
    assert.ok(used.size >= 5);
    for (const name of used) assert.ok(main.outputs.has(name), `postdeploy.sh reads ${name}, not an output`);
    const ps1 = read(join(infraDir, 'hooks', 'postdeploy.ps1'));
    for (const name of used) assert.ok(ps1.includes(name), `postdeploy.ps1 does not use ${name}`);
  });

  void it('loads only JSON files that exist and parse', () => {
    for (const file of files) {
      for (const m of file.text.matchAll(/loadJsonContent\('([^']+)'\)/g)) {
        const path = join(dirname(file.path), m[1]!);
        assert.doesNotThrow(() => JSON.parse(read(path)), `${relative(repoRoot, file.path)}: ${m[1]}`);
      }
    }
  });

  void it('names role assignments with guid() and turns local auth off', () => {
    for (const file of files) {
      for (const m of file.code.matchAll(
        /^resource\s+\w+\s+'Microsoft\.(Authorization\/roleAssignments|DocumentDB\/databaseAccounts\/sqlRoleAssignments)@/gm,
      )) {
        const body = blockAfter(file.text.slice(m.index), '=');
        assert.match(
          body,
          /\n\s+name: guid\(/,
          `${relative(repoRoot, file.path)}: role assignment without guid() name`,
        );
      }
    }
    const text = (name: string): string => read(join(infraDir, name));
    assert.match(text('app/eventhubs.bicep'), /disableLocalAuth: true/);
    assert.match(text('app/cosmos.bicep'), /disableLocalAuth: true/);
    assert.match(text('app/openai.bicep'), /disableLocalAuth: true/);
    assert.match(text('core/monitor/monitoring.bicep'), /DisableLocalAuth: true/);
    assert.match(text('core/storage/storage-account.bicep'), /allowSharedKeyAccess: false/);
    assert.match(text('app/keyvault.bicep'), /enableRbacAuthorization: true/);
  });

  void it('uses only abbreviations that abbreviations.json defines', () => {
    const abbreviations = JSON.parse(read(join(infraDir, 'abbreviations.json'))) as Record<string, string>;
    const used = [...main.text.matchAll(/\babbrs\.(\w+)/g)].map((m) => m[1]!);
    assert.ok(used.length >= 10);
    for (const name of used) assert.ok(name in abbreviations, `abbreviations.json has no ${name}`);
  });

  void it('takes the ticket payload the route stage sends (schemas/ticket*.schema.json)', () => {
    type Schema = { required?: string[]; properties?: Record<string, unknown> };
    const workflow = JSON.parse(read(join(infraDir, 'app', 'ticket-workflow.json'))) as {
      triggers: { manual: { inputs: { schema: Schema } } };
    };
    const trigger = workflow.triggers.manual.inputs.schema;
    const create = JSON.parse(read(join(repoRoot, 'schemas', 'ticket.schema.json'))) as Schema;
    const update = JSON.parse(read(join(repoRoot, 'schemas', 'ticket-update.schema.json'))) as Schema;
    for (const name of trigger.required ?? []) {
      assert.ok(
        create.required?.includes(name) && update.required?.includes(name),
        `trigger requires ${name}`,
      );
    }
    for (const name of Object.keys(trigger.properties ?? {})) {
      assert.ok(
        name in (create.properties ?? {}) || name in (update.properties ?? {}),
        `unknown property ${name}`,
      );
    }
  });

  void it('runs the Function App on Flex Consumption with Node.js 22', () => {
    assert.match(
      read(join(infraDir, 'core/host/flex-consumption-plan.bicep')),
      /name: 'FC1'\s+tier: 'FlexConsumption'/,
    );
    assert.match(api.text, /runtime: \{\s+name: 'node'\s+version: '22'/);
  });
});
