/**
 * The waiting work of a person: GET /tasks (mine and my groups') and GET /approvals (mine and my
 * delegators'), and the commands on them, sent to the case's workflow that owns them.
 */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { DecisionInput } from '../domain/schemas/approval';
import type { ApprovalRecord } from '../domain/approval';
import { TASK_STATES, type TaskCommand, type TaskRecord } from '../domain/task';
import { TaskCommandInputs } from '../domain/schemas/task';
import { PageOf } from '../domain/schemas/answers';
import { ApprovalAnswer, MyApprovalAnswer, TaskAnswer } from '../domain/schemas/work';
import type { Models } from '../models';
import { decideApproval } from '../workflows/approval';
import { taskUpdates } from '../workflows/task';
import { sendCommand } from './commands';
import { delegationInForce, delegatorsOf } from './delegations';
import { forbidden, illegalTransition, notFound } from './problem';
import { route } from './route';
import { linkedTargets, Page, pageInMemory, pageOf } from './lists';
import { fromStore, loadCase } from './cases';
import { linkKey } from '../models/link';
import type { Filter } from '../models/query';

const TaskId = z.strictObject({ id: z.string().regex(/^[A-Z]{3}\d{7,}-T\d+$/, 'a task id such as CHG0000001-T1') });
const ApprovalId = z.strictObject({ id: z.string().regex(/^[A-Z]{3}\d{7,}-A\d+$/, 'an approval id such as CHG0000001-A1') });
const caseOf = (id: string) => id.slice(0, id.lastIndexOf('-'));

const OLDEST_FIRST = [['createdAt', 1], ['_id', 1]] as const;

