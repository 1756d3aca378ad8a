/**
 * Posts cards to a Teams Workflows webhook ("When a Teams webhook request is received").
 * The flow answers 202 Accepted (some tenants 200). Teams has no idempotency of its own, so the
 * route stage claims each card in the incident's outbox before posting and sends the
 * idempotency key along as a header for tracing.
 */
import type { TeamsNotifier } from '../stages/route.js';
import { postJsonWithRetry, type RetryPolicy, type Sleep } from './http-retry.js';

export class TeamsWebhookNotifier implements TeamsNotifier {
  constructor(
    private readonly url: string,
    private readonly options: { policy?: Partial<RetryPolicy>; sleep?: Sleep } = {},
  ) {}

  async post(card: object, idempotencyKey: string): Promise<void> {
    await postJsonWithRetry(this.url, card, {
      headers: { 'x-idempotency-key': idempotencyKey },
      ...this.options,
    });
  }
}
