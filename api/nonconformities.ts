/** Nonconformities and corrective actions over HTTP. */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Role } from '../domain/actor';
import {
  NONCONFORMITY_STATES,
  NONCONFORMITY_TABLE,
  nonconformityNumber,
  type NonconformityCommand,
} from '../domain/nonconformity';
import { NonconformityCommandInputs, NonconformityNumber, RaiseNonconformityInput, NonconformityAnswer } from '../domain/schemas/nonconformity';
import { PageOf } from '../domain/schemas/answers';
import type { Models } from '../models';
import { nonconformityOpened, nonconformityUpdates, nonconformityWorkflow, type NonconformityRecord } from '../workflows/nonconformity';
import { caseRoutes } from './case-resource';
import { fromStore, openCase } from './cases';
import { Page, pageOf } from './lists';
import { route } from './route';

const RAISERS: Role[] = ['auditor', 'improvement_manager', 'process_owner', 'admin'];
const WORKERS: Role[] = ['improvement_manager', 'process_owner', 'auditor', 'agent', 'admin'];
const SUMMARIES: Record<NonconformityCommand, string> = {
  contain: 'Record the containment: what was done at once to limit the effects',
  record_root_cause: 'Record the root cause; the corrective action starts as a PDCA improvement',
  review_effectiveness: 'Review the corrective action: effective closes the nonconformity, otherwise another corrective action starts',
  cancel: 'Withdraw a nonconformity raised in error (before any corrective action)',
  comment: 'Add a comment',
};

export function nonconformityRoutes({ models, client, taskQueue }: { models: Models; client: Client; taskQueue: string }): Router {
  const router = Router();

  route(router, {
    method: 'post',
    path: '/nonconformities',
    tag: 'Continual improvement',
    summary: 'Raise a nonconformity: where it was detected, the requirement not met, the evidence',
    roles: RAISERS,
    body: RaiseNonconformityInput,
    status: 201,
    response: NonconformityAnswer,
    idempotent: true,
    handler: async ({ body, actor, res, idempotency }) =>
      openCase({ client, models, idempotency, counter: 'NCR', format: nonconformityNumber, path: '/nonconformities', res, opened: nonconformityOpened, taskQueue }, nonconformityWorkflow, (number) => [{ number, input: body, actor }]),
  });
  route(router, {
    method: 'get',
    path: '/nonconformities',
    tag: 'Continual improvement',
    summary: 'List nonconformities, newest first, filtered, paged by cursor',
    roles: 'authenticated',
    query: z.strictObject({ state: z.enum(NONCONFORMITY_STATES).optional(), severity: z.enum(['minor', 'major']).optional(), service: z.string().min(1).optional(), owner: z.string().min(1).optional(), ...Page.shape }),
    response: PageOf(NonconformityAnswer),
    handler: async ({ query }) => {
      const { limit, cursor, ...filter } = query;
      return pageOf(models.Nonconformity, filter, [['_id', -1]], { limit, cursor }, (r) => fromStore(r));
    },
  });
  caseRoutes<NonconformityRecord, NonconformityCommand, NonconformityRecord>(router, { models, client }, {
    path: '/nonconformities',
    tag: 'Continual improvement',
    noun: 'nonconformity',
    model: models.Nonconformity,
    number: NonconformityNumber,
    table: NONCONFORMITY_TABLE,
    readRoles: 'authenticated',
    present: async (rec) => rec,
    answer: NonconformityAnswer,
    summaries: {
      one: 'A nonconformity with its containment, root cause, corrective actions and effectiveness review',
      history: 'Every step of a nonconformity: who, when, from, to, note',
      commands: SUMMARIES,
    },
    commandRoles: WORKERS,
    commandBodies: NonconformityCommandInputs as Record<NonconformityCommand, z.ZodType<unknown>>,
    updates: nonconformityUpdates,
  });
  return router;
}
