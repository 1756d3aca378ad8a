/**
 * CosmosIncidentStore against the local Cosmos DB emulator, and the route stage on it: ETag
 * concurrency (create-only, If-Match), lists for the API and the timer, and a spike end to end.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CosmosClient, type Container } from '@azure/cosmos';
import { COSMOS_EMULATOR_KEY, startCosmos } from '../../local/services/cosmos.js';
import { CosmosIncidentStore } from '../../shared/adapters/cosmos-incident-store.js';
import { applySignal } from '../../shared/domain/route/incident.js';
import { defaultRouteSettings } from '../../shared/domain/route/settings.js';
import { newLedger } from '../../shared/domain/route/team-ledger.js';
import { cosmosContainers } from '../../shared/topology.js';
import { makeRoute } from '../../shared/stages/route.js';
import { INCIDENT_KEY, spike } from '../fixtures/route/scored-events.js';
import { context, makeHarness } from '../fixtures/route/harness.js';

void describe('CosmosIncidentStore on the local emulator', () => {
  let dataDir: string;
  let emulator: { endpoint: string; stop(): Promise<void> };
  let container: Container;
  let store: CosmosIncidentStore;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'route-cosmos-'));
    emulator = await startCosmos({ dataDir });
    const client = new CosmosClient({
      endpoint: emulator.endpoint,
      key: COSMOS_EMULATOR_KEY,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    const { database } = await client.databases.createIfNotExists({ id: 'route-test' });
    const { container: created } = await database.containers.createIfNotExists({
      id: cosmosContainers.incidents.name,
      partitionKey: { paths: [cosmosContainers.incidents.partitionKey] },
    });
    container = created;
    store = new CosmosIncidentStore(container);
  });

  after(async () => {
    await emulator?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  void it('creates once, replaces with If-Match, and refuses a stale ETag', async () => {
    const event = spike(1, 1, '2026-11-27T10:00:00.000Z', { incidentKey: 'inc-etag' })[0]!;
    const incident = applySignal(undefined, event, defaultRouteSettings, new Date()).incident!;
    assert.equal(await store.get('inc-etag'), undefined);
    const created = await store.save(incident, null);
    assert.equal(created.status, 'saved');
    assert.deepEqual(await store.save(incident, null), { status: 'conflict' }, 'create-only');

    const read = (await store.get('inc-etag'))!;
    assert.deepEqual(read.value, incident, 'round-trips without system properties');
    const changed = { ...read.value, status: 'acknowledged' as const };
    const replaced = await store.save(changed, read.etag);
    assert.equal(replaced.status, 'saved');
    assert.deepEqual(await store.save({ ...read.value, status: 'resolved' }, read.etag), {
      status: 'conflict',
    });
    assert.equal((await store.get('inc-etag'))!.value.status, 'acknowledged');
  });

  void it('keeps team ledgers beside incidents and lists each kind', async () => {
    const ledger = newLedger('logistics', new Date('2026-11-27T12:00:00.000Z'));
    assert.equal((await store.saveLedger(ledger, null)).status, 'saved');
    const read = (await store.getLedger('logistics'))!;
    assert.equal(read.value.team, 'logistics');
    assert.equal((await store.saveLedger({ ...read.value, cardsInWindow: 1 }, read.etag)).status, 'saved');
    assert.equal((await store.saveLedger({ ...read.value, cardsInWindow: 2 }, read.etag)).status, 'conflict');
    assert.deepEqual(
      (await store.listLedgers()).map((item) => [item.team, item.cardsInWindow]),
      [['logistics', 1]],
    );
    const incidents = await store.list();
    assert.ok(incidents.every((incident) => incident.docType === 'incident'));
    assert.deepEqual(
      (await store.list({ statuses: ['acknowledged'] })).map((incident) => incident.key),
      ['inc-etag'],
    );
  });

  void it('runs the route stage on Cosmos: one incident, one card, one ticket; redelivery changes nothing', async () => {
    const h = makeHarness({ now: '2026-11-27T12:00:00.000Z' });
    h.deps.incidentStore = store;
    const route = makeRoute(h.deps);
    const events = spike(1, 6, '2026-11-27T10:00:00.000Z');
    for (const event of events) {
      const { normalized, classification: _c, score: _s, ...header } = event;
      await h.feedbackStore.putNormalized(event.feedbackId, event.revision, header, normalized);
    }
    await route(events, context());
    const first = (await store.get(INCIDENT_KEY))!;
    await route(events, context());
    assert.equal(h.teams.posts.length, 1);
    assert.equal(h.tickets.created.length, 1);
    const second = (await store.get(INCIDENT_KEY))!;
    assert.equal(second.etag, first.etag, 'redelivery wrote nothing');
    assert.equal(second.value.status, 'ticketed');
    assert.equal(second.value.evidence.count, 6);
    assert.deepEqual(second.value.outbox, []);
  });
});
