/**
 * Continual improvement [ISO/IEC 20000-1 10.2]: one workflow per improvement runs its PDCA
 * cycles. Plan (objective, targets, actions; approved through an approval policy) → Do (actions
 * as tasks, a reminder a day before and an escalation after each due date) → Check (measurements
 * against the targets; a review decides met / partly met / not met) → Act (met: standardise,
 * lessons learned, closed; otherwise the next cycle, its targets and lessons carried over).
 */
import * as wf from '@temporalio/workflow';
import { persistStep } from './persistence';
import { Case, type CaseCarry } from './case';
import type { UpdateDefinition } from '@temporalio/common';
import type { Actor } from '../domain/actor';
import { matchPolicy } from '../domain/approval';
import {
  IMPROVEMENT_COMMANDS,
  refuseImprovementCommand,
  type ImprovementCommand,
  type ImprovementCommandInput,
  type ImprovementState,
  type RegisterImprovementInput,
  type Target,
} from '../domain/improvement';
import type { ApprovalRecord } from '../domain/approval';
import type { TaskRecord } from '../domain/task';
import type { createActivities } from '../activities';
import type { ActionRecord, Cycle, ImprovementRecord, ImprovementEvent, ImprovementView } from '../domain/improvement';
import { Approvals } from './approval';
import { commandUpdates, type CommandArgs, type CommandOf, type CommandOutcome } from './case-commands';
import { reads, tell } from './steps';
import { Tasks } from './task';

type Activities = ReturnType<typeof createActivities>;
export type { ActionRecord, Cycle, ImprovementRecord, ImprovementEvent, ImprovementView } from '../domain/improvement';
const persistImprovement = persistStep('persistImprovement');
const { loadApprovalPolicies } = reads;

const DAY = 86_400_000;

export type ImprovementCommandArgs = CommandArgs<ImprovementCommandInput<ImprovementCommand>>;
export type ImprovementUpdate = UpdateDefinition<CommandOutcome, [ImprovementCommandArgs]>;
export const improvementUpdates: Record<ImprovementCommand, ImprovementUpdate> = commandUpdates<Record<ImprovementCommand, ImprovementCommandInput<ImprovementCommand>>>('improvement.', IMPROVEMENT_COMMANDS);
export const improvementOpened = wf.defineUpdate<ImprovementView>('improvement.opened');

type Policies = Awaited<ReturnType<Activities['loadApprovalPolicies']>>;

export interface ImprovementWorkflowInput {
  number: string;
  input: RegisterImprovementInput;
  actor: Actor;
  /** the case as its previous run left it (waiting in plan or check), when it continued as new */
  resume?: { carry: CaseCarry<ImprovementRecord>; policies: Policies; approvals: ApprovalRecord[]; tasks: TaskRecord[] };
}

