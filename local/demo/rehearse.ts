/**
 * A dress rehearsal of the demo: the feed run in-process through the real ingest extraction,
 * normalize, classify (rules and the compact model, no LLM), score and route handlers, with
 * in-memory stores and recording stand-ins for Teams and the ticket Logic App, to see before
 * `npm start` what the demo will alert on. Dev tooling; about half a minute for the default 3000
 * items. The demo's acceptance is exactly one unsuppressed alert, on `DEMO_SPIKE`'s product and
 * category, which gives one incident, one card and one ticket.
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
import type { GenericItem } from '../../shared/domain/ingest/generic-item.js';
import type { Incident } from '../../shared/domain/route/incident.js';
import { buildLandingWrite } from '../../shared/domain/ingest/envelope.js';
import { extractGeneric } from '../../shared/domain/ingest/generic.js';
import { MemoryReviewQueue } from '../../shared/domain/review.js';
import { MemoryFeatureStore } from '../../shared/domain/score/feature-store.js';
import { MemoryIncidentStore } from '../../shared/adapters/cosmos-incident-store.js';
import { defaultRouteSettings } from '../../shared/domain/route/settings.js';
import type { TicketCreatePayload, TicketUpdatePayload } from '../../shared/domain/route/ticket.js';
import { makeRoute, type TeamsNotifier, type TicketClient } from '../../shared/stages/route.js';
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
  /** What route made of it: incidents that alerted, products watched, cards and tickets sent. */
  route: {
    incidents: { key: string; productKey: string; category: string; status: string; evidence: number }[];
    watching: number;
    cards: number;
    ticketsCreated: number;
    ticketUpdates: number;
  };
  spike: { items: number; classifiedAsSpikeCategory: number; counted: number };
  spamFlagged: number;
  /**
   * True when the demo's acceptance holds: one alert, on DEMO_SPIKE's product and category, and
   * from it one incident, one card and one ticket.
   */
  exactlyTheSpike: boolean;
}

/** Teams and the ticket Logic App as recorders: the rehearsal counts what would be sent. */
class RecordingOutbound implements TeamsNotifier, TicketClient {
  cards = 0;
  created = 0;
  updates = 0;
  post(): Promise<void> {
    this.cards += 1;
    return Promise.resolve();
  }
  create(_payload: TicketCreatePayload): Promise<{ ticketKey: string }> {
    this.created += 1;
    return Promise.resolve({ ticketKey: `REHEARSAL-${this.created}` });
  }
  update(_ticketKey: string, _payload: TicketUpdatePayload): Promise<void> {
    this.updates += 1;
    return Promise.resolve();
  }
}

const BATCH = 50;

/**
 * As the hubs deliver them, partitioned by product: each product's events in order, in batches
 * of `BATCH`.
 */
async function deliverByProduct<T extends { productKey: string }>(
  events: readonly T[],
  handle: (batch: T[]) => Promise<void>,
): Promise<void> {
  const byProduct = new Map<string, T[]>();
  for (const event of events) {
    const list = byProduct.get(event.productKey);
    if (list) list.push(event);
    else byProduct.set(event.productKey, [event]);
  }
  for (const list of byProduct.values()) {
    for (let start = 0; start < list.length; start += BATCH) await handle(list.slice(start, start + BATCH));
  }
}

/** Everything the in-process run produced, for any feed of generic webhook items. */
export interface FeedRehearsal {
  /** Feedback id of each item, by the item's id. */
  feedbackIdOf: Map<string, string>;
  normalized: NormalizedEvent[];
  classified: ClassifiedEvent[];
  scored: ScoredEvent[];
  quarantined: number;
  incidents: Incident[];
  outbound: { cards: number; ticketsCreated: number; ticketUpdates: number };
}

/**
 * Runs generic webhook items in-process through ingest's extraction and the normalize, classify,
 * score and route handlers, as the local stack would (hubs partitioned by product), with
 * `now` as the clock.
 */
export async function rehearseFeed(
  items: readonly GenericItem[],
  options: { now: Date; repoRoot?: string },
): Promise<FeedRehearsal> {
  const root = options.repoRoot ?? '.';
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
  const feedbackIdOf = new Map<string, string>();
  for (let start = 0; start < items.length; start += 100) {
    const raw = Buffer.from(JSON.stringify(items.slice(start, start + 100)), 'utf8');
    const extraction = extractGeneric({
      header: () => undefined,
      query: () => undefined,
      body: JSON.parse(raw.toString('utf8')) as unknown,
      rawBody: raw,
      receivedAt: now,
    });
    if (!extraction.ok) throw new Error(`the generic webhook would refuse the feed: ${extraction.error}`);
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
      feedbackIdOf.set(planned.sourceId, write.envelope.feedbackId);
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
  const classified = publisher.bodies(hubs.classified.name) as ClassifiedEvent[];
  await deliverByProduct(classified, (batch) => score(batch, context('score')));
  const scored = publisher.bodies(hubs.scored.name) as ScoredEvent[];

  const incidentStore = new MemoryIncidentStore();
  const outbound = new RecordingOutbound();
  const route = makeRoute({
    feedbackStore,
    incidentStore,
    teams: outbound,
    tickets: outbound,
    quarantine,
    actionLinks: {
      key: 'demo-rehearsal-action-key-not-a-secret',
      baseUrl: 'http://127.0.0.1:7071',
      ttlSeconds: 86_400,
    },
    settings: defaultRouteSettings,
    clock,
    logger,
  });
  await deliverByProduct(scored, (batch) => route(batch, context('route')));
  return {
    feedbackIdOf,
    normalized,
    classified,
    scored,
    quarantined: quarantine.entries.size,
    incidents: await incidentStore.list({ limit: 100_000 }),
    outbound: { cards: outbound.cards, ticketsCreated: outbound.created, ticketUpdates: outbound.updates },
  };
}

export async function rehearseDemoFeed(
  options: DemoFeedOptions & { repoRoot?: string },
): Promise<RehearsalReport> {
  const feed = generateLabelledDemoFeed(options);
  const run = await rehearseFeed(
    feed.map((labelled) => labelled.item),
    options,
  );
  const kindOf = new Map(
    feed.map((labelled) => [run.feedbackIdOf.get(labelled.item.id), labelled.truth.kind] as const),
  );
  const { normalized, classified, scored } = run;
  const incidents = run.incidents
    .filter((incident) => incident.status !== 'watching')
    .map((incident) => ({
      key: incident.key,
      productKey: incident.productKey,
      category: incident.category,
      status: incident.status,
      evidence: incident.evidence.count,
    }));
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
    items: feed.length,
    normalized: normalized.length,
    classified: classified.length,
    scored: scored.length,
    quarantined: run.quarantined,
    alerts,
    suppressedAlerts: alertDecisions.length - alerts.length,
    criticalItems: classified.filter((event) => event.classification.severity === 'critical').length,
    route: {
      incidents,
      watching: run.incidents.length - incidents.length,
      cards: run.outbound.cards,
      ticketsCreated: run.outbound.ticketsCreated,
      ticketUpdates: run.outbound.ticketUpdates,
    },
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
      alerts[0].category === DEMO_SPIKE.category &&
      incidents.length === 1 &&
      incidents[0]?.key === alerts[0].incidentKey &&
      run.outbound.cards === 1 &&
      run.outbound.ticketsCreated === 1,
  };
}
