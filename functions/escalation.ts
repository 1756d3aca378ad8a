import { app } from '@azure/functions';
import { getRuntime, lazy } from '../shared/runtime.js';
import { escalationSchedule, makeEscalation } from '../shared/stages/escalation.js';
import { routeDepsOf } from '../shared/stages/route-wiring.js';

getRuntime();

const escalate = lazy((runtime) => makeEscalation(routeDepsOf(runtime)));

// Escalates incidents unacknowledged past their SLA, sends due digests and deferred cards.
app.timer(escalationSchedule.name, {
  schedule: escalationSchedule.schedule,
  handler: async (timer, context) => {
    await escalate()(timer, context);
  },
});
