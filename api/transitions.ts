/**
 * Service design and transition over HTTP [ISO/IEC 20000-1 8.5.2]: a transition opened for a
 * service of the portfolio, listed, read, and advanced. Going to acceptance needs the releases that
 * name the transition to be in operation: the API finds them (the workflow reads no database) and
 * hands them to the command.
 */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Actor, Role } from '../domain/actor';
import { PageOf } from '../domain/schemas/answers';
import type { ServiceBody } from '../domain/schemas/service';
import { ServiceId } from '../domain/schemas/service';
import { CreateTransitionInput, TransitionAnswer, TransitionCommandInputs, TransitionNumber, TransitionRecordAnswer } from '../domain/schemas/transition';
import { refuseTransitionCommand, TRANSITION_KINDS, TRANSITION_STATES, TRANSITION_TABLE, transitionNumber, type TransitionCommand, type TransitionKind, type TransitionRecord } from '../domain/transition';
import type { Models } from '../models';
import { findLatestPolicy } from '../models/policies';
import { findIndexed } from '../models/query';
import { transitionOpened, transitionUpdates, transitionWorkflow } from '../workflows/transition';
import { caseRoutes } from './case-resource';
import { fromStore, openCase, withWork } from './cases';
import { Page, pageOf } from './lists';
import { badRequest, conflict, forbidden, illegalTransition } from './problem';
import { route } from './route';

const OPENERS: Role[] = ['admin', 'process_owner', 'agent'];
const STAFF: Role[] = ['admin', 'process_owner', 'agent', 'approver', 'improvement_manager', 'auditor'];
const COMMANDERS: Role[] = ['admin', 'process_owner', 'agent', 'approver', 'improvement_manager'];
/** the most releases one transition is checked against */
const RELEASES_READ = 200;

/** The status a service must have for a transition of each kind, and why. */
const STATUS_FOR: Record<TransitionKind, { ok: (status: string) => boolean; why: string }> = {
  new: { ok: (s) => s === 'pipeline', why: 'a new service is transitioned from the pipeline' },
  change: { ok: (s) => s !== 'retired', why: 'a retired service is not changed' },
  retire: { ok: (s) => s === 'live', why: 'only a live service is retired' },
};

const SUMMARIES: Record<TransitionCommand, string> = {
  add_item: 'Add an item to the design: a requirement, an acceptance criterion, or a consideration (sla, capacity, availability_continuity, information_security, budget)',
  record_evidence: 'Record the evidence of a design item (its owner, the transition’s owner or a process owner); acceptance criteria are met at acceptance',
  submit_design: 'Submit the design for approval: 409 naming what it lacks (a requirement, an acceptance criterion, each consideration for a new or changed service, evidence on every item but the criteria)',
  submit_for_acceptance: 'Submit the service for acceptance: a new or changed service needs a release naming this transition, and each of its releases (cancelled and rolled-back ones aside) in early_life_support or closed (409 naming those that are not)',
  meet_criterion: 'Record an acceptance criterion as met, with its evidence',
  accept: 'Accept the service (its owner, the transition’s owner or a process owner): 409 naming each criterion not met; the portfolio is then updated and the post-transition review falls due after the policy’s period',
  refuse: 'Refuse the service: back to transition',
  add_improvement: 'Open an improvement (a PDCA cycle naming the transition) for something found after it',
  cancel: 'Cancel the transition (before acceptance); an approval in progress is withdrawn',
  comment: 'Add a comment',
};

