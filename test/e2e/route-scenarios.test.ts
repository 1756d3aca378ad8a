/**
 * Route's promises, end to end on the whole local stack (ingest → normalize → classify → score →
 * route, the dev host's Teams and ticket receivers), in the order a real incident lives them:
 *   1. the demo feed's spike gives one incident, one card and one ticket;
 *   2. twenty more complaints on the same issue add evidence and update the same ticket, with no
 *      second card inside the dedup window;
 *   3. redelivering every event on every hub changes nothing;
 *   4. acknowledge, snooze and review calls without a valid token get 401 (and a valid card link works);
 *   5. resolving the incident and sending the complaints again reopens it with a "regressed after
 *      fix" card;
 *   6. a Teams endpoint that answers 429 then 200 receives the card exactly once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventHubConsumerClient, EventHubProducerClient, earliestEventPosition } from '@azure/event-hubs';
import type { EventData, ReceivedEventData } from '@azure/event-hubs';
import { DEMO_SPIKE, generateLabelledDemoFeed } from '../../local/demo/generate.js';
import { bootSoleComplaints } from '../fixtures/route/boot-sole-complaints.js';
import { waitUntilSettled } from '../../local/summary.js';
import { signActionToken } from '../../shared/domain/route/action-token.js';
import { incidentKeyOf } from '../../shared/domain/score/index.js';
import { hubs, settings } from '../../shared/topology.js';
import {
  getJson,
  postGeneric,
  startStackUnderTest,
  type GenericItem,
  type StackUnderTest,
} from './support.js';

interface IncidentView {
  key: string;
  status: string;
  regressedAfterFix: boolean;
  acknowledgedAt?: string;
  evidence: { count: number; feedbackIds: string[] };
  ticket?: { key: string };
  alerts: { seq: number; variant: string }[];
}

interface Received {
  receivedAt: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests walk the card JSON freely
  body: any;
  ticketKey?: string;
  kind?: 'create' | 'update';
}

const SPIKE_KEY = incidentKeyOf(DEMO_SPIKE.sku, DEMO_SPIKE.category);

/** Distinct complaints about the spike's defect, as new items from new customers just before `at`. */
function complaints(texts: readonly string[], prefix: string, at: number): GenericItem[] {
  return texts.map((text, index) => ({
    id: `${prefix}-${index}`,
    channel: 'review',
    sku: DEMO_SPIKE.sku,
    rating: 1,
    customerId: `${prefix}-customer-${index}`,
    createdAt: new Date(at - (texts.length - index) * 1000).toISOString(),
    text,
  }));
}

async function post(subject: StackUnderTest, items: GenericItem[]): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < items.length; start += 50) {
    const response = await postGeneric(subject.stack, items.slice(start, start + 50));
    assert.equal(response.status, 202, JSON.stringify(response.body));
    ids.push(...(response.body.feedbackIds ?? []));
  }
  return ids;
}

async function received(subject: StackUnderTest, receiver: 'teams' | 'tickets'): Promise<Received[]> {
  return (await getJson<Received[]>(subject.stack, `/_local/${receiver}`)).body;
}

async function incident(subject: StackUnderTest): Promise<IncidentView> {
  const response = await getJson<IncidentView>(subject.stack, `/api/incidents/${SPIKE_KEY}`);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body;
}

async function settle(subject: StackUnderTest, expectedItems: number): Promise<void> {
  const summary = await waitUntilSettled(subject.stack, {
    expectedItems,
    timeoutMs: 300_000,
    quietMs: 20_000,
  });
  assert.equal(summary.routed + summary.quarantined, expectedItems, JSON.stringify(summary));
  assert.equal(summary.quarantined, 0, JSON.stringify(summary));
}

/** Reads every event on a hub from the start and sends each again to its partition. */
async function redeliverHub(connectionString: string, hub: string): Promise<number> {
  const consumer = new EventHubConsumerClient('$Default', connectionString, hub);
  const producer = new EventHubProducerClient(connectionString, hub);
  try {
    let total = 0;
    for (const partitionId of await consumer.getPartitionIds()) {
      const properties = await consumer.getPartitionProperties(partitionId);
      if (properties.isEmpty) continue;
      const events: ReceivedEventData[] = [];
      await new Promise<void>((resolve, reject) => {
        const subscription = consumer.subscribe(
          partitionId,
          {
            processEvents: async (batch) => {
              events.push(...batch);
              if (events.at(-1)!.sequenceNumber >= properties.lastEnqueuedSequenceNumber) {
                await subscription.close();
                resolve();
              }
            },
            processError: async (error) => {
              await subscription.close();
              reject(error);
            },
          },
          { startPosition: earliestEventPosition, maxBatchSize: 200 },
        );
      });
      let batch = await producer.createBatch({ partitionId });
      for (const event of events) {
        const copy: EventData = { body: event.body, properties: event.properties ?? {} };
        if (!batch.tryAdd(copy)) {
          await producer.sendBatch(batch);
          batch = await producer.createBatch({ partitionId });
          assert.ok(batch.tryAdd(copy), 'an event fits an empty batch');
        }
      }
      if (batch.count > 0) await producer.sendBatch(batch);
      total += events.length;
    }
    return total;
  } finally {
    await consumer.close();
    await producer.close();
  }
}