export async function improvementWorkflow({ number, input, actor, resume }: ImprovementWorkflowInput): Promise<ImprovementView> {
  let rec: ImprovementRecord | undefined;
  const kase = new Case<ImprovementRecord, ImprovementState>({ kind: 'improvement', legacy: persistImprovement, opened: improvementOpened, view: () => view(), resumed: resume?.carry });
  const { record, history } = kase;
  const current = () => rec!.cycles[rec!.cycles.length - 1];
  const view = (): ImprovementView => JSON.parse(JSON.stringify({ ...rec!, approvals: approvals.all, tasks: tasks.all }));
  const approvals = new Approvals({ caseId: number, process: 'improvement', title: () => input.title, requester: input.owner, history, updates: kase.updates });
  const tasks = new Tasks({ caseId: number, process: 'improvement', history, updates: kase.updates });

  kase.commands({
    updates: improvementUpdates,
    refuse: (r, command, by, input) => refuseImprovementCommand(r, command, by) ?? refuseMeasure(command, input),
    apply,
  });

  function refuseMeasure(command: ImprovementCommand, raw: unknown) {
    if (command !== 'measure') return null;
    const name = (raw as { target?: string }).target;
    return current().targets.some((t) => t.name === name) ? null : { kind: 'invalid' as const, message: `this cycle has no target ${name}` };
  }

  function apply(cmd: CommandOf<ImprovementCommand, { [K in ImprovementCommand]: ImprovementCommandInput<K> }>, by: Actor): Promise<unknown> {
    const r = rec!;
    const c = current();
    const now = Date.now();
    switch (cmd.command) {
      case 'plan': {
        const i = cmd.input;
        c.objective = i.objective;
        c.targets = i.targets;
        c.actions = i.actions.map((a) => ({ ...a, task: null, done: false, remindedAt: null, escalatedAt: null }));
        return record('plan', by.name, i.objective, { cycle: c.n, targets: i.targets.map((t) => t.name), actions: i.actions.length }, 'approval');
      }
      case 'measure': {
        const i = cmd.input;
        c.measurements.push({ target: i.target, value: i.value, at: now, by: by.name, note: i.note ?? null });
        return record('measure', by.name, i.note ?? null, { cycle: c.n, target: i.target, value: i.value });
      }
      case 'review': {
        const i = cmd.input;
        c.review = { decision: i.decision, notes: i.notes, lessons: i.lessons, standardisation: i.standardisation ?? null, by: by.name, at: now };
        c.endedAt = now;
        r.lessons.push(i.lessons);
        if (i.decision === 'met') {
          r.closedAt = now;
          return record('act_standardise', by.name, i.standardisation ?? null, { cycle: c.n, decision: i.decision, lessons: i.lessons }, 'closed');
        }
        // not (all) met: the next cycle starts, from where the measurements left the targets
        const latest = (t: Target) => [...c.measurements].reverse().find((m) => m.target === t.name)?.value ?? t.baseline;
        r.cycles.push(newCycle(c.n + 1, c.targets.map((t) => ({ ...t, baseline: latest(t) }))));
        return record('act_next_cycle', by.name, i.notes, { cycle: c.n, decision: i.decision, next: c.n + 1, lessons: i.lessons }, 'plan');
      }
      case 'cancel':
        return kase.cancel(cmd.input, by, 'cancelled');
      case 'comment':
        return kase.comment(cmd.input, by);
    }
  }

  function newCycle(n: number, targets: Target[] = []): Cycle {
    return { n, startedAt: Date.now(), endedAt: null, objective: null, targets, actions: [], measurements: [], approval: null, review: null };
  }

  /** Reminds a day before an action's due date, and escalates once it is overdue. */
  async function watch(a: ActionRecord) {
    const due = Date.parse(a.due);
    if (due - DAY > Date.now() && !(await wf.condition(() => a.done, due - DAY - Date.now()))) {
      a.remindedAt = Date.now();
      await record('action_reminder', 'system', `due ${a.due}: ${a.title}`, { task: a.task, group: a.group });
      tell({ key: `${number}:${a.task}:reminder`, type: 'improvement_action_reminder', number, title: a.title, group: a.group, due: a.due, at: Date.now() });
    }
    if (!a.done && !(await wf.condition(() => a.done, Math.max(1, due - Date.now())))) {
      a.escalatedAt = Date.now();
      await record('action_overdue', 'system', `overdue since ${a.due}: ${a.title}`, { task: a.task, group: a.group, owner: rec!.owner });
      tell({ key: `${number}:${a.task}:overdue`, type: 'improvement_action_overdue', number, title: a.title, group: a.group, owner: rec!.owner, due: a.due, at: Date.now() });
    }
  }

  // ---- register (or take over from the previous run) ----
  let loaded: Policies;
  if (resume) {
    rec = resume.carry.record;
    loaded = resume.policies;
    approvals.restore(resume.approvals);
    tasks.restore(resume.tasks);
  } else {
    loaded = await loadApprovalPolicies();
    rec = { ...input, number, state: 'plan', registeredBy: actor.name, openedAt: Date.now(), closedAt: null, cancelReason: null, cycles: [newCycle(1)], lessons: [], comments: [], seq: 0 };
    await kase.open(rec, 'register', actor.name, null, { source: input.source, sourceRef: input.sourceRef ?? null }, 'plan');
  }
  const { policies, calendars } = loaded;
  const ended = () => rec!.state === 'closed' || rec!.state === 'cancelled';
  // while it waits for its people in plan or check, nothing else is in progress: a long wait continues as new there
  const next = (carry: CaseCarry<ImprovementRecord>): Parameters<typeof improvementWorkflow> => [
    { number, input, actor, resume: { carry, policies: loaded, approvals: approvals.all, tasks: tasks.all } },
  ];

  while (!ended()) {
    if (rec.state === 'check') {
      // ---- check, then act (the review command) ----
      await kase.waitFor(() => rec!.state !== 'check', next);
      continue;
    }
    await kase.waitFor(() => rec!.state !== 'plan', next);
    if (ended()) break;
    // ---- plan approval ----
    const c = current();
    const policy = matchPolicy(policies, 'improvement', { service: rec.service, source: rec.source, owner: rec.owner });
    if (policy) {
      const result = await Promise.race([approvals.run(policy, calendars), wf.condition(ended).then(() => null)]);
      if (result === null) {
        await approvals.withdraw('the improvement was cancelled');
        break;
      }
      c.approval = { policy: { id: policy.id, version: policy.version }, outcome: result.outcome, reason: result.reason };
      if (result.outcome === 'rejected') {
        await record('plan_rejected', 'system', `${result.reason}: revise the plan`, { cycle: c.n }, 'plan');
        continue;
      }
    } else {
      c.approval = { policy: null, outcome: 'not_required', reason: 'no approval policy applies' };
    }
    // ---- do ----
    await record('do', 'system', `${c.actions.length} action(s)`, { cycle: c.n }, 'do');
    const work = c.actions.map(async (a) => {
      const { task, done } = tasks.open({ type: 'action', title: a.title, group: a.group, dueAt: Date.parse(a.due) });
      a.task = task.id;
      const watching = watch(a);
      await done;
      a.done = true;
      await watching;
    });
    await Promise.race([Promise.all(work), wf.condition(ended)]);
    if (ended()) break;
    await record('check', 'system', 'measure the targets, then review', { cycle: c.n }, 'check');
  }
  await tasks.cancelOpen(`the improvement is ${rec.state}`);
  await wf.condition(wf.allHandlersFinished);
  return view();
}
