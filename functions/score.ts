import { app } from '@azure/functions';
import { CosmosFeatureStore } from '../shared/adapters/cosmos-feature-store.js';
import { consoleLogger } from '../shared/adapters/logger.js';
import { loadExpectedEvents } from '../shared/domain/score/expected-events.js';
import { getRuntime, lazy } from '../shared/runtime.js';
import { quarantineOnFinalFailure } from '../shared/stages/batch.js';
import { instrumented } from '../shared/stages/instrumented.js';
import { eventHubTriggerOf } from '../shared/stages/registration.js';
import { defaultScoreSettings, makeScore } from '../shared/stages/score.js';
import { stages } from '../shared/topology.js';

getRuntime(); // settings are validated at start-up

const handler = lazy((runtime) => {
  const { score } = runtime.config;
  return instrumented(
    'score',
    runtime.telemetry,
    quarantineOnFinalFailure(
      'score',
      runtime.quarantine,
      makeScore({
        publisher: runtime.publisher,
        feedbackStore: runtime.feedbackStore,
        featureStore: new CosmosFeatureStore(runtime.containers.features),
        quarantine: runtime.quarantine,
        catalog: runtime.catalog,
        settings: {
          ...defaultScoreSettings,
          sensitivity: score.sensitivity,
          minimumVolume: score.minimumVolume,
          latenessHours: score.latenessHours,
          ticketConfidenceThreshold: score.ticketConfidenceThreshold,
          expectedEvents: loadExpectedEvents(score.expectedEventsPath),
        },
        clock: runtime.clock,
        logger: consoleLogger('score'),
      }),
      runtime.clock,
    ),
  );
});

app.eventHub(stages.score.functionName, {
  ...eventHubTriggerOf('score'),
  handler: (messages, context) => handler()(messages as unknown[], context),
});
