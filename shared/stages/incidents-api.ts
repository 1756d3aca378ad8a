/**
 * Incidents HTTP API: list, get, resolve (people, or the Logic App's callback when a ticket is
 * closed) and the card actions.
 *
 * Authentication: list/get/resolve are `authLevel: 'function'` (the host checks the function
 * key, locally too). In Azure, App Service Authentication (EasyAuth, Entra ID) runs in
 * "allow unauthenticated" mode so the card links can reach us; it strips any client-sent
 * `x-ms-client-principal` and injects the validated one, so with `requirePrincipal` these
 * handlers refuse callers without it. Card actions are anonymous at the host and authorized
 * here by their signed, expiring token: GET shows a confirmation page (link scanners and
 * previews must not act), its form POSTs the action.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { verifyActionToken } from '../domain/route/action-token.js';
import { incidentTitle } from '../domain/route/card.js';
import {
  applyAction,
  incidentActions,
  actionableStatuses,
  incidentStatuses,
  resolveIncident,
  type Incident,
  type IncidentAction,
  type IncidentStatus,
} from '../domain/route/incident.js';
import { mutateIncident, performOutbox, type RouteDeps } from './route.js';

/** Routes and auth levels the function registrations read (the host prefixes /api). */
export const incidentsApiRoutes = {
  list: { name: 'incidentsList', route: 'incidents', methods: ['GET'], authLevel: 'function' },
  get: { name: 'incidentsGet', route: 'incidents/{key}', methods: ['GET'], authLevel: 'function' },
  resolve: {
    name: 'incidentsResolve',
    route: 'incidents/{key}/resolve',
    methods: ['POST'],
    authLevel: 'function',
  },
  action: {
    name: 'incidentsAction',
    route: 'incidents/{key}/actions/{action}',
    methods: ['GET', 'POST'],
    authLevel: 'anonymous',
  },
} as const;

export interface ApiAuth {
  /** Azure mode: require the EasyAuth principal header (set from PIPELINE_MODE=azure). */
  requirePrincipal: boolean;
}

export interface Caller {
  name: string;
  id: string;
}

/**
 * The caller from EasyAuth's `x-ms-client-principal` (base64 JSON with claims). Undefined when
 * a principal is required and missing or unreadable; locally, the function key stood in for it.
 */
export function callerOf(request: HttpRequest, auth: ApiAuth): Caller | undefined {
  const header = request.headers.get('x-ms-client-principal');
  if (header) {
    try {
      const principal = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as {
        claims?: { typ: string; val: string }[];
      };
      const claim = (...types: string[]): string | undefined =>
        principal.claims?.find((candidate) => types.includes(candidate.typ))?.val;
      const id =
        claim('http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid') ??
        request.headers.get('x-ms-client-principal-id') ??
        'unknown';
      const name =
        claim('preferred_username', 'name', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn') ??
        request.headers.get('x-ms-client-principal-name') ??
        id;
      return { id, name };
    } catch {
      return undefined;
    }
  }
  return auth.requirePrincipal ? undefined : { id: 'function-key', name: 'function-key caller' };
}

const unauthorized: HttpResponseInit = { status: 401, jsonBody: { error: 'authentication required' } };

/** What the API shows of an incident (internal bookkeeping left out). */
export function publicIncident(incident: Incident): Omit<Incident, 'voteNonces'> {
  const { voteNonces: _voteNonces, ...visible } = incident;
  return visible;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function page(status: number, title: string, body: string): HttpResponseInit {
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
      'referrer-policy': 'no-referrer',
    },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}button{font-size:1rem;padding:.5rem 1.5rem}</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  };
}

const actionLabels: Record<IncidentAction, string> = {
  acknowledge: 'Acknowledge the incident',
  snooze: 'Snooze alerts',
  false_positive: 'Mark as false positive',
  open_ticket: 'Open a ticket',
  useful: 'Rate this alert as useful',
  noise: 'Rate this alert as noise',
};

async function tokenFrom(request: HttpRequest): Promise<string | null> {
  const fromQuery = request.query.get('token');
  if (fromQuery) return fromQuery;
  if (request.method === 'POST') {
    const type = request.headers.get('content-type') ?? '';
    if (type.includes('application/x-www-form-urlencoded')) {
      return new URLSearchParams(await request.text()).get('token');
    }
  }
  return null;
}

