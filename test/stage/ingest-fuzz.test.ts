import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeIngestWebhook } from '../../shared/stages/ingest.js';
import type { RawEnvelope, Source } from '../../shared/domain/record.js';
import { WebhookFuzzer, type FuzzCase } from '../support/webhook-fuzz.js';
import {
  MemoryRawStore,
  RecordingLogger,
  TEST_SECRETS,
  testContext,
  webhookRequest,
} from '../support/webhook-signing.js';

const HOSTILE_CASES = 10_000;
const VALID_EVERY = 25;

void describe('ingest webhook fuzz', () => {
  void it(`${HOSTILE_CASES} hostile deliveries get only 4xx (or 202 when a re-signed mutation is still valid), never a throw or 5xx; valid ones in between all land`, async (t) => {
    const now = new Date('2026-11-27T12:00:00.000Z');
    const store = new MemoryRawStore();
    const handler = makeIngestWebhook({
      rawStore: store,
      secrets: structuredClone(TEST_SECRETS),
      maxBodyBytes: 64 * 1024,
      replayWindowSeconds: 300,
      clock: () => now,
      logger: new RecordingLogger(),
    });
    const secrets = Object.fromEntries(
      Object.entries(TEST_SECRETS).map(([source, list]) => [source, list[0]!]),
    ) as Record<Source, string>;
    const fuzzer = new WebhookFuzzer({ seed: 4, secrets, now: () => now, maxBodyBytes: 64 * 1024 });
    const send = (fuzzCase: FuzzCase) =>
      handler(
        webhookRequest({
          method: fuzzCase.method,
          source: fuzzCase.source,
          body: fuzzCase.body,
          headers: fuzzCase.headers,
          query: fuzzCase.query,
        }),
        testContext(),
      );

    const statuses = new Map<number, number>();
    const expectedIds: string[] = [];
    let hostileAccepted = 0;
    for (let index = 0; index < HOSTILE_CASES; index += 1) {
      if (index % VALID_EVERY === 0) {
        const valid = fuzzer.validCase();
        const response = await send(valid);
        assert.equal(response.status, 202, `${valid.label}: ${JSON.stringify(response.jsonBody)}`);
        assert.deepEqual(
          (response.jsonBody as { feedbackIds: string[] }).feedbackIds,
          valid.expectedFeedbackIds,
        );
        expectedIds.push(...valid.expectedFeedbackIds!);
      }
      const hostile = fuzzer.hostileCase();
      let status: number;
      try {
        status = (await send(hostile)).status ?? 200;
      } catch (error) {
        assert.fail(`case ${index} (${hostile.label}) threw: ${String(error)}`);
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status === 202 && hostile.mayBeAccepted) {
        hostileAccepted += 1;
        continue;
      }
      assert.ok(status >= 400 && status < 500, `case ${index} (${hostile.label}) answered ${status}`);
    }

    const landed = new Set(
      (store.envelopes() as unknown as RawEnvelope[]).map((envelope) => envelope.feedbackId),
    );
    const missing = expectedIds.filter((id) => !landed.has(id));
    assert.deepEqual(missing, [], 'every valid item landed');
    assert.ok(expectedIds.length >= HOSTILE_CASES / VALID_EVERY);
    // The mix must actually exercise every rejection path, not just one.
    for (const status of [400, 401, 404, 405, 413, 415, 422])
      assert.ok(statuses.has(status), `saw a ${status}`);
    t.diagnostic(
      `statuses ${JSON.stringify(Object.fromEntries(statuses))}; hostile but valid after re-signing: ${hostileAccepted}`,
    );
  });
});
