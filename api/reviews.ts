/**
 * Service reviews over HTTP: opened on schedule by the monthly service reports (or here, by a
 * process owner, for an SLA and the period ending with a month), listed, read, and advanced.
 */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Role } from '../domain/actor';
import { REVIEW_STATES, REVIEW_TABLE, reviewNumber, reviewPeriod, type ReviewCommand } from '../domain/review';
import { PageOf } from '../domain/schemas/answers';
import { OpenReviewInput, ReviewAnswer, ReviewCommandInputs, ReviewNumber, ReviewRecordAnswer } from '../domain/schemas/review';
import type { Models } from '../models';
import { REVIEW_NUMBERS, reviewInputFor } from '../models/review';
import { reviewOpened, reviewUpdates, reviewWorkflow, type ReviewRecord } from '../workflows/review';
import { caseRoutes } from './case-resource';
import { fromStore, openCase, withWork } from './cases';
import { Page, pageOf } from './lists';
import { badRequest, conflict } from './problem';
import { route } from './route';

const OWNERS: Role[] = ['process_owner', 'admin'];
const STAFF: Role[] = ['admin', 'process_owner', 'agent', 'approver', 'improvement_manager', 'auditor'];

export function reviewRoutes({ models, client, taskQueue }: { models: Models; client: Client; taskQueue: string }): Router {
  const router = Router();

  route(router, {
    method: 'post',
    path: '/reviews',
    tag: 'Service level management',
    summary: 'Open a service review of an SLA for the period ending with a month (the SLA’s review.everyMonths months; one month when it has no scheduled review)',
    description: 'The monthly schedule opens one for each SLA in force whose review period ends with the month before. The review attaches the period’s service report and gives the service owner a review task.',
    roles: OWNERS,
    body: OpenReviewInput,
    status: 201,
    response: ReviewAnswer,
    idempotent: true,
    handler: async ({ body, actor, res, idempotency }) => {
      const of = await reviewInputFor(models, body.sla, body.month);
      if (!of) throw badRequest(`there is no SLA ${body.sla}`, [{ in: 'body', path: 'sla', message: `there is no SLA ${body.sla} (GET /slas), or its service is gone` }]);
      if (of.period.from > Date.now()) throw badRequest(`the period ${of.period.months.join(', ')} has not begun`, [{ in: 'body', path: 'month', message: `the period ${of.period.months.join(', ')} has not begun` }]);
      // one review per SLA and period, whoever opens it: the number the monthly run takes for it too
      const once = { collection: REVIEW_NUMBERS, key: `${body.sla}:${body.month}`, exists: (number: string) => conflict(`${number} reviews ${body.sla} for the period ending ${body.month} already`) };
      return openCase({ client, models, idempotency, counter: 'REV', format: reviewNumber, path: '/reviews', res, opened: reviewOpened, taskQueue, once }, reviewWorkflow, (number) => [{ number, actor, ...of }]);
    },
  });

  route(router, {
    method: 'get',
    path: '/reviews',
    tag: 'Service level management',
    summary: 'List service reviews, newest first, by state, service or SLA, paged by cursor',
    roles: STAFF,
    query: z.strictObject({ state: z.enum(REVIEW_STATES).optional(), service: z.string().regex(/^svc-\d+$/).optional(), sla: z.string().regex(/^sla-\d+$/).optional(), ...Page.shape }),
    response: PageOf(ReviewRecordAnswer),
    handler: async ({ query }) => {
      const { limit, cursor, service, sla, ...rest } = query;
      return pageOf(models.Review, { ...rest, ...(service ? { serviceId: service } : {}), ...(sla ? { slaId: sla } : {}) }, [['_id', -1]], { limit, cursor }, (r) => fromStore(r));
    },
  });

  caseRoutes<ReviewRecord, ReviewCommand, unknown>(router, { models, client }, {
    path: '/reviews',
    tag: 'Service level management',
    noun: 'service review',
    model: models.Review,
    number: ReviewNumber,
    table: REVIEW_TABLE,
    readRoles: STAFF,
    present: (rec) => withWork(models, rec, { approvals: false }),
    answer: ReviewAnswer,
    summaries: {
      one: 'A service review: the SLA, the period, its report, the review task, the outcome and the actions agreed',
      history: 'Every step of a service review: who, when, from, to, note',
      commands: {
        add_action: 'Agree an action with an owner; `improvement: true` opens a PDCA improvement for it that names the review',
        cancel: 'Cancel a review opened in error (a process owner)',
        comment: 'Add a comment',
      },
    },
    commandRoles: STAFF,
    commandBodies: ReviewCommandInputs as Record<ReviewCommand, z.ZodType<unknown>>,
    updates: reviewUpdates,
  });
  return router;
}
