/**
 * The demo feed from the command line (dev tooling, run from source):
 *
 *   node --import tsx local/demo/cli.ts print [--now <iso>] [--seed <n>] [--items <n>] [--labelled]
 *   node --import tsx local/demo/cli.ts send --secret <generic webhook secret> [--base-url <url>] [--now ...]
 *   node --import tsx local/demo/cli.ts rehearse [--now ...] [--seed ...]
 *
 * `print` writes the feed as a JSON array (with `--labelled`, each item with its ground truth);
 * `send` posts it to a running stack's generic webhook with a progress line; `rehearse` runs it
 * in-process through normalize, classify and score and reports the alerts (exit code 1 unless
 * exactly the spike alerts).
 */
import { parseArgs } from 'node:util';
import {
  DEMO_DEFAULT_ITEMS,
  DEMO_DEFAULT_SEED,
  generateDemoFeed,
  generateLabelledDemoFeed,
} from './generate.js';
import { rehearseDemoFeed } from './rehearse.js';
import { sendDemoFeed } from './send.js';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      now: { type: 'string' },
      seed: { type: 'string', default: String(DEMO_DEFAULT_SEED) },
      items: { type: 'string', default: String(DEMO_DEFAULT_ITEMS) },
      labelled: { type: 'boolean', default: false },
      'base-url': { type: 'string', default: 'http://127.0.0.1:7071' },
      secret: { type: 'string' },
    },
  });
  const command = positionals[0] ?? 'print';
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new Error(`--now ${values.now ?? ''} is not a date`);
  const options = { now, seed: Number(values.seed), items: Number(values.items) };

  if (command === 'print') {
    const feed = values.labelled ? generateLabelledDemoFeed(options) : generateDemoFeed(options);
    process.stdout.write(`${JSON.stringify(feed, null, 1)}\n`);
    return;
  }
  if (command === 'send') {
    if (!values.secret) throw new Error('send needs --secret (one of the GENERIC_WEBHOOK_SECRETS)');
    const items = generateDemoFeed(options);
    const result = await sendDemoFeed({
      baseUrl: values['base-url'],
      secret: values.secret,
      items,
      onProgress: (sent, total) => process.stderr.write(`\rdemo feed: ${sent}/${total} sent`),
    });
    process.stderr.write('\n');
    console.log(
      JSON.stringify({
        accepted: result.accepted,
        duplicates: result.duplicates,
        rejected: result.rejected,
        rejections: result.rejections,
      }),
    );
    if (result.rejected > 0) process.exitCode = 1;
    return;
  }
  if (command === 'rehearse') {
    const report = await rehearseDemoFeed(options);
    console.log(JSON.stringify(report, null, 2));
    if (!report.exactlyTheSpike) process.exitCode = 1;
    return;
  }
  throw new Error(`unknown command ${command}: use print, send or rehearse`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