export function makeIncidentsApi(deps: RouteDeps & { auth: ApiAuth }) {
  const list = async (request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> => {
    if (!callerOf(request, deps.auth)) return unauthorized;
    const status = request.query.get('status');
    if (status && !incidentStatuses.includes(status as IncidentStatus)) {
      return { status: 400, jsonBody: { error: `status must be one of ${incidentStatuses.join(', ')}` } };
    }
    const limit = Math.min(500, Math.max(1, Number(request.query.get('limit') ?? 100) || 100));
    const incidents = await deps.incidentStore.list({
      // Watched products (defect evidence without an alert) only when asked for.
      statuses: status ? [status as IncidentStatus] : [...actionableStatuses],
      limit,
    });
    return {
      status: 200,
      jsonBody: {
        incidents: incidents.map((incident) => ({
          key: incident.key,
          title: incidentTitle(incident),
          status: incident.status,
          severity: incident.severity,
          ownerTeam: incident.ownerTeam,
          evidenceCount: incident.evidence.count,
          ticketKey: incident.ticket?.key ?? null,
          regressedAfterFix: incident.regressedAfterFix,
          acknowledgedAt: incident.acknowledgedAt ?? null,
          lastEventTime: incident.lastEventTime,
          updatedAt: incident.updatedAt,
        })),
      },
    };
  };

  const get = async (request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> => {
    if (!callerOf(request, deps.auth)) return unauthorized;
    const found = await deps.incidentStore.get(request.params.key ?? '');
    if (!found || found.value.docType !== 'incident')
      return { status: 404, jsonBody: { error: 'no such incident' } };
    return { status: 200, jsonBody: publicIncident(found.value) };
  };

  const resolve = async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const caller = callerOf(request, deps.auth);
    if (!caller) return unauthorized;
    const key = request.params.key ?? '';
    let note: string | undefined;
    const text = await request.text();
    if (text.trim() !== '') {
      try {
        const body = JSON.parse(text) as { note?: unknown; ticketKey?: unknown };
        note = typeof body.note === 'string' ? body.note.slice(0, 500) : undefined;
        if (typeof body.ticketKey === 'string')
          note = `${note ?? 'ticket closed'} (${body.ticketKey.slice(0, 100)})`;
      } catch {
        return {
          status: 400,
          jsonBody: { error: 'body must be JSON: {"note"?: string, "ticketKey"?: string}' },
        };
      }
    }
    let changed = false;
    const incident = await mutateIncident(deps.incidentStore, key, (current) => {
      changed = resolveIncident(
        current,
        deps.settings,
        deps.clock(),
        `${caller.name}${note ? `: ${note}` : ''}`,
      );
      return changed;
    });
    if (!incident) return { status: 404, jsonBody: { error: 'no such incident' } };
    deps.logger.info('incident resolved', {
      incidentKey: key,
      by: caller.id,
      changed,
      invocationId: context.invocationId,
    });
    return {
      status: 200,
      jsonBody: {
        key,
        status: incident.status,
        changed,
        verifyUntil: incident.resolution?.verifyUntil ?? null,
      },
    };
  };

  const action = async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const key = request.params.key ?? '';
    const name = request.params.action ?? '';
    if (!incidentActions.includes(name as IncidentAction)) return page(404, 'Unknown action', '');
    const incidentAction = name as IncidentAction;
    const check = verifyActionToken(
      deps.actionLinks.key,
      await tokenFrom(request),
      { incidentKey: key, action: incidentAction },
      deps.clock(),
    );
    if (!check.ok) {
      deps.logger.warn('incident action refused', { incidentKey: key, action: name, reason: check.reason });
      return page(
        401,
        'This link is not valid',
        '<p>The link is invalid or has expired. Use the newest card.</p>',
      );
    }
    const found = await deps.incidentStore.get(key);
    if (!found || found.value.docType !== 'incident') return page(404, 'No such incident', '');
    const title = `${actionLabels[incidentAction]}: ${incidentTitle(found.value)}`;
    if (request.method !== 'POST') {
      // The token stays in the form's action URL (query) and is not echoed into the page body.
      return page(
        200,
        title,
        `<p>Alert #${check.claims.s}, incident status ${escapeHtml(found.value.status)}.</p><form method="post"><button type="submit">Confirm</button></form>`,
      );
    }
    const caller = callerOf(request, { requirePrincipal: false });
    const nonce = `${check.claims.n}:${caller?.id ?? 'anonymous'}`;
    let changed = false;
    await mutateIncident(deps.incidentStore, key, (incident) => {
      changed = applyAction(incident, incidentAction, check.claims.s, nonce, deps.settings, deps.clock());
      return changed;
    });
    if (changed && incidentAction === 'open_ticket') await performOutbox(deps, key);
    deps.logger.info('incident action', {
      incidentKey: key,
      action: name,
      alertSeq: check.claims.s,
      changed,
      invocationId: context.invocationId,
    });
    return page(200, changed ? 'Done' : 'Nothing to change', `<p>${escapeHtml(title)}.</p>`);
  };

  return { list, get, resolve, action };
}
