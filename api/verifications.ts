/**
 * CI verification over HTTP: the policy (GET|PUT /policies/ci-verification), verifications opened
 * by the daily audit or here on demand (a process owner: named CIs, or those due), listed, read,
 * and advanced; each CI's task is completed through /tasks.
 */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Role } from '../domain/actor';
import { VERIFICATION_STATES, VERIFICATION_TABLE, verificationNumber, type VerificationCommand } from '../domain/verification';
import { PageOf } from '../domain/schemas/answers';
import { OpenVerificationInput, VerificationAnswer, VerificationCommandInputs, VerificationNumber, VerificationRecordAnswer } from '../domain/schemas/verification';
import type { Models } from '../models';
import { dueForVerification } from '../models/verification';
import { verificationOpened, verificationUpdates, verificationWorkflow, type VerificationRecord } from '../workflows/verification';
import { caseRoutes } from './case-resource';
import { fromStore, openCase, withWork } from './cases';
import { Page, pageOf } from './lists';
import { badRequest, conflict } from './problem';
import { route } from './route';

const OWNERS: Role[] = ['process_owner', 'admin'];
const STAFF: Role[] = ['admin', 'process_owner', 'agent', 'approver', 'improvement_manager', 'auditor'];

export function verificationRoutes({ models, client, taskQueue }: { models: Models; client: Client; taskQueue: string }): Router {
  const router = Router();

  route(router, {
    method: 'post',
    path: '/verifications',
    tag: 'Configuration management',
    summary: 'Open a verification of named CIs, or of those the CI verification policy says are due (409 when none is)',
    description: 'The daily audit (schedule ci-verification-daily) opens one for the CIs due. Each CI gets a task for its owner group: `verified` as recorded, or `different` with `findings`, which opens an incident or a change as the policy says.',
    roles: OWNERS,
    body: OpenVerificationInput,
    status: 201,
    response: VerificationAnswer,
    idempotent: true,
    handler: async ({ body, actor, res, idempotency }) => {
      const cis = body.cis ? [...new Set(body.cis)] : undefined;
      const { policy, items, unknown, refused } = await dueForVerification(models, cis);
      if (unknown.length) throw badRequest(`not in the CMDB: ${unknown.join(', ')}`, unknown.map((ci) => ({ in: 'body' as const, path: `cis.${body.cis!.indexOf(ci)}`, message: `there is no CI ${ci}` })));
      if (refused.length) throw conflict(`cannot be verified now: ${refused.join('; ')}`);
      if (items.length === 0) throw conflict('no CI is due for verification (every CI was verified within its period, or is being verified)');
      return openCase({ client, models, idempotency, counter: 'VER', format: verificationNumber, path: '/verifications', res, opened: verificationOpened, taskQueue }, verificationWorkflow, (number) => [{ number, actor, policy, items }]);
    },
  });

  route(router, {
    method: 'get',
    path: '/verifications',
    tag: 'Configuration management',
    summary: 'List CI verifications, newest first, by state, paged by cursor',
    roles: STAFF,
    query: z.strictObject({ state: z.enum(VERIFICATION_STATES).optional(), ...Page.shape }),
    response: PageOf(VerificationRecordAnswer),
    handler: async ({ query }) => {
      const { limit, cursor, ...filter } = query;
      return pageOf(models.Verification, filter, [['_id', -1]], { limit, cursor }, (r) => fromStore(r));
    },
  });

  caseRoutes<VerificationRecord, VerificationCommand, unknown>(router, { models, client }, {
    path: '/verifications',
    tag: 'Configuration management',
    noun: 'verification',
    model: models.Verification,
    number: VerificationNumber,
    table: VERIFICATION_TABLE,
    readRoles: STAFF,
    present: (rec) => withWork(models, rec, { approvals: false }),
    answer: VerificationAnswer,
    summaries: {
      one: 'A CI verification: each CI with its task and what was found, and the incident or change a difference opened',
      history: 'Every step of a verification: who, when, from, to, note',
      commands: { cancel: 'Cancel a verification and its open tasks (a process owner)', comment: 'Add a comment' },
    },
    commandRoles: STAFF,
    commandBodies: VerificationCommandInputs as Record<VerificationCommand, z.ZodType<unknown>>,
    updates: verificationUpdates,
  });
  return router;
}
