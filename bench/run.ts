/**
 * `npm run bench`: every throughput and memory figure the issues ask for, in one run, printed as
 * a table and written to `bench/results/latest.json`. Never part of `npm test` (shared machines
 * are noisy). `npm run bench -- --only ingest,score` runs a subset.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CosmosClient, type Container } from '@azure/cosmos';
import { ensureCosmosSchema } from '../shared/adapters/cosmos.js';
import { escalationSchedule } from '../shared/stages/escalation.js';
import { settings, stages } from '../shared/topology.js';
import { COSMOS_EMULATOR_KEY, startCosmos } from '../local/services/cosmos.js';
import { disabledSettingName } from '../local/devhost/disabled.js';
import { startLocalStack } from '../local/stack.js';
import { benchClassify } from './classify.js';
import { benchCosmosRestart } from './cosmos-restart.js';
import { benchEventHubs } from './eventhubs.js';
import { benchIngest } from './ingest.js';
import { benchNormalize, benchNormalizeCosmosOps } from './normalize.js';
import { benchScore, benchScoreCosmosOps } from './score.js';

type Figures = Record<string, number>;

const only = (() => {
  const index = process.argv.indexOf('--only');
  return index > 0 ? new Set((process.argv[index + 1] ?? '').split(',')) : undefined;
})();

const benches: { name: string; target: string; run: () => Promise<Figures> }[] = [
  {
    name: 'normalize',
    target: '>= 10,000 items/s on one core (500-char texts, no I/O)',
    run: () => benchNormalize(),
  },
  {
    name: 'normalize-cosmos',
    target: 'a handful of Cosmos point operations per new item for duplicate detection (local emulator)',
    run: () => withEmulatorContainer('dedupe', benchNormalizeCosmosOps),
  },
  { name: 'classify', target: '>= 20,000 items/s per core (rules + model)', run: () => benchClassify() },
  { name: 'score', target: '>= 20,000 items/s in-process', run: () => benchScore() },
  {
    name: 'score-cosmos',
    target: '<= 3 Cosmos point operations per item on the local emulator',
    run: () =>
      withEmulatorContainer('features', (container) =>
        benchScoreCosmosOps(container, { products: 6, days: 10 }),
      ),
  },
  {
    name: 'cosmos-restart',
    target: 'local Cosmos emulator back within seconds after a demo-sized run (40,000 documents)',
    run: () => benchCosmosRestart(40_000),
  },
  {
    name: 'ingest',
    target: '>= 1,000 accepted/s; p99 < 100 ms at a steady 300 requests/s (local stack)',
    run: async () => ({
      // As in Azure, where ingest scales on its own: downstream triggers are disabled.
      ...(await benchIngestOnStack({ downstream: 'disabled' })),
      // The same run with normalize, classify, score and route competing for the same cores.
      ...prefixed('fullStack', await benchIngestOnStack({ downstream: 'running' })),
    }),
  },
  {
    name: 'eventhubs',
    target: '>= 20,000 events/s end to end (1 KB); memory flat with 1M stored events',
    run: () => benchEventHubs(),
  },
];

/** A fresh emulator with the schema, one container of it handed to `run`, then cleaned up. */
async function withEmulatorContainer(
  name: string,
  run: (container: Container) => Promise<Figures>,
): Promise<Figures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-cosmos-'));
  const cosmos = await startCosmos({ dataDir });
  const client = new CosmosClient({
    endpoint: cosmos.endpoint,
    key: COSMOS_EMULATOR_KEY,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  try {
    const database = await ensureCosmosSchema(client, 'feedback');
    return await run(database.container(name));
  } finally {
    client.dispose();
    await cosmos.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The downstream functions (event and timer triggers) that ingest does not need to answer. */
const downstreamFunctions = [
  stages.normalize.functionName,
  stages.classify.functionName,
  stages.score.functionName,
  stages.route.functionName,
  escalationSchedule.name,
  'ingestExport',
];

async function benchIngestOnStack(options: { downstream: 'disabled' | 'running' }): Promise<Figures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-stack-'));
  const settingsOverride =
    options.downstream === 'disabled'
      ? Object.fromEntries(downstreamFunctions.map((name) => [disabledSettingName(name), 'true']))
      : {};
  const stack = await startLocalStack({ dataDir, httpPort: 0, settingsOverride });
  try {
    const secret = (stack.settings[settings.genericSecrets] ?? '').split(',')[0] ?? '';
    return await benchIngest(stack.baseUrl, secret);
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function prefixed(prefix: string, figures: Figures): Figures {
  return Object.fromEntries(
    Object.entries(figures).map(([name, value]) => [
      `${prefix}${name[0]?.toUpperCase()}${name.slice(1)}`,
      value,
    ]),
  );
}

async function main(): Promise<void> {
  const results: Record<string, { target: string; figures?: Figures; error?: string }> = {};
  for (const bench of benches) {
    if (only && !only.has(bench.name)) continue;
    process.stdout.write(`bench ${bench.name} ... `);
    const started = Date.now();
    try {
      const figures = await bench.run();
      results[bench.name] = { target: bench.target, figures };
      console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (error) {
      results[bench.name] = {
        target: bench.target,
        error: error instanceof Error ? error.message : String(error),
      };
      console.log(`failed: ${results[bench.name]?.error ?? ''}`);
    }
  }
  console.log('');
  for (const [name, result] of Object.entries(results)) {
    console.log(`${name}  (target: ${result.target})`);
    for (const [figure, value] of Object.entries(result.figures ?? {}))
      console.log(`  ${figure.padEnd(40)} ${value}`);
    if (result.error) console.log(`  error: ${result.error}`);
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/latest.json',
    JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, results }, null, 2),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
