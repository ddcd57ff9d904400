/** Change management over HTTP: raise, list, read, history, commands, the change calendar. */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Role } from '../domain/actor';
import {
  CHANGE_COMMANDS,
  CHANGE_STATES,
  CHANGE_TYPES,
  ChangeCommandInputs,
  ChangeNumber,
  changeNumber,
  HOLDS_WINDOW,
  RaiseChangeInput,
  RISKS,
  scheduleConflicts,
  type ChangeCommand,
  type ChangePolicyBody,
} from '../domain/change';
import type { Models } from '../models';
import { latestPolicy } from '../models/policies';
import type { ChangeRecord } from '../workflows/change-types';
import { changeOpened, changeUpdates, changeWorkflow } from '../workflows/change';
import { caseHistory, openCase } from './cases';
import { sendCommand } from './commands';
import { Page, pageOf } from './lists';
import { badRequest, conflict, illegalTransition, notFound } from './problem';
import { route } from './route';

const NumberParam = z.strictObject({ number: ChangeNumber });
const MANAGERS: Role[] = ['agent', 'admin'];
const COMMAND_ROLES: Record<ChangeCommand, Role[]> = {
  submit: ['requester', 'agent', 'admin'],
  assess: MANAGERS,
  implement: MANAGERS,
  complete: MANAGERS,
  cancel: ['requester', 'agent', 'admin'],
  comment: ['requester', 'agent', 'admin'],
};
const SUMMARIES: Record<ChangeCommand, string> = {
  submit: 'Submit the RFC: to assessment (a standard change goes straight to scheduled)',
  assess: 'Record the risk assessment: on to authorization by the matching approval policy',
  implement: 'Start implementing a scheduled change',
  complete: 'Record the implementation result: successful goes to review, failed opens a back-out task',
  cancel: 'Cancel the change (before implementation)',
  comment: 'Add a comment',
};