export function workRoutes({ models, client }: { models: Models; client: Client }): Router {
  const router = Router();
  async function loadTask(id: string): Promise<TaskRecord> {
    const t = await loadCase<TaskRecord>(models.Task, id);
    if (!t) throw notFound(`there is no task ${id}`);
    return t;
  }

  route(router, {
    method: 'get',
    path: '/tasks',
    tag: 'Tasks',
    summary: "Tasks assigned to me or my groups (an admin or auditor sees all), oldest first",
    roles: 'authenticated',
    query: z.strictObject({
      process: z.string().min(1).optional(),
      state: z.enum(TASK_STATES).optional(),
      /** only tasks due before this instant */
      dueBefore: z.iso.datetime({ offset: true }).optional(),
      mine: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
      ...Page.shape,
    }),
    response: PageOf(TaskAnswer),
    handler: async ({ query, actor }) => {
      const filter: Filter = { open: query.state ? query.state === 'open' || query.state === 'claimed' : true };
      if (query.state) filter.state = query.state;
      if (query.process) filter.process = query.process;
      if (query.dueBefore) filter.dueAt = { $lt: Date.parse(query.dueBefore) };
      const page = { limit: query.limit, cursor: query.cursor };
      const seesAll = actor.roles.includes('admin') || actor.roles.includes('auditor');
      if (query.mine) return pageOf(models.Task, { ...filter, assignee: actor.name }, OLDEST_FIRST, page, (t) => fromStore(t));
      if (seesAll) return pageOf(models.Task, filter, OLDEST_FIRST, page, (t) => fromStore(t));
      // mine, and my groups': one list each, merged; a task of my group assigned to me counts once
      const groups = actor.groups.slice(0, 20);
      return pageOf(models.Task, [{ ...filter, assignee: actor.name }, ...groups.map((group) => ({ ...filter, group }))], OLDEST_FIRST, page, (t) => fromStore(t), {
        overlap: groups.map((group) => ({ ...filter, group, assignee: actor.name })),
      });
    },
  });

  for (const command of Object.keys(taskUpdates) as TaskCommand[]) {
    route(router, {
      method: 'post',
      path: `/tasks/:id/${command}`,
      tag: 'Tasks',
      summary: { claim: 'Claim a task of my group', unclaim: 'Give a claimed task back to the group', complete: 'Complete a task with its outcome and the fields its type requires', reassign: 'Hand a task to another group or person' }[command],
      roles: ['agent', 'approver', 'admin'],
      params: TaskId,
      body: TaskCommandInputs[command] as z.ZodType<unknown>,
      response: TaskAnswer,
      idempotent: true,
      handler: async ({ params, body, actor, idempotency }) => {
        const t = await loadTask(params.id);
        // with an Idempotency-Key the task may have been completed by this very command: its case answers that
        if ((t.state === 'completed' || t.state === 'cancelled') && !idempotency) throw illegalTransition(`task ${params.id} is ${t.state}`, t.state);
        await sendCommand(client, caseOf(params.id), taskUpdates[command], { taskId: params.id, actor, input: body as never }, async () => (await loadTask(params.id)).state, { idempotency, models });
        // answered with the task as the database holds it once the command is applied (persisted before the answer)
        return loadTask(params.id);
      },
    });
  }

  route(router, {
    method: 'get',
    path: '/approvals',
    tag: 'Approvals',
    summary: 'Approvals waiting for me or for approvers who delegated to me',
    roles: 'authenticated',
    query: z.strictObject({ process: z.string().min(1).optional(), state: z.enum(['pending', 'approved', 'rejected']).optional(), ...Page.shape }),
    response: PageOf(MyApprovalAnswer),
    handler: async ({ query, actor }) => {
      const forWhom = [actor.name, ...(await delegatorsOf(models, actor.name))];
      const state = query.state ?? 'pending';
      // through the approvers' links: each person's approvals, soonest due first
      const docs = await linkedTargets<ApprovalRecord & Record<string, unknown>>(models, models.Approval, forWhom.map((n) => linkKey('approvals', 'approvers', n)), {
        open: state === 'pending',
        direction: 1,
        accept: (a) => a.state === state && (!query.process || a.process === query.process),
      });
      return pageInMemory(docs, { limit: query.limit, cursor: query.cursor }, 1, (a) => ({
        ...fromStore<ApprovalRecord>(a),
        // whose approval I would be giving: my own, else the delegator's I stand in for
        onBehalfOf: a.approvers.includes(actor.name) ? actor.name : forWhom.find((n) => a.approvers.includes(n)),
      }));
    },
  });

  for (const decision of ['approve', 'reject'] as const) {
    route(router, {
      method: 'post',
      path: `/approvals/:id/${decision}`,
      tag: 'Approvals',
      summary: decision === 'approve' ? 'Approve, with a comment' : 'Reject, with a comment',
      description: 'As a named approver, or as the delegate of one whose delegation is in force (say whom with onBehalfOf, or let it be found).',
      roles: ['approver', 'agent', 'admin', 'process_owner', 'improvement_manager'],
      params: ApprovalId,
      body: DecisionInput.extend({ onBehalfOf: z.string().trim().min(1).max(200).optional() }),
      response: ApprovalAnswer,
      idempotent: true,
      handler: async ({ params, body, actor, idempotency }) => {
        const a = await loadCase<ApprovalRecord>(models.Approval, params.id);
        if (!a) throw notFound(`there is no approval ${params.id}`);
        const gone = async () => (await loadCase<ApprovalRecord>(models.Approval, params.id))?.state ?? 'unknown';
        const decided = async () => (await loadCase<ApprovalRecord>(models.Approval, params.id))!;
        if (a.state !== 'pending') {
          // with an Idempotency-Key it may have been decided by this very decision: its case answers that
          if (!idempotency) throw illegalTransition(`approval ${params.id} is ${a.state}`, a.state);
          await sendCommand(client, caseOf(params.id), decideApproval, { approvalId: params.id, actor, onBehalfOf: body.onBehalfOf ?? actor.name, delegation: null, decision, comment: body.comment }, gone, { idempotency, models });
          return decided();
        }
        let onBehalfOf = body.onBehalfOf ?? actor.name;
        if (!body.onBehalfOf && !a.approvers.includes(actor.name)) {
          onBehalfOf = (await delegatorsOf(models, actor.name)).find((n) => a.approvers.includes(n)) ?? actor.name;
        }
        let delegation = null;
        if (onBehalfOf !== actor.name) {
          const d = await delegationInForce(models, onBehalfOf, actor.name);
          if (!d) throw forbidden(`${actor.name} holds no delegation from ${onBehalfOf} in force now`);
          delegation = { from: d.from, to: d.to, start: d.start.getTime(), end: d.end.getTime() };
        }
        await sendCommand(client, caseOf(params.id), decideApproval, { approvalId: params.id, actor, onBehalfOf, delegation, decision, comment: body.comment }, gone, { idempotency, models });
        return decided();
      },
    });
  }

  return router;
}
