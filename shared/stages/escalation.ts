/**
 * Timer for the route stage: performs outbox work that is due without a new event (cards
 * deferred by quiet hours, stale claims), escalates incidents left unacknowledged past their SLA
 * along the escalation path, and sends the per-team digests held back by the rate limit.
 */
import type { InvocationContext, Timer } from '@azure/functions';
import { queueDueEscalations } from '../domain/route/incident.js';
import { settings } from '../topology.js';
import { flushDigests, hasDueWork, mutateIncident, performOutbox, type RouteDeps } from './route.js';

export const escalationSchedule = {
  name: 'routeEscalation',
  /** NCRONTAB with seconds from the app setting (every minute in the sample and the Bicep). */
  schedule: `%${settings.routeTimerSchedule}%`,
} as const;

export interface EscalationResult {
  incidentsChecked: number;
  escalationsQueued: number;
  digestsSent: number;
}

export function makeEscalation(deps: RouteDeps) {
  return async (_timer: Timer, context: InvocationContext): Promise<EscalationResult> => {
    // Every incident, not only the active ones: a resolved incident can still owe its ticket an
    // update, and a claim whose sender died can sit on any of them.
    const incidents = await deps.incidentStore.list({ limit: Number.MAX_SAFE_INTEGER });
    let escalationsQueued = 0;
    let incidentsChecked = 0;
    for (const listed of incidents) {
      if (listed.status === 'watching') continue;
      incidentsChecked += 1;
      const now = deps.clock();
      // Decide on the listed copy; read and write only the incidents that have something to do.
      let due = hasDueWork(listed, now);
      if (queueDueEscalations(structuredClone(listed), deps.settings, now) > 0) {
        let queued = 0;
        await mutateIncident(deps.incidentStore, listed.key, (incident) => {
          queued = queueDueEscalations(incident, deps.settings, now);
          return queued > 0;
        });
        escalationsQueued += queued;
        due = true;
      }
      if (due) await performOutbox(deps, listed.key);
    }
    const digestsSent = await flushDigests(deps);
    const result = { incidentsChecked, escalationsQueued, digestsSent };
    deps.logger.info('route timer done', { ...result, invocationId: context.invocationId });
    return result;
  };
}
