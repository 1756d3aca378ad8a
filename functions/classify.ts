import { app } from '@azure/functions';
import { consoleLogger } from '../shared/adapters/logger.js';
import { getRuntime, lazy } from '../shared/runtime.js';
import { quarantineOnFinalFailure } from '../shared/stages/batch.js';
import { makeClassify } from '../shared/stages/classify.js';
import { classifierOf } from '../shared/stages/classify-wiring.js';
import { instrumented } from '../shared/stages/instrumented.js';
import { eventHubTriggerOf } from '../shared/stages/registration.js';
import { stages } from '../shared/topology.js';

getRuntime(); // settings are validated at start-up

const handler = lazy((runtime) =>
  instrumented(
    'classify',
    runtime.telemetry,
    quarantineOnFinalFailure(
      'classify',
      runtime.quarantine,
      makeClassify({
        publisher: runtime.publisher,
        feedbackStore: runtime.feedbackStore,
        quarantine: runtime.quarantine,
        reviewQueue: runtime.reviewQueue,
        classifier: classifierOf(runtime),
        confidenceThreshold: runtime.config.classify.confidenceThreshold,
        clock: runtime.clock,
        logger: consoleLogger('classify'),
      }),
      runtime.clock,
    ),
  ),
);

app.eventHub(stages.classify.functionName, {
  ...eventHubTriggerOf('classify'),
  handler: (messages, context) => handler()(messages as unknown[], context),
});
