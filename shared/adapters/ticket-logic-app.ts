/**
 * The ticket Logic App behind its HTTP trigger (Request → Jira/ServiceNow → Response). Creates
 * answer 200/201/202 with `{ticketKey, ticketUrl?}`; updates answer any 2xx. The payload's
 * idempotencyKey is also sent as a header so the Logic App can return the existing ticket when
 * a create is retried after a lost response.
 */
import type { TicketClient } from '../stages/route.js';
import {
  validateTicketResponse,
  type TicketCreatePayload,
  type TicketResponse,
  type TicketUpdatePayload,
} from '../domain/route/ticket.js';
import { HttpDeliveryError, postJsonWithRetry, type RetryPolicy, type Sleep } from './http-retry.js';

export class LogicAppTicketClient implements TicketClient {
  constructor(
    private readonly url: string,
    private readonly options: { policy?: Partial<RetryPolicy>; sleep?: Sleep } = {},
  ) {}

  async create(payload: TicketCreatePayload): Promise<TicketResponse> {
    const result = await postJsonWithRetry(this.url, payload, {
      headers: { 'x-idempotency-key': payload.idempotencyKey },
      ...this.options,
    });
    let parsed: unknown;
    try {
      parsed = JSON.parse(result.body);
    } catch {
      throw new HttpDeliveryError(
        'ticket Logic App answered without a JSON body',
        result.status,
        result.attempts,
        true,
      );
    }
    const checked = validateTicketResponse(parsed);
    if (!checked.ok) {
      throw new HttpDeliveryError(
        `ticket Logic App answer: ${checked.error}`,
        result.status,
        result.attempts,
        true,
      );
    }
    return checked.value;
  }

  async update(ticketKey: string, payload: TicketUpdatePayload): Promise<void> {
    await postJsonWithRetry(
      this.url,
      { ...payload, ticketKey },
      {
        headers: { 'x-idempotency-key': payload.idempotencyKey },
        ...this.options,
      },
    );
  }
}