describe(
  'route on the local stack: one incident, one card, one ticket, kept honest',
  { timeout: 900_000 },
  () => {
    let subject: StackUnderTest;
    let sent = 0;
    let cardLinks: string[] = [];

    before(async () => {
      subject = await startStackUnderTest();
    });

    after(async () => {
      await subject?.cleanup();
    });

    it('the demo feed’s spike gives one incident, one card and one ticket', async () => {
      const feed = generateLabelledDemoFeed({ now: new Date(), items: 200 });
      sent += (
        await post(
          subject,
          feed.map((labelled) => labelled.item),
        )
      ).length;
      await settle(subject, sent);

      const list = await getJson<{ incidents: { key: string; status: string }[] }>(
        subject.stack,
        '/api/incidents',
      );
      assert.deepEqual(
        list.body.incidents.map((entry) => entry.key),
        [SPIKE_KEY],
        'one incident, for the spike’s product and category',
      );
      const cards = await received(subject, 'teams');
      assert.equal(cards.length, 1, 'one card');
      assert.match(JSON.stringify(cards[0]!.body), new RegExp(DEMO_SPIKE.sku));
      const tickets = await received(subject, 'tickets');
      assert.equal(tickets.filter((entry) => entry.kind === 'create').length, 1, 'one ticket');
      const current = await incident(subject);
      assert.equal(current.ticket?.key, tickets.find((entry) => entry.kind === 'create')?.ticketKey);
      cardLinks = [...JSON.stringify(cards[0]!.body).matchAll(/"url":"([^"]+\/actions\/[^"]+)"/g)].map(
        (match) => match[1]!,
      );
      assert.ok(cardLinks.length >= 4, 'the card carries its action links');
    });

    it('twenty more complaints add evidence and update the same ticket, with no second card', async () => {
      const before = await incident(subject);
      const ticketsBefore = await received(subject, 'tickets');
      const ids = await post(subject, complaints(bootSoleComplaints.slice(0, 20), 'more', Date.now()));
      sent += ids.length;
      await settle(subject, sent);

      const after = await incident(subject);
      for (const id of ids) assert.ok(after.evidence.feedbackIds.includes(id), `${id} is evidence`);
      assert.equal(after.evidence.count, before.evidence.count + 20);
      assert.equal((await received(subject, 'teams')).length, 1, 'no second card inside the dedup window');
      const newTickets = (await received(subject, 'tickets')).slice(ticketsBefore.length);
      assert.ok(newTickets.length >= 1, 'the ticket was updated');
      for (const entry of newTickets) {
        assert.equal(entry.kind, 'update', 'never a second ticket');
        assert.equal(entry.ticketKey, before.ticket?.key);
      }
    });

    it('redelivering every event on every hub changes nothing', async () => {
      const before = await incident(subject);
      const cardsBefore = (await received(subject, 'teams')).length;
      const ticketsBefore = (await received(subject, 'tickets')).length;
      const connection = subject.stack.settings[settings.eventHubs] ?? '';
      for (const hub of [hubs.normalized.name, hubs.classified.name, hubs.scored.name]) {
        const count = await redeliverHub(connection, hub);
        assert.ok(count >= sent, `${hub}: every event redelivered (${count})`);
      }
      // Each stage consumes the copies and passes them on; wait until nothing moves.
      await waitUntilSettled(subject.stack, { timeoutMs: 300_000, quietMs: 20_000 });
      await new Promise((resolve) => setTimeout(resolve, 5000));
      assert.deepEqual(await incident(subject), before, 'the incident is unchanged');
      assert.equal((await received(subject, 'teams')).length, cardsBefore, 'no card');
      assert.equal((await received(subject, 'tickets')).length, ticketsBefore, 'no ticket call');
    });

    it('acknowledge, snooze and review calls without a valid token get 401', async () => {
      const base = subject.stack.baseUrl;
      const forged = signActionToken('not-the-action-link-key', {
        k: SPIKE_KEY,
        a: 'acknowledge',
        s: 1,
        e: Math.floor(Date.now() / 1000) + 3600,
        n: 'forged',
      });
      const expired = signActionToken(subject.stack.settings[settings.actionLinkKey] ?? '', {
        k: SPIKE_KEY,
        a: 'snooze',
        s: 1,
        e: Math.floor(Date.now() / 1000) - 60,
        n: 'expired',
      });
      const acknowledge = `${base}/api/incidents/${SPIKE_KEY}/actions/acknowledge`;
      const snooze = `${base}/api/incidents/${SPIKE_KEY}/actions/snooze`;
      const refused = [
        await fetch(acknowledge, { method: 'POST' }),
        await fetch(`${acknowledge}?token=${forged}`, { method: 'POST' }),
        await fetch(`${snooze}?token=${expired}`, { method: 'POST' }),
        await fetch(`${snooze}?token=garbage`, { method: 'POST' }),
        await fetch(`${base}/api/review`),
        await fetch(`${base}/api/review/some-item`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ decision: 'confirm' }),
        }),
        await fetch(`${base}/api/review`, { headers: { 'x-functions-key': 'not-a-key' } }),
      ];
      assert.deepEqual(
        refused.map((response) => response.status),
        refused.map(() => 401),
      );
      assert.equal((await incident(subject)).acknowledgedAt, undefined, 'nothing was acknowledged');

      // The card's own acknowledge link works.
      const link = cardLinks.find((url) => url.includes('/actions/acknowledge'));
      assert.ok(link);
      const local = new URL(link);
      const accepted = await fetch(`${base}${local.pathname}${local.search}`, { method: 'POST' });
      assert.equal(accepted.status, 200);
      assert.ok((await incident(subject)).acknowledgedAt, 'the valid link acknowledged the incident');
    });

    it('resolving, then the complaints coming back, reopens it with a "regressed after fix" card', async () => {
      const resolved = await fetch(`${subject.stack.baseUrl}/api/incidents/${SPIKE_KEY}/resolve`, {
        method: 'POST',
        headers: { 'x-functions-key': subject.stack.functionKey, 'content-type': 'application/json' },
        body: JSON.stringify({ note: 'supplier fixed the sole glue' }),
      });
      assert.equal(resolved.status, 200, await resolved.text());
      assert.equal((await incident(subject)).status, 'resolved');
      const cardsBefore = (await received(subject, 'teams')).length;
      const ticketsBefore = await received(subject, 'tickets');

      sent += (await post(subject, complaints(bootSoleComplaints.slice(20, 32), 'again', Date.now()))).length;
      await settle(subject, sent);

      const reopened = await incident(subject);
      assert.equal(reopened.status, 'reopened');
      assert.equal(reopened.regressedAfterFix, true);
      const newCards = (await received(subject, 'teams')).slice(cardsBefore);
      assert.equal(newCards.length, 1, 'one card');
      assert.match(JSON.stringify(newCards[0]!.body), /Regressed after fix/);
      const newTickets = (await received(subject, 'tickets')).slice(ticketsBefore.length);
      assert.ok(newTickets.length >= 1);
      for (const entry of newTickets) {
        assert.equal(entry.kind, 'update', 'the same ticket, never a new one');
        assert.equal(entry.ticketKey, reopened.ticket?.key);
      }
    });

    it('a Teams endpoint that answers 429 then 200 receives the card exactly once', async () => {
      const faults = await fetch(`${subject.stack.baseUrl}/_local/teams/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ status: 429, retryAfterSeconds: 1 }]),
      });
      assert.equal(faults.status, 200);
      const cardsBefore = (await received(subject, 'teams')).length;
      sent += (
        await post(subject, [
          {
            id: 'throttled-safety-1',
            channel: 'review',
            sku: 'E2E-THROTTLED-1',
            rating: 1,
            createdAt: new Date().toISOString(),
            text: 'The charger got very hot, smoked and burned my fingers when I unplugged it.',
          },
        ])
      ).length;
      await settle(subject, sent);
      const newCards = (await received(subject, 'teams')).slice(cardsBefore);
      assert.equal(newCards.length, 1, 'exactly one card got through');
      assert.match(JSON.stringify(newCards[0]!.body), /E2E-THROTTLED-1/);
      const left = await fetch(`${subject.stack.baseUrl}/_local/teams/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '[]',
      });
      assert.deepEqual(await left.json(), { queued: 0 }, 'the 429 was answered (and retried)');
    });
  },
);
