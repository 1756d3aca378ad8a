import { app } from '@azure/functions';
import { getRuntime, lazy } from '../shared/runtime.js';
import { quarantineOnFinalFailure } from '../shared/stages/batch.js';
import { instrumented } from '../shared/stages/instrumented.js';
import { eventHubTriggerOf } from '../shared/stages/registration.js';
import { makeRoute } from '../shared/stages/route.js';
import { routeDepsOf } from '../shared/stages/route-wiring.js';
import { stages } from '../shared/topology.js';

getRuntime(); // settings are validated at start-up

const handler = lazy((runtime) =>
  instrumented(
    'route',
    runtime.telemetry,
    quarantineOnFinalFailure('route', runtime.quarantine, makeRoute(routeDepsOf(runtime)), runtime.clock),
  ),
);

app.eventHub(stages.route.functionName, {
  ...eventHubTriggerOf('route'),
  handler: (messages, context) => handler()(messages as unknown[], context),
});
