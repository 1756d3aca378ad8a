/**
 * Application Insights, set up once per process when a connection string is configured; without
 * one, metrics are a no-op (the log still has every id and reason). Names live in
 * `shared/domain/telemetry-names.ts`.
 */
import appInsights from 'applicationinsights';
import type { MetricName } from '../domain/telemetry-names.js';

export interface Telemetry {
  metric(name: MetricName, value: number, dimensions?: Record<string, string>): void;
}

export const noTelemetry: Telemetry = { metric: () => undefined };

export function createTelemetry(connectionString: string | undefined): Telemetry {
  if (!connectionString) return noTelemetry;
  // Console and HTTP auto-collection stay off: the Functions host already records requests and
  // logs, and console lines could carry redacted-but-customer text into a second place.
  appInsights.setup(connectionString).setAutoCollectConsole(false).setAutoCollectRequests(false).start();
  const client = appInsights.defaultClient;
  return {
    metric: (name, value, dimensions) => client.trackMetric({ name, value, properties: dimensions ?? {} }),
  };
}
