/**
 * A dress rehearsal of the demo: the feed run in-process through the real ingest extraction,
 * normalize, classify (rules and the compact model, no LLM) and score handlers, with in-memory
 * stores, to see before `npm start` what the demo will alert on. Dev tooling; about half a minute
 * for the default 3000 items. The demo's acceptance is exactly one unsuppressed alert, on
 * `DEMO_SPIKE`'s product and category.
 */
import functions from '@azure/functions';
import { join } from 'node:path';
import {
  MemoryFeedbackStore,
  MemoryLogger,
  MemoryPublisher,
  MemoryQuarantine,
} from '../../shared/adapters/memory.js';
import { loadCatalog } from '../../shared/domain/catalog.js';
import { loadLocalClassifierFiles } from '../../shared/domain/classify/load.js';
import type { ClassifiedEvent, NormalizedEvent, ScoredEvent } from '../../shared/domain/events.js';
import { buildLandingWrite } from '../../shared/domain/ingest/envelope.js';
import { extractGeneric } from '../../shared/domain/ingest/generic.js';
import { MemoryReviewQueue } from '../../shared/domain/review.js';
import { MemoryFeatureStore } from '../../shared/domain/score/feature-store.js';
import { buildClassifier, makeClassify } from '../../shared/stages/classify.js';
import {
  DEFAULT_DEDUPE_WINDOW_DAYS,
  DEFAULT_NEAR_DUPLICATE_THRESHOLD,
  makeNormalize,
  MemoryDedupeStore,
} from '../../shared/stages/normalize.js';
import { defaultScoreSettings, makeScore } from '../../shared/stages/score.js';
import { hubs } from '../../shared/topology.js';
import { DEMO_SPIKE, generateLabelledDemoFeed, type DemoFeedOptions } from './generate.js';

export interface RehearsalAlert {
  productKey: string;
  category: string;
  incidentKey: string;
  eventTime: string;
  reasons: string[];
}

export interface RehearsalReport {
  items: number;
  normalized: number;
  classified: number;
  scored: number;
  quarantined: number;
  /** Unsuppressed alerts: what would reach Teams. */
  alerts: RehearsalAlert[];
  /** Alert decisions an open incident suppressed (evidence added to it). */
  suppressedAlerts: number;
  criticalItems: number;
  spike: { items: number; classifiedAsSpikeCategory: number; counted: number };
  spamFlagged: number;
  /** True when the demo's acceptance holds: one alert, on DEMO_SPIKE's product and category. */
  exactlyTheSpike: boolean;
}

const BATCH = 50;

