/**
 * The route stage's dependencies, built once per process from the runtime: shared by the route
 * function, the incident, review and alert APIs, the escalation timer and quarantine replay.
 */
import { CosmosIncidentStore } from '../adapters/cosmos-incident-store.js';
import { consoleLogger } from '../adapters/logger.js';
import { LogicAppTicketClient } from '../adapters/ticket-logic-app.js';
import { TeamsWebhookNotifier } from '../adapters/teams-webhook.js';
import type { Runtime } from '../runtime.js';
import type { ApiAuth } from './incidents-api.js';
import type { RouteDeps } from './route.js';

export function routeDepsOf(runtime: Runtime): RouteDeps {
  const { config } = runtime;
  // A call never outlives its deadline, so the outbox claim that guards it can expire safely.
  const calls = { policy: { deadlineMs: config.route.callDeadlineSeconds * 1000 } };
  return {
    feedbackStore: runtime.feedbackStore,
    incidentStore: new CosmosIncidentStore(runtime.containers.incidents),
    teams: new TeamsWebhookNotifier(config.teamsWebhookUrl, calls),
    tickets: new LogicAppTicketClient(config.ticketLogicAppUrl, calls),
    quarantine: runtime.quarantine,
    actionLinks: {
      key: config.actionLinkKey,
      baseUrl: config.publicBaseUrl,
      ttlSeconds: config.actionLinkTtlSeconds,
    },
    settings: config.route,
    clock: runtime.clock,
    logger: consoleLogger('route'),
  };
}

/** Locally the host's function keys guard the APIs; in Azure, Entra ID (EasyAuth) does too. */
export function apiAuthOf(runtime: Runtime): ApiAuth {
  return { requirePrincipal: runtime.config.mode === 'azure' };
}
