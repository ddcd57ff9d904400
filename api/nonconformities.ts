/** Nonconformities and corrective actions over HTTP. */
import { allowedWhen } from '../domain/case';
import { NONCONFORMITY_TABLE } from '../domain/nonconformity';
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Role } from '../domain/actor';
import {
  NONCONFORMITY_COMMANDS,
  NONCONFORMITY_STATES,
  nonconformityNumber,
  type NonconformityCommand,
} from '../domain/nonconformity';
import { NonconformityCommandInputs, NonconformityNumber, RaiseNonconformityInput } from '../domain/schemas/nonconformity';
import type { Models } from '../models';
import { nonconformityOpened, nonconformityUpdates, nonconformityWorkflow, type NonconformityRecord } from '../workflows/nonconformity';
import { caseHistory, fromStore, HistoryQuery, loadCase, openCase } from './cases';
import { sendCommand } from './commands';
import { Page, pageOf } from './lists';
import { notFound } from './problem';
import { route } from './route';

const NumberParam = z.strictObject({ number: NonconformityNumber });
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
  async function load(number: string): Promise<NonconformityRecord> {
    const rec = await loadCase<NonconformityRecord>(models.Nonconformity, number);
    if (!rec) throw notFound(`there is no nonconformity ${number}`);
    return rec;
  }

  route(router, {
    method: 'post',
    path: '/nonconformities',
    tag: 'Continual improvement',
    summary: 'Raise a nonconformity: where it was detected, the requirement not met, the evidence',
    roles: RAISERS,
    body: RaiseNonconformityInput,
    status: 201,
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
    handler: async ({ query }) => {
      const { limit, cursor, ...filter } = query;
      return pageOf(models.Nonconformity, filter, [['_id', -1]], { limit, cursor }, (r) => fromStore(r));
    },
  });
  route(router, {
    method: 'get',
    path: '/nonconformities/:number',
    tag: 'Continual improvement',
    summary: 'A nonconformity with its containment, root cause, corrective actions and effectiveness review',
    roles: 'authenticated',
    params: NumberParam,
    handler: async ({ params }) => load(params.number),
  });
  route(router, {
    method: 'get',
    path: '/nonconformities/:number/history',
    tag: 'Continual improvement',
    summary: 'Every step of a nonconformity: who, when, from, to, note',
    roles: 'authenticated',
    params: NumberParam,
    query: HistoryQuery,
    handler: async ({ params, query }) => {
      await load(params.number);
      return caseHistory(models, params.number, query);
    },
  });
  for (const command of NONCONFORMITY_COMMANDS) {
    route(router, {
      method: 'post',
      path: `/nonconformities/:number/${command}`,
      tag: 'Continual improvement',
      summary: SUMMARIES[command],
      description: `${allowedWhen(NONCONFORMITY_TABLE, command)} Answers with the nonconformity in its new state; 409 (with its current state) when its state does not allow it.`,
      roles: WORKERS,
      params: NumberParam,
      body: NonconformityCommandInputs[command] as z.ZodType<unknown>,
      idempotent: true,
      handler: async ({ params, body, actor, idempotency }) => {
        await sendCommand(client, params.number, nonconformityUpdates[command], { actor, input: body as never }, async () => (await load(params.number)).state, { idempotency, models });
        return load(params.number);
      },
    });
  }
  return router;
}
