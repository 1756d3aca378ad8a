/**
 * Telemetry names, in one place, so dashboards, alerts and code agree. Custom metrics are
 * emitted with the stage as a dimension (`stage`), never with customer text.
 */
export const metricNames = {
  /** Items (events, blobs, requests) a stage invocation received. */
  itemsIn: 'pipeline.items_in',
  /** How long one invocation took, in ms. */
  invocationMs: 'pipeline.invocation_ms',
  /** Invocations that threw (the host retries them). */
  invocationFailed: 'pipeline.invocation_failed',
  /** Entries written to the quarantine. */
  quarantined: 'pipeline.quarantined',
  /** LLM tokens spent by classify. */
  llmTokens: 'classify.llm_tokens',
  /** Alerts, cards and tickets sent by route. */
  alertsSent: 'route.alerts_sent',
} as const;

export type MetricName = (typeof metricNames)[keyof typeof metricNames];
