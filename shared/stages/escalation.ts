/**
 * Timer for the route stage: performs outbox work that is due without a new event (cards
 * deferred by quiet hours, stale claims), escalates incidents left unacknowledged past their SLA
 * along the escalation path, and sends the per-team digests held back by the rate limit.
 */
import type { InvocationContext, Timer } from '@azure/functions';
import { queueDueEscalations } from '../domain/route/incident.js';
import { flushDigests, hasDueWork, mutateIncident, performOutbox, type RouteDeps } from './route.js';

export const escalationSchedule = {
  name: 'routeEscalation',
  /** Every five minutes (NCRONTAB with seconds). */
  schedule: '0 */5 * * * *',
} as const;

export interface EscalationResult {
  incidentsChecked: number;
  escalationsQueued: number;
  digestsSent: number;
}

export function makeEscalation(deps: RouteDeps) {
  return async (_timer: Timer, context: InvocationContext): Promise<EscalationResult> => {
    const active = await deps.incidentStore.list({
      statuses: ['open', 'acknowledged', 'ticketed', 'reopened'],
    });
    let escalationsQueued = 0;
    for (const listed of active) {
      let queued = 0;
      await mutateIncident(deps.incidentStore, listed.key, (incident) => {
        queued = queueDueEscalations(incident, deps.settings, deps.clock());
        return queued > 0;
      });
      escalationsQueued += queued;
      const current = await deps.incidentStore.get(listed.key);
      if (current && hasDueWork(current.value, deps.clock())) await performOutbox(deps, listed.key);
    }
    const digestsSent = await flushDigests(deps);
    const result = { incidentsChecked: active.length, escalationsQueued, digestsSent };
    deps.logger.info('route timer done', { ...result, invocationId: context.invocationId });
    return result;
  };
}
