/**
 * The walking skeleton, end to end on the whole local stack: a signed webhook goes in; the
 * record comes back through `GET /api/feedback/{id}` with every stage's block and its lineage
 * to the raw blob, and the alert card is at the Teams receiver. Then the stack is killed in
 * mid-stream and started again: every accepted item reaches route, none of them twice.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BlobServiceClient } from '@azure/storage-blob';
import { blobContainers } from '../../shared/topology.js';
import { waitUntilSettled } from '../../local/summary.js';
import { eventually, getJson, postGeneric, startStackUnderTest, type StackUnderTest } from './support.js';

interface FeedbackRecord {
  id: string;
  revision: string;
  header: { lineage: { rawBlob: string; normalizedAt?: string; classifiedAt?: string; scoredAt?: string } };
  normalized?: { text: string; piiTypes: string[] };
  classification?: { severity: string; primaryCategory: string };
  score?: { decision: string; incidentKey: string };
  route?: unknown;
  lineage: { rawBlob: string; normalizedAt?: string; routedAt?: string };
}

interface ReceivedCard {
  body: { type: string; attachments: { contentType: string; content: { type: string; version: string } }[] };
}

describe('the pipeline on the local stack', { timeout: 600000 }, () => {
  let subject: StackUnderTest;

  before(async () => {
    subject = await startStackUnderTest({
      // Forty safety alerts to one team in a minute would otherwise (rightly) become a digest.
      ROUTE_TEAM_RATE_LIMIT: '1000',
      // A card claimed by the killed host is taken over 5 + 30 s after its claim, by a timer
      // running every 5 s (production: 120 + 30 s, every minute).
      ROUTE_CALL_DEADLINE_SECONDS: '5',
      ROUTE_TIMER_SCHEDULE: '*/5 * * * * *',
    });
  });

  after(async () => {
    await subject?.cleanup();
  });

  it('is healthy: every dependency answers', async () => {
    const health = await getJson<{ status: string; down: string[] }>(subject.stack, '/api/health');
    assert.equal(health.status, 200, JSON.stringify(health.body));
    assert.equal(health.body.status, 'ok');
  });

  it('takes a webhook through all five stages to a Teams card, with lineage back to the raw blob', async () => {
    const now = new Date();
    const posted = await postGeneric(subject.stack, {
      id: 'e2e-safety-1',
      channel: 'review',
      sku: 'E2E-KETTLE-1',
      rating: 1,
      locale: 'en-GB',
      createdAt: now.toISOString(),
      text: 'The kettle base started smoking and melted after two days. Call me on +44 20 7946 0958.',
    });
    assert.equal(posted.status, 202, JSON.stringify(posted.body));
    const feedbackId = posted.body.feedbackIds?.[0];
    assert.match(String(feedbackId), /^[0-9a-f]{32}$/);

    const record = await eventually(async () => {
      const response = await getJson<FeedbackRecord>(subject.stack, `/api/feedback/${feedbackId}`);
      return response.status === 200 && response.body.route ? response.body : undefined;
    }, 'the routed record');
    assert.equal(record.id, feedbackId);
    assert.ok(
      record.normalized && record.classification && record.score && record.route,
      'every block is present',
    );
    assert.ok(
      !record.normalized.text.includes('7946'),
      'the phone number is redacted before it leaves normalize',
    );
    assert.ok(record.normalized.piiTypes.length > 0);
    assert.equal(record.classification.severity, 'critical');
    assert.equal(record.score.decision, 'alert');
    assert.ok(record.lineage.normalizedAt && record.lineage.routedAt, 'lineage through the stages');
    assert.equal(record.lineage.rawBlob, record.header.lineage.rawBlob);

    // The raw blob it came from is there, untouched.
    const blobs = BlobServiceClient.fromConnectionString(subject.stack.azurite.connectionString);
    const rawPath = record.header.lineage.rawBlob.replace(new RegExp(`^${blobContainers.raw}/`), '');
    const raw = JSON.parse(
      (await blobs.getContainerClient(blobContainers.raw).getBlobClient(rawPath).downloadToBuffer()).toString(
        'utf8',
      ),
    ) as { body: string; feedbackId: string };
    assert.equal(raw.feedbackId, feedbackId);
    assert.match(Buffer.from(raw.body, 'base64').toString('utf8'), /\+44 20 7946 0958/);

    // The card reached the Teams receiver in the Workflows envelope.
    const cards = await eventually(async () => {
      const list = await getJson<ReceivedCard[]>(subject.stack, '/_local/teams');
      return list.body.length > 0 ? list.body : undefined;
    }, 'a card at the Teams receiver');
    const card = cards[0]!.body;
    assert.equal(card.type, 'message');
    assert.equal(card.attachments[0]?.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(card.attachments[0]?.content.type, 'AdaptiveCard');
    assert.ok(!JSON.stringify(card).includes('7946 0958'), 'no personal data on the card');
  });

  it('after a kill in mid-stream and a restart, delivers every accepted item to route, none of them twice', async () => {
    const cardsBefore = (await getJson<ReceivedCard[]>(subject.stack, '/_local/teams')).body.length;
    const now = Date.now();
    const items = Array.from({ length: 40 }, (_, index) => ({
      id: `e2e-crash-${index}`,
      channel: 'review',
      // Each item is its own product: a safety report alerts at once, one incident and one card each.
      sku: `E2E-CRASH-${index}`,
      rating: 1,
      createdAt: new Date(now - index * 1000).toISOString(),
      text: `Item ${index}: the charger overheated, sparked and caught fire on my desk.`,
    }));
    const accepted: string[] = [];
    for (let start = 0; start < items.length; start += 10) {
      const response = await postGeneric(subject.stack, items.slice(start, start + 10));
      assert.equal(response.status, 202);
      accepted.push(...(response.body.feedbackIds ?? []));
    }
    assert.equal(accepted.length, items.length);
    await subject.restart('kill');

    // Settled means routed and nothing left in any outbox; quiet for longer than a claim's lease.
    const summary = await waitUntilSettled(subject.stack, { timeoutMs: 240000, quietMs: 60000 });
    assert.equal(summary.outboxInFlight, 0, `no card or ticket left behind (${JSON.stringify(summary)})`);
    for (const feedbackId of accepted) {
      const record = await getJson<FeedbackRecord>(subject.stack, `/api/feedback/${feedbackId}`);
      assert.equal(record.status, 200, `feedback ${feedbackId} is stored`);
      assert.ok(record.body.route, `feedback ${feedbackId} reached route (${JSON.stringify(summary)})`);
    }
    const cards = (await getJson<ReceivedCard[]>(subject.stack, '/_local/teams')).body;
    const newCards = cards.slice(cardsBefore);
    assert.equal(newCards.length, items.length, 'one card per incident: none lost, none sent twice');
  });
});