export function transitionRoutes({ models, client, taskQueue }: { models: Models; client: Client; taskQueue: string }): Router {
  const router = Router();

  route(router, {
    method: 'post',
    path: '/transitions',
    tag: 'Service design and transition',
    summary: 'Open a transition of a service of the portfolio: new (from the pipeline), change, or retire (a live service)',
    description: 'The transition keeps the transition policy in force when it opens (PUT /policies/transition: the review period); its design is approved by the approval policy of process `transition` that matches it when it is submitted (fields kind, service, serviceName, group, owner).',
    roles: OPENERS,
    body: CreateTransitionInput,
    status: 201,
    response: TransitionAnswer,
    idempotent: true,
    handler: async ({ body, actor, res, idempotency }) => {
      const svc = await findLatestPolicy<ServiceBody>(models, 'service', body.service);
      if (!svc) throw badRequest(`there is no service ${body.service}`, [{ in: 'body', path: 'service', message: `there is no service ${body.service} (GET /services)` }]);
      const rule = STATUS_FOR[body.kind];
      if (!rule.ok(svc.body.status)) throw conflict(`${body.service} (${svc.body.name}) is ${svc.body.status}: ${rule.why}`);
      const service = { id: body.service, name: svc.body.name, owner: svc.body.owner, status: svc.body.status };
      return openCase({ client, models, idempotency, counter: 'TRN', format: transitionNumber, path: '/transitions', res, opened: transitionOpened, taskQueue }, transitionWorkflow, (number) => [{ number, actor, input: body, service }]);
    },
  });

  route(router, {
    method: 'get',
    path: '/transitions',
    tag: 'Service design and transition',
    summary: 'List transitions, newest first, by state, service or kind, paged by cursor',
    roles: STAFF,
    query: z.strictObject({ state: z.enum(TRANSITION_STATES).optional(), service: ServiceId.optional(), kind: z.enum(TRANSITION_KINDS).optional(), ...Page.shape }),
    response: PageOf(TransitionRecordAnswer),
    handler: async ({ query }) => {
      const { limit, cursor, service, ...rest } = query;
      return pageOf(models.Transition, { ...rest, ...(service ? { serviceId: service } : {}) }, [['_id', -1]], { limit, cursor }, (r) => fromStore(r));
    },
  });

  const { load } = caseRoutes<TransitionRecord, TransitionCommand, unknown>(router, { models, client }, {
    path: '/transitions',
    tag: 'Service design and transition',
    noun: 'transition',
    model: models.Transition,
    number: TransitionNumber,
    table: TRANSITION_TABLE,
    readRoles: STAFF,
    present: (rec) => withWork(models, rec),
    answer: TransitionAnswer,
    summaries: {
      one: 'A transition: the service, its design checklist, the design’s approval, its releases, acceptance, what it changed in the portfolio, the post-transition review',
      history: 'Every step of a transition: who, when, from, to, note',
      commands: SUMMARIES,
    },
    commandRoles: COMMANDERS,
    commandBodies: TransitionCommandInputs as Record<TransitionCommand, z.ZodType<unknown>>,
    updates: transitionUpdates,
    prepare: { submit_for_acceptance: (input: { note?: string }, actor: Actor, number: string) => withReleases(input, actor, number) },
  });

  /**
   * The releases that name the transition, as they stand, for the command to carry: refused here
   * by the workflow's own rule (409 naming them when a new or changed service has none in
   * operation), which the workflow applies again to what it is handed. In another state the
   * workflow answers: a repeat of this very command (its Idempotency-Key) with its outcome.
   */
  async function withReleases(input: { note?: string }, actor: Actor, number: string) {
    const rec = await load(number);
    const found = await findIndexed<{ number: string; state: string }>(models.Release, { transition: number }, { sort: [['_id', 1]], limit: RELEASES_READ, projection: { _id: 0, number: 1, state: 1 } });
    const releases = found.map((r) => ({ number: r.number, state: r.state }));
    const refused = rec.state === 'transition' ? refuseTransitionCommand(rec, 'submit_for_acceptance', actor, { releases }) : null;
    if (refused) throw refused.kind === 'forbidden' ? forbidden(refused.message) : illegalTransition(`${number}: ${refused.message}`, rec.state);
    return { ...input, releases };
  }

  return router;
}
