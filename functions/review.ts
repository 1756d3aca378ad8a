import { app } from '@azure/functions';
import { consoleLogger } from '../shared/adapters/logger.js';
import { getRuntime, lazy } from '../shared/runtime.js';
import { makeReviewApi, reviewApiRoutes } from '../shared/stages/review-api.js';
import { apiAuthOf } from '../shared/stages/route-wiring.js';

getRuntime();

const review = lazy((runtime) =>
  makeReviewApi({
    reviewQueue: runtime.reviewQueue,
    categories: runtime.taxonomy.categories.map((category) => category.id),
    auth: apiAuthOf(runtime),
    clock: runtime.clock,
    logger: consoleLogger('review'),
  }),
);

const { list, submit } = reviewApiRoutes;
app.http(list.name, { ...list, methods: [...list.methods], handler: (r, c) => review().list(r, c) });
app.http(submit.name, { ...submit, methods: [...submit.methods], handler: (r, c) => review().submit(r, c) });