export function changeRoutes({ models, client, taskQueue }: { models: Models; client: Client; taskQueue: string }): Router {
  const router = Router();

  async function load(number: string): Promise<ChangeRecord> {
    const rec = (await models.Change.findOne({ number }, { _id: 0 }).lean()) as ChangeRecord | null;
    if (!rec) throw notFound(`there is no change ${number}`);
    return rec;
  }
  async function view(rec: ChangeRecord) {
    const [approvals, tasks] = await Promise.all([
      models.Approval.find({ caseId: rec.number }, { _id: 0 }).sort({ openedAt: 1 }).lean(),
      models.Task.find({ caseId: rec.number }, { _id: 0 }).sort({ createdAt: 1 }).lean(),
    ]);
    return { ...rec, approvals, tasks };
  }

  route(router, {
    method: 'post',
    path: '/changes',
    tag: 'Changes',
    summary: 'Raise a request for change (RFC)',
    description: 'A blackout window or another scheduled change on the same CI in the planned window is refused with 409 naming the conflicts, or routed to an extra approval when the change policy says so.',
    roles: ['requester', 'agent', 'admin'],
    body: RaiseChangeInput,
    status: 201,
    handler: async ({ body, actor, res }) => {
      const policy = await latestPolicy<ChangePolicyBody>(models, 'change', 'default');
      if (body.type === 'standard' && !policy.body.standardTemplates.some((t) => t.id === body.template)) {
        throw badRequest(`there is no standard change template ${body.template}`, [{ in: 'body', path: 'template', message: `there is no standard change template ${body.template}` }]);
      }
      const scheduled = (await models.Change.find({ state: { $in: HOLDS_WINDOW }, configurationItems: { $in: body.configurationItems } }, { number: 1, plannedStart: 1, plannedEnd: 1, configurationItems: 1 }).lean()) as unknown as ChangeRecord[];
      const conflicts = scheduleConflicts(body, policy.body, scheduled);
      if (conflicts.length && policy.body.onConflict.action === 'refuse') {
        const names = conflicts.map((c) => (c.kind === 'blackout' ? `the blackout "${c.with}"` : `${c.with} on ${c.configurationItem}`));
        throw conflict(`the planned window conflicts with ${names.join(', ')}`, { conflicts });
      }
      return openCase({ client, models, counter: 'CHG', format: changeNumber, path: '/changes', res, opened: changeOpened }, (number, common) =>
        client.workflow.start(changeWorkflow, { taskQueue, ...common, args: [{ number, input: body, actor, conflicts }] }),
      );
    },
  });

  route(router, {
    method: 'get',
    path: '/changes',
    tag: 'Changes',
    summary: 'List changes (newest first), filtered and paginated',
    roles: 'authenticated',
    query: z.strictObject({
      state: z.enum(CHANGE_STATES).optional(),
      type: z.enum(CHANGE_TYPES).optional(),
      risk: z.enum(RISKS).optional(),
      service: z.string().min(1).optional(),
      configurationItem: z.string().min(1).optional(),
      requestedBy: z.string().min(1).optional(),
      ...Page.shape,
    }),
    handler: async ({ query }) => {
      const { limit, offset, service, configurationItem, ...rest } = query;
      const filter: Record<string, unknown> = { ...rest };
      if (service) filter.services = service;
      if (configurationItem) filter.configurationItems = configurationItem;
      return pageOf(models.Change, filter, { openedAt: -1, number: -1 }, limit, offset, (r) => r);
    },
  });

  route(router, {
    method: 'get',
    path: '/changes/:number',
    tag: 'Changes',
    summary: 'A change with its approvals and tasks',
    roles: 'authenticated',
    params: NumberParam,
    handler: async ({ params }) => view(await load(params.number)),
  });

  route(router, {
    method: 'get',
    path: '/changes/:number/history',
    tag: 'Changes',
    summary: 'Every transition, decision, escalation and task of a change: who, when, from, to, note',
    roles: 'authenticated',
    params: NumberParam,
    handler: async ({ params }) => {
      await load(params.number);
      return caseHistory(models, params.number);
    },
  });

  for (const command of CHANGE_COMMANDS) {
    route(router, {
      method: 'post',
      path: `/changes/:number/${command}`,
      tag: 'Changes',
      summary: SUMMARIES[command],
      roles: COMMAND_ROLES[command],
      params: NumberParam,
      body: ChangeCommandInputs[command] as z.ZodType<unknown>,
      handler: async ({ params, body, actor }) => {
        const rec = await load(params.number);
        if (['closed', 'rejected', 'cancelled'].includes(rec.state)) throw illegalTransition(`${params.number} is ${rec.state}: it takes no more commands`, rec.state);
        return sendCommand(client, params.number, changeUpdates[command], { actor, input: body as never }, async () => (await load(params.number)).state);
      },
    });
  }

  route(router, {
    method: 'get',
    path: '/change-calendar',
    tag: 'Changes',
    summary: 'Scheduled and running changes and blackout windows between two instants',
    roles: 'authenticated',
    query: z.strictObject({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }),
    handler: async ({ query }) => {
      if (Date.parse(query.to) <= Date.parse(query.from)) throw badRequest('to must be after from', [{ in: 'query', path: 'to', message: 'after from' }]);
      const [changes, policy] = await Promise.all([
        models.Change.find({ state: { $in: HOLDS_WINDOW }, plannedStart: { $lt: query.to }, plannedEnd: { $gt: query.from } }, { _id: 0, number: 1, title: 1, state: 1, type: 1, risk: 1, plannedStart: 1, plannedEnd: 1, configurationItems: 1, services: 1 }).sort({ plannedStart: 1 }).lean(),
        latestPolicy<ChangePolicyBody>(models, 'change', 'default'),
      ]);
      const blackouts = policy.body.blackouts.filter((b) => Date.parse(b.start) < Date.parse(query.to) && Date.parse(b.end) > Date.parse(query.from));
      return { from: query.from, to: query.to, changes, blackouts };
    },
  });

  return router;
}
