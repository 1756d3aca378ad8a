/**
 * Review queue API: `GET /api/review` lists pending items, `POST /api/review/{id}` confirms the
 * candidate labels or corrects them, and `GET /api/review?status=resolved&format=jsonl` exports the
 * resolved ones as labelled JSONL for `npm run train` and `npm run eval` (`--include-reviews`). Resolved items are kept by the queue store as labelled
 * data for training and evaluation. Authentication as for the incidents API: function keys at
 * the host, plus the EasyAuth principal in Azure (see callerOf); the reviewer is recorded.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import {
  labelsFromCandidates,
  toLabelledExample,
  type ReviewLabels,
  type ReviewQueueStore,
} from '../domain/review.js';
import { intents, sentimentLabels, severities } from '../domain/taxonomy.js';
import { makeValidator } from '../domain/validation.js';
import { callerOf, type ApiAuth } from './incidents-api.js';
import type { Clock, Logger } from './ports.js';

export const reviewApiRoutes = {
  list: { name: 'reviewList', route: 'review', methods: ['GET'], authLevel: 'function' },
  submit: { name: 'reviewSubmit', route: 'review/{id}', methods: ['POST'], authLevel: 'function' },
} as const;

export interface ReviewApiDeps {
  reviewQueue: ReviewQueueStore;
  /** Category ids of the taxonomy: a correction must name one. */
  categories: string[];
  auth: ApiAuth;
  clock: Clock;
  logger: Logger;
}

interface ReviewSubmission {
  action: 'confirm' | 'correct';
  labels?: ReviewLabels;
  reviewer?: string;
}

const validateSubmission = makeValidator<ReviewSubmission>({
  type: 'object',
  required: ['action'],
  properties: {
    action: { enum: ['confirm', 'correct'] },
    reviewer: { type: 'string', minLength: 1, maxLength: 200 },
    labels: {
      type: 'object',
      required: ['sentiment', 'primaryCategory', 'secondaryCategories', 'component', 'severity', 'intent'],
      properties: {
        sentiment: { enum: [...sentimentLabels] },
        primaryCategory: { type: 'string', minLength: 1 },
        secondaryCategories: { type: 'array', items: { type: 'string' }, maxItems: 5 },
        component: { type: ['string', 'null'] },
        severity: { enum: [...severities] },
        intent: { enum: [...intents] },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
});

/** Pending items per page; resolved items per export (labelled data for training). */
const MAX_PAGE = 200;
const MAX_EXPORT = 10_000;

const unauthorized: HttpResponseInit = { status: 401, jsonBody: { error: 'authentication required' } };

export function makeReviewApi(deps: ReviewApiDeps) {
  const list = async (request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> => {
    if (!callerOf(request, deps.auth)) return unauthorized;
    const status = request.query.get('status') ?? 'pending';
    const format = request.query.get('format') ?? 'json';
    if (status !== 'pending' && status !== 'resolved')
      return { status: 400, jsonBody: { error: 'status must be pending or resolved' } };
    if (format !== 'json' && format !== 'jsonl')
      return { status: 400, jsonBody: { error: 'format must be json or jsonl' } };
    if (format === 'jsonl' && status !== 'resolved')
      return { status: 400, jsonBody: { error: 'format=jsonl exports resolved items: add status=resolved' } };
    const maxLimit = status === 'resolved' ? MAX_EXPORT : MAX_PAGE;
    const limit = Math.min(maxLimit, Math.max(1, Number(request.query.get('limit') ?? 50) || 50));
    if (status === 'pending')
      return { status: 200, jsonBody: { items: await deps.reviewQueue.listPending(limit) } };
    const items = await deps.reviewQueue.listResolved(limit);
    if (format === 'json') return { status: 200, jsonBody: { items } };
    // Labelled examples in the golden-set format: `npm run train -- --include-reviews <file>`.
    const lines = items.flatMap((item) => {
      const example = toLabelledExample(item);
      return example ? [JSON.stringify(example)] : [];
    });
    return {
      status: 200,
      headers: { 'content-type': 'application/x-ndjson; charset=utf-8' },
      body: lines.map((line) => `${line}\n`).join(''),
    };
  };

  const submit = async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const caller = callerOf(request, deps.auth);
    if (!caller) return unauthorized;
    const id = request.params.id ?? '';
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      return { status: 400, jsonBody: { error: 'body must be JSON' } };
    }
    const checked = validateSubmission(body);
    if (!checked.ok) return { status: 400, jsonBody: { error: checked.error } };
    const submission = checked.value;
    if (submission.action === 'correct' && !submission.labels) {
      return { status: 400, jsonBody: { error: 'a correction must give the labels' } };
    }
    const labelsGiven = submission.labels;
    const unknown = labelsGiven
      ? [labelsGiven.primaryCategory, ...labelsGiven.secondaryCategories].filter(
          (category) => !deps.categories.includes(category),
        )
      : [];
    if (unknown.length > 0)
      return { status: 400, jsonBody: { error: `unknown categories: ${unknown.join(', ')}` } };
    const item = await deps.reviewQueue.get(id);
    if (!item) return { status: 404, jsonBody: { error: 'no such review item' } };
    if (item.status === 'resolved') return { status: 409, jsonBody: { error: 'already resolved', item } };
    const labels = labelsGiven ?? labelsFromCandidates(item.candidates);
    // In Azure the reviewer is the signed-in principal; locally the body may name one.
    const reviewer = deps.auth.requirePrincipal ? caller.name : (submission.reviewer ?? caller.name);
    const resolved = await deps.reviewQueue.resolve(
      id,
      { labels, reviewer, action: submission.action },
      deps.clock().toISOString(),
    );
    if (!resolved) return { status: 404, jsonBody: { error: 'no such review item' } };
    deps.logger.info('review resolved', {
      reviewId: id,
      feedbackId: item.feedbackId,
      action: submission.action,
      invocationId: context.invocationId,
    });
    return { status: 200, jsonBody: { item: resolved } };
  };

  return { list, submit };
}
