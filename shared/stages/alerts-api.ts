/**
 * `GET /api/metrics/alerts`: alert precision per rule and threshold from the useful/noise votes
 * on cards (and false-positive clicks), so noisy thresholds can be tuned.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { alertPrecision } from '../domain/route/alert-metrics.js';
import { callerOf, type ApiAuth } from './incidents-api.js';
import type { IncidentStore } from './route.js';

export const alertMetricsApiRoutes = {
  metrics: { name: 'alertMetrics', route: 'metrics/alerts', methods: ['GET'], authLevel: 'function' },
} as const;

export function makeAlertMetricsApi(deps: { incidentStore: IncidentStore; auth: ApiAuth }) {
  return async (request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> => {
    if (!callerOf(request, deps.auth)) return { status: 401, jsonBody: { error: 'authentication required' } };
    const incidents = await deps.incidentStore.list({ limit: 5000 });
    return { status: 200, jsonBody: { incidents: incidents.length, ...alertPrecision(incidents) } };
  };
}
