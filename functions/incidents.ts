import { app } from '@azure/functions';
import { getRuntime, lazy } from '../shared/runtime.js';
import { makeAlertMetricsApi, alertMetricsApiRoutes } from '../shared/stages/alerts-api.js';
import { incidentsApiRoutes, makeIncidentsApi } from '../shared/stages/incidents-api.js';
import { apiAuthOf, routeDepsOf } from '../shared/stages/route-wiring.js';

getRuntime();

const apiDeps = lazy((runtime) => ({ ...routeDepsOf(runtime), auth: apiAuthOf(runtime) }));
const incidents = lazy(() => makeIncidentsApi(apiDeps()));
const metrics = lazy(() => makeAlertMetricsApi(apiDeps()));

const { list, get, resolve, action } = incidentsApiRoutes;
app.http(list.name, { ...list, methods: [...list.methods], handler: (r, c) => incidents().list(r, c) });
app.http(get.name, { ...get, methods: [...get.methods], handler: (r, c) => incidents().get(r, c) });
app.http(resolve.name, {
  ...resolve,
  methods: [...resolve.methods],
  handler: (r, c) => incidents().resolve(r, c),
});
app.http(action.name, {
  ...action,
  methods: [...action.methods],
  handler: (r, c) => incidents().action(r, c),
});

const alerts = alertMetricsApiRoutes.metrics;
app.http(alerts.name, { ...alerts, methods: [...alerts.methods], handler: (r, c) => metrics()(r, c) });