export async function rehearseDemoFeed(
  options: DemoFeedOptions & { repoRoot?: string },
): Promise<RehearsalReport> {
  const root = options.repoRoot ?? '.';
  const feed = generateLabelledDemoFeed(options);
  const now = options.now;
  const clock = (): Date => now;
  const catalog = loadCatalog(join(root, 'config/catalog.json'));
  const files = loadLocalClassifierFiles(root);
  const publisher = new MemoryPublisher();
  const feedbackStore = new MemoryFeedbackStore();
  const quarantine = new MemoryQuarantine();
  const logger = new MemoryLogger();
  const context = (functionName: string, triggerMetadata: Record<string, unknown> = {}) =>
    new functions.InvocationContext({ invocationId: 'demo-rehearsal', functionName, triggerMetadata });

  const normalize = makeNormalize({
    publisher,
    feedbackStore,
    dedupeStore: new MemoryDedupeStore(),
    quarantine,
    catalog,
    taxonomy: files.taxonomy,
    tokenKey: 'demo-rehearsal-token-key-not-a-secret',
    nearDuplicateThreshold: DEFAULT_NEAR_DUPLICATE_THRESHOLD,
    dedupeWindowDays: DEFAULT_DEDUPE_WINDOW_DAYS,
    clock,
    logger,
  });
  const classify = makeClassify({
    publisher,
    feedbackStore,
    quarantine,
    reviewQueue: new MemoryReviewQueue(),
    classifier: buildClassifier({ taxonomy: files.taxonomy, rules: files.rules, model: files.model }),
    confidenceThreshold: defaultScoreSettings.reviewThreshold,
    clock,
    logger,
  });
  const score = makeScore({
    publisher,
    feedbackStore,
    featureStore: new MemoryFeatureStore(),
    quarantine,
    catalog,
    settings: defaultScoreSettings,
    clock,
    logger,
  });

  // Ingest's own extraction and envelope, as the webhook would land them.
  const kindOf = new Map<string, string>();
  const kindById = new Map(feed.map((labelled) => [labelled.item.id, labelled.truth.kind]));
  const items = feed.map((labelled) => labelled.item);
  for (let start = 0; start < items.length; start += 100) {
    const raw = Buffer.from(JSON.stringify(items.slice(start, start + 100)), 'utf8');
    const extraction = extractGeneric({
      header: () => undefined,
      query: () => undefined,
      body: JSON.parse(raw.toString('utf8')) as unknown,
      rawBody: raw,
      receivedAt: now,
    });
    if (!extraction.ok) throw new Error(`the generic webhook would refuse the demo: ${extraction.error}`);
    for (const planned of extraction.plan.items) {
      const write = buildLandingWrite(
        {
          source: 'generic',
          plan: extraction.plan,
          receivedAt: now,
          contentType: 'application/json',
          bodyBase64: raw.toString('base64'),
        },
        planned,
      );
      kindOf.set(write.envelope.feedbackId, kindById.get(planned.sourceId) ?? 'background');
      await normalize(
        Buffer.from(JSON.stringify(write.envelope)),
        context('normalize', { blobTrigger: write.path }),
      );
    }
  }
  const normalized = publisher.bodies(hubs.normalized.name) as NormalizedEvent[];
  for (let start = 0; start < normalized.length; start += BATCH) {
    await classify(normalized.slice(start, start + BATCH), context('classify'));
  }
  // The hubs are partitioned by product: each product's events arrive in order, in batches.
  const classified = publisher.bodies(hubs.classified.name) as ClassifiedEvent[];
  const byProduct = new Map<string, ClassifiedEvent[]>();
  for (const event of classified)
    byProduct.set(event.productKey, [...(byProduct.get(event.productKey) ?? []), event]);
  for (const events of byProduct.values()) {
    for (let start = 0; start < events.length; start += BATCH)
      await score(events.slice(start, start + BATCH), context('score'));
  }
  const scored = publisher.bodies(hubs.scored.name) as ScoredEvent[];

  const alertDecisions = scored.filter((event) => event.score.decision === 'alert');
  const alerts = alertDecisions
    .filter((event) => event.score.suppressed === undefined)
    .map((event) => ({
      productKey: event.productKey,
      category: event.classification.primaryCategory,
      incidentKey: event.score.incidentKey,
      eventTime: event.eventTime,
      reasons: event.score.reasons,
    }));
  const spikeEvents = scored.filter((event) => kindOf.get(event.feedbackId) === 'spike');
  return {
    items: items.length,
    normalized: normalized.length,
    classified: classified.length,
    scored: scored.length,
    quarantined: quarantine.entries.size,
    alerts,
    suppressedAlerts: alertDecisions.length - alerts.length,
    criticalItems: classified.filter((event) => event.classification.severity === 'critical').length,
    spike: {
      items: spikeEvents.length,
      classifiedAsSpikeCategory: spikeEvents.filter(
        (event) => event.classification.primaryCategory === DEMO_SPIKE.category,
      ).length,
      counted: spikeEvents.filter((event) => event.score.counted).length,
    },
    spamFlagged: normalized.filter((event) => event.normalized.spam.isSpam).length,
    exactlyTheSpike:
      alerts.length === 1 &&
      alerts[0]?.productKey === DEMO_SPIKE.sku &&
      alerts[0].category === DEMO_SPIKE.category,
  };
}
