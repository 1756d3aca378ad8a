/**
 * The demo feed through the real ingest extraction, normalize, classify (rules + model), score and
 * route handlers in-process: its injected spike gives one incident, one card and one ticket, and
 * the background's scattered defect reports are watched, not ticketed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_SPIKE } from '../../local/demo/generate.js';
import { rehearseDemoFeed } from '../../local/demo/rehearse.js';
import { incidentKeyOf } from '../../shared/domain/score/index.js';

void test('the demo’s spike gives one incident, one card and one ticket', { timeout: 180_000 }, async () => {
  const report = await rehearseDemoFeed({ now: new Date('2026-11-28T00:00:00Z') });
  assert.equal(report.items, report.scored, 'every item reached score');
  assert.equal(report.quarantined, 0);
  assert.deepEqual(
    report.route.incidents.map((incident) => [incident.productKey, incident.category]),
    [[DEMO_SPIKE.sku, DEMO_SPIKE.category]],
  );
  assert.equal(report.route.incidents[0]?.key, incidentKeyOf(DEMO_SPIKE.sku, DEMO_SPIKE.category));
  assert.ok((report.route.incidents[0]?.evidence ?? 0) >= report.spike.counted, 'the spike is its evidence');
  assert.equal(report.route.cards, 1);
  assert.equal(report.route.ticketsCreated, 1);
  assert.ok(report.route.watching > 0, 'background defect reports are watched, not ticketed');
  assert.equal(report.exactlyTheSpike, true);
});
