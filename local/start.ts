/**
 * `npm start`: the whole pipeline on this machine. Starts Azurite, the Cosmos DB emulator, the
 * Event Hubs emulator and the dev host on loopback, sends the demo feed through the webhook
 * endpoint, prints a summary, and keeps running for more webhooks until Ctrl-C.
 *
 * Flags: --no-demo, --data-dir <dir> (default .local), --http-port <port> (default 7071), --verbose
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { settings } from '../shared/topology.js';
import { generateDemoFeed } from './demo/generate.js';
import { sendDemoFeed } from './demo/send.js';
import { startLocalStack } from './stack.js';
import { waitUntilSettled, type PipelineSummary } from './summary.js';

const { values } = parseArgs({
  options: {
    demo: { type: 'boolean', default: true },
    'no-demo': { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: '.local' },
    'http-port': { type: 'string', default: '7071' },
    verbose: { type: 'boolean', default: false },
  },
});

const say = (message: string): void => console.log(`[start] ${message}`);

function formatSummary(summary: PipelineSummary): string {
  return [
    `landed ${summary.rawBlobs}`,
    `normalized ${summary.normalized}`,
    `classified ${summary.classified}`,
    `scored ${summary.scored}`,
    `routed ${summary.routed}`,
    `quarantined ${summary.quarantined}`,
    `poisoned ${summary.poisonedBlobs}`,
    `incidents ${summary.incidents}`,
    `watched ${summary.watching}`,
    `cards ${summary.cards}`,
    `tickets ${summary.tickets}`,
  ].join(' | ');
}

async function main(): Promise<void> {
  const httpPort = Number(values['http-port']);
  if (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65535) {
    throw new Error(`--http-port must be a port number, got '${values['http-port']}'`);
  }
  const started = Date.now();
  const dataDir = resolve(values['data-dir'] ?? '.local');
  const stack = await startLocalStack({
    dataDir,
    httpPort,
    onStatus: say,
    // The host's info lines are many; warnings and errors always show, the rest with --verbose.
    onHostOutput: (line) => {
      if (values.verbose || !line.includes('"level":"info"')) console.log(`[host] ${line}`);
    },
    verbose: values.verbose ?? false,
  });
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    say('stopping...');
    stack
      .stop()
      .then(() => {
        say('stopped; data kept in ' + resolve(values['data-dir'] ?? '.local') + ' (npm run reset wipes it)');
        process.exit(0);
      })
      .catch(() => process.exit(1));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  say(`all services up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  say(`webhooks:   POST ${stack.baseUrl}/api/webhooks/{shopify|judgeme|zendesk|generic}`);
  say(`health:     GET  ${stack.baseUrl}/api/health`);
  say(
    `incidents:  GET  ${stack.baseUrl}/api/incidents   (header x-functions-key: see ${join(dataDir, 'devhost', 'host-keys.json')})`,
  );
  say(`cards sent: GET  ${stack.baseUrl}/_local/teams    tickets: GET ${stack.baseUrl}/_local/tickets`);

  const demoMarker = join(dataDir, 'demo-feed.json');
  if (values.demo && !values['no-demo'] && existsSync(demoMarker)) {
    const sent = JSON.parse(readFileSync(demoMarker, 'utf8')) as { sentAt: string };
    say(`the demo feed was already sent on ${sent.sentAt}; its data is kept (npm run reset starts over)`);
  } else if (values.demo && !values['no-demo']) {
    const now = new Date();
    const items = generateDemoFeed({ now });
    say(`sending the demo feed: ${items.length} items over 14 days of event time`);
    let lastShown = 0;
    const result = await sendDemoFeed({
      baseUrl: stack.baseUrl,
      secret: (stack.settings[settings.genericSecrets] ?? '').split(',')[0] ?? '',
      items,
      onProgress: (sent, total) => {
        if (sent === total || Date.now() - lastShown > 1000) {
          lastShown = Date.now();
          process.stdout.write(`\r[start] sent ${sent}/${total} (${Math.round((sent / total) * 100)}%)   `);
        }
      },
    });
    process.stdout.write('\n');
    // Sent once per data directory: a restart keeps the data instead of landing new revisions.
    writeFileSync(
      demoMarker,
      JSON.stringify({ now: now.toISOString(), sentAt: new Date().toISOString(), items: items.length }),
    );
    say(`accepted ${result.accepted}, duplicates ${result.duplicates}, rejected ${result.rejected}`);
    say('waiting for the pipeline to settle...');
    try {
      const summary = await waitUntilSettled(stack, {
        expectedItems: result.accepted,
        quietMs: 60000,
        timeoutMs: 15 * 60 * 1000,
        onProgress: (progress) => process.stdout.write(`\r[start] ${formatSummary(progress)}   `),
      });
      process.stdout.write('\n');
      say(`summary: ${formatSummary(summary)}`);
      const stuck = summary.rawBlobs - summary.routed - summary.quarantined - summary.poisonedBlobs;
      say(
        stuck > 0 ? `${stuck} item(s) not yet accounted for` : 'every item reached route or the quarantine',
      );
    } catch (error) {
      // The pipeline itself goes on; only the progress display gave up.
      process.stdout.write('\n');
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      say(
        `could not read the pipeline summary (${error instanceof Error ? error.message : String(error)}${cause})`,
      );
    }
  }
  say('running; send more webhooks, or press Ctrl-C to stop');
}

main().catch((error: unknown) => {
  console.error(`[start] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
