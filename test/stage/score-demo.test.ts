/**
 * The demo feed, labelled with its own ground truth (perfect classification), through the score
 * stage: its injected spike must raise exactly one alert, for the right product and category.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_SPIKE, generateLabelledDemoFeed } from '../../local/demo/generate.js';
import { incidentKeyOf } from '../../shared/domain/score/index.js';
import { firedAlerts, makeHarness } from '../fixtures/score/harness.js';
import { feedbackIdFor, makeClassifiedEvent } from '../fixtures/score/synthetic.js';

void test('the demo feed’s injected spike raises exactly one alert, for its product and category', async () => {
  const feed = generateLabelledDemoFeed({ now: new Date('2026-11-27T12:00:00Z') });
  const events = feed
    .map(({ item, truth }) =>
      makeClassifiedEvent({
        id: item.id,
        productKey: item.sku,
        eventTime: item.createdAt,
        category: truth.category,
        component: truth.component,
        customerToken: item.customerId,
        spam: truth.kind === 'spam',
        ...(truth.duplicateOf ? { nearDuplicateOf: feedbackIdFor(truth.duplicateOf) } : {}),
      }),
    )
    .sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0));
  const scored = await makeHarness().run(events, 100);
  const fired = firedAlerts(scored);
  assert.equal(fired.length, 1, fired.map((event) => event.score.reasons.join('; ')).join('\n'));
  assert.equal(fired[0]!.productKey, DEMO_SPIKE.sku);
  assert.equal(fired[0]!.score.incidentKey, incidentKeyOf(DEMO_SPIKE.sku, DEMO_SPIKE.category));
});
