/**
 * The ingest fuzz test over real HTTP: the compiled function app in the dev host, landing in
 * Azurite. Ten thousand seeded hostile deliveries (random and mutated bodies and headers) go to
 * the four webhook endpoints with valid ones in between. Hostile ones get a 4xx (or a 202 when a
 * re-signed mutation is still a valid item), nothing gets a 5xx, the host still answers at the
 * end, and every valid item is in the raw container exactly as it was sent.
 * Only Azurite and the dev host run: the downstream triggers are disabled with the Functions
 * setting `AzureWebJobs.<name>.Disabled`, and nothing here talks to Cosmos or Event Hubs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { startAzurite, type AzuriteInstance } from '../../local/services/azurite.js';
import { startDevHostProcess, type DevHostInstance } from '../../local/services/devhost.js';
import { localSettings } from '../../local/stack.js';
import { disabledSettingName } from '../../local/devhost/disabled.js';
import type { RawEnvelope, Source } from '../../shared/domain/record.js';
import { escalationSchedule } from '../../shared/stages/escalation.js';
import { blobContainers, settings, stages } from '../../shared/topology.js';
import { WebhookFuzzer, type FuzzCase } from '../support/webhook-fuzz.js';

const HOSTILE_CASES = 10_000;
const VALID_EVERY = 25;
const IN_FLIGHT = 16;
const MAX_BODY_BYTES = 64 * 1024;
/** Nothing listens here: a function that tried Cosmos or Event Hubs would fail, not hang. */
const UNUSED_ENDPOINT = 'http://127.0.0.1:9';

interface Answer {
  status: number;
  body: string;
}

function send(baseUrl: string, agent: Agent, fuzzCase: FuzzCase): Promise<Answer> {
  const path = `/api/webhooks/${fuzzCase.source}${fuzzCase.query}`;
  return new Promise((resolvePromise, reject) => {
    const outgoing = request(
      `${baseUrl}${path}`,
      {
        method: fuzzCase.method,
        agent,
        headers: { ...fuzzCase.headers, 'Content-Length': String(fuzzCase.body.length) },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () =>
          resolvePromise({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', (error) => reject(new Error(`${fuzzCase.label}: ${error.message}`)));
    outgoing.end(fuzzCase.body);
  });
}

void describe('ingest webhooks over HTTP under fuzzing', { timeout: 240_000 }, () => {
  let dataDir: string;
  let azurite: AzuriteInstance;
  let host: DevHostInstance;
  let raw: ContainerClient;
  let secrets: Record<Source, string>;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ingest-fuzz-http-'));
    azurite = await startAzurite({ dataDir: join(dataDir, 'azurite') });
    const blobService = BlobServiceClient.fromConnectionString(azurite.connectionString);
    raw = blobService.getContainerClient(blobContainers.raw);
    await raw.createIfNotExists();
    await blobService.getContainerClient(blobContainers.landing).createIfNotExists();

    const appDir = resolve('.');
    const downstream = [
      stages.normalize.functionName,
      stages.classify.functionName,
      stages.score.functionName,
      stages.route.functionName,
      escalationSchedule.name,
    ];
    const env: Record<string, string> = {
      ...localSettings(appDir),
      [settings.hostStorage]: azurite.connectionString,
      [settings.feedbackStorage]: azurite.connectionString,
      [settings.cosmosEndpoint]: UNUSED_ENDPOINT,
      [settings.webhookMaxBytes]: String(MAX_BODY_BYTES),
      ...Object.fromEntries(downstream.map((name) => [disabledSettingName(name), 'true'])),
    };
    secrets = {
      shopify: env[settings.shopifySecrets] ?? '',
      judgeme: env[settings.judgemeSecrets] ?? '',
      zendesk: env[settings.zendeskSecrets] ?? '',
      generic: env[settings.genericSecrets] ?? '',
    };
    host = await startDevHostProcess({ appDir, dataDir: join(dataDir, 'host'), port: 0, env });
  });

  after(async () => {
    await host?.stop();
    await azurite?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  void it(`${HOSTILE_CASES} hostile deliveries get only 4xx (or 202 when still valid), never a 5xx; the host stays up; every valid item lands as sent`, async (t) => {
    // Signatures are made at the real time: the host checks freshness against its own clock.
    const fuzzer = new WebhookFuzzer({
      seed: 44,
      secrets,
      now: () => new Date(),
      maxBodyBytes: MAX_BODY_BYTES,
    });
    const cases: FuzzCase[] = [];
    for (let index = 0; index < HOSTILE_CASES; index += 1) {
      if (index % VALID_EVERY === 0) cases.push(fuzzer.validCase());
      cases.push(fuzzer.hostileCase());
    }

    const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const sentBodies = new Map<string, Buffer>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < cases.length) {
        const fuzzCase = cases[next]!;
        next += 1;
        const answer = await send(host.baseUrl, agent, fuzzCase);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (fuzzCase.kind === 'valid') {
          const ids =
            answer.status === 202 ? (JSON.parse(answer.body) as { feedbackIds: string[] }).feedbackIds : [];
          if (answer.status !== 202 || JSON.stringify(ids) !== JSON.stringify(fuzzCase.expectedFeedbackIds))
            failures.push(`${fuzzCase.label}: ${answer.status} ${answer.body.slice(0, 200)}`);
          for (const id of fuzzCase.expectedFeedbackIds ?? []) sentBodies.set(id, fuzzCase.body);
        } else if (
          !(answer.status === 202 && fuzzCase.mayBeAccepted) &&
          (answer.status < 400 || answer.status >= 500)
        ) {
          failures.push(`${fuzzCase.label}: ${answer.status} ${answer.body.slice(0, 200)}`);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));

      assert.deepEqual(failures.slice(0, 20), [], `${failures.length} unexpected answers`);
      assert.equal([...statuses.keys()].filter((status) => status >= 500).length, 0);
      // The mix reaches every rejection path, over the wire as in process.
      for (const status of [400, 401, 404, 405, 413, 415, 422])
        assert.ok(statuses.has(status), `saw a ${status}`);

      // Still up: one more valid delivery after everything else.
      const last = fuzzer.validCase();
      const lastAnswer = await send(host.baseUrl, agent, last);
      assert.equal(lastAnswer.status, 202, lastAnswer.body);
      for (const id of last.expectedFeedbackIds ?? []) sentBodies.set(id, last.body);
    } finally {
      agent.destroy();
    }

    // Every valid item is a raw blob, found by its feedback id, holding the body exactly as sent.
    const pathById = new Map<string, string>();
    for await (const blob of raw.listBlobsFlat({ includeMetadata: true })) {
      const id = blob.metadata?.feedbackid;
      if (id) pathById.set(id, blob.name);
    }
    const missing = [...sentBodies.keys()].filter((id) => !pathById.has(id));
    assert.deepEqual(missing, [], 'every valid item landed');
    for (const [id, body] of sentBodies) {
      const envelope = JSON.parse(
        (await raw.getBlobClient(pathById.get(id)!).downloadToBuffer()).toString('utf8'),
      ) as RawEnvelope;
      assert.equal(envelope.feedbackId, id);
      assert.ok(Buffer.from(envelope.body, 'base64').equals(body), `${id} landed as sent`);
    }
    assert.ok(sentBodies.size >= HOSTILE_CASES / VALID_EVERY);
    t.diagnostic(
      `statuses ${JSON.stringify(Object.fromEntries(statuses))}; valid items landed ${sentBodies.size}`,
    );
  });
});
