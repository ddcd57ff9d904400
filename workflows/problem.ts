/**
 * Problem management [ISO/IEC 20000-1 8.6.3] as one workflow per problem; its id is the problem
 * number. new → investigation (a task for the problem team) → known_error (root cause and
 * workaround published) → awaiting_change (the RFC raised and linked) → resolved (the change
 * closed successful) → closed after a verification period with no recurrence; a recurrence
 * reopens investigation; cancel with a reason. Linked incidents and changes are told by signal,
 * so each link is in both histories.
 */
import * as wf from '@temporalio/workflow';
import { persistStep } from './persistence';
import { Case, type CaseCarry } from './case';
import type { UpdateDefinition } from '@temporalio/common';
import type { Actor } from '../domain/actor';
import { PROBLEM_COMMANDS, problemNextState, refuseProblemCommand, type ProblemCommand, type ProblemCommandInput, type ProblemPolicyBody, type ProblemState, type RaiseProblemInput } from '../domain/problem';
import type { TaskRecord } from '../domain/task';
import type { ProblemRecord, ProblemEvent, ProblemView } from '../domain/problem';
import { commandUpdates, type CommandArgs, type CommandOf, type CommandOutcome } from './case-commands';
import { reads } from './steps';
import { changeClosed, linkedToProblem, problemRecorded, resolvedByProblem, trendIncidents } from './signals';
import { Tasks } from './task';

export type { ProblemRecord, ProblemEvent, ProblemView } from '../domain/problem';
const persistProblem = persistStep('persistProblem');
const { loadProblemPolicy } = reads;

export type ProblemCommandArgs = CommandArgs<ProblemCommandInput<ProblemCommand>>;
export type ProblemUpdate = UpdateDefinition<CommandOutcome, [ProblemCommandArgs]>;
export const problemUpdates: Record<ProblemCommand, ProblemUpdate> = commandUpdates<Record<ProblemCommand, ProblemCommandInput<ProblemCommand>>>('problem.', PROBLEM_COMMANDS);
export const problemOpened = wf.defineUpdate<ProblemView>('problem.opened');

export interface ProblemWorkflowInput {
  number: string;
  input: RaiseProblemInput;
  actor: Actor;
  /** the incident trend that raised it, if the trend scan did */
  trend?: { groupBy: string; key: string };
  /** the case as its previous run left it (waiting, no task of its own open), when it continued as new */
  resume?: { carry: CaseCarry<ProblemRecord>; tasks: TaskRecord[] };
}

const DAY = 86_400_000;

export async function problemWorkflow({ number, input, actor, trend, resume }: ProblemWorkflowInput): Promise<ProblemView> {
  let rec: ProblemRecord | undefined;
  const kase = new Case<ProblemRecord, ProblemState>({ kind: 'problem', legacy: persistProblem, opened: problemOpened, view: () => view(), resumed: resume?.carry });
  const { record, history } = kase;
  const view = (): ProblemView => JSON.parse(JSON.stringify({ ...rec!, tasks: tasks.all }));
  const tasks = new Tasks({ caseId: number, process: 'problem', history: (a, by, note, details) => record(a, by, note, details), updates: kase.updates });

  /** Tells another case by signal; a case whose process has ended is noted, not an error. */
  async function tell(target: string, send: () => Promise<void>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch {
      await record('link_not_delivered', 'system', `${target} has no running process to tell`, { target });
      return false;
    }
  }
  /** `openedAt`: when each incident opened, where known (the API and the trend scan say; earlier callers did not). */
  async function linkIncidents(incidents: string[], by: string, openedAt?: Record<string, number>) {
    const fresh = incidents.filter((i) => !rec!.incidents.includes(i));
    if (!fresh.length) return view();
    rec!.incidents.push(...fresh);
    // an incident opened after the problem was resolved, during verification, is a recurrence: investigate again.
    // One opened before the resolution and linked late is not ('recurrence-after-resolution').
    let recurrence = rec!.state === 'resolved';
    const openedAfter = (i: string) => openedAt?.[i] === undefined || openedAt[i] > rec!.resolvedAt!;
    if (recurrence && !fresh.some(openedAfter) && wf.patched('recurrence-after-resolution')) recurrence = false;
    if (recurrence) {
      rec!.recurrences += 1;
      rec!.resolvedAt = null;
      rec!.verifyUntil = null;
    }
    const note = recurrence ? 'recurred during verification: back to investigation' : rec!.state === 'resolved' ? 'opened before the resolution: not a recurrence' : null;
    const answer = await record('link_incidents', by, note, { incidents: fresh }, recurrence ? 'investigation' : undefined);
    for (const i of fresh) await tell(i, () => wf.getExternalWorkflowHandle(i).signal(linkedToProblem, { problem: number }));
    return answer;
  }

  // the trend scan links later incidents of its trend by signal (an update cannot come from a workflow)
  wf.setHandler(trendIncidents, async ({ incidents, openedAt }) => {
    await kase.ready();
    if (rec!.state === 'closed' || rec!.state === 'cancelled') return;
    await linkIncidents(incidents, 'system', openedAt);
  });
  wf.setHandler(changeClosed, ({ change, outcome }) => {
    if (!rec || rec.state !== 'awaiting_change' || rec.change !== change) return;
    if (outcome === 'successful') {
      rec.resolvedAt = Date.now();
      rec.verifyUntil = rec.resolvedAt + rec.policy.verificationDays * DAY;
      void record('resolve', 'system', `${change} closed successful`, { change }, 'resolved');
    } else {
      rec.change = null;
      const how = outcome === 'rejected' || outcome === 'cancelled' ? `was ${outcome}` : `closed ${outcome}`;
      void record('change_failed', 'system', `${change} ${how}: a new change is needed`, { change, outcome }, 'known_error');
    }
  });
  kase.commands({
    updates: problemUpdates,
    refuse: refuseProblemCommand,
    apply,
  });

  async function apply(cmd: CommandOf<ProblemCommand, { [K in ProblemCommand]: ProblemCommandInput<K> }>, by: Actor): Promise<unknown> {
    const { command } = cmd;
    const r = rec!;
    const to = problemNextState(r.state, command)!;
    switch (cmd.command) {
      case 'investigate': {
        const i = cmd.input;
        return record('investigate', by.name, i.note ?? null, {}, to);
      }
      case 'record_known_error': {
        const i = cmd.input;
        r.knownError = { ...i, by: by.name, at: Date.now() };
        const answer = record('record_known_error', by.name, i.rootCause, { workaround: i.workaround }, to);
        await tasks.cancelOpen('the root cause is found');
        return answer;
      }
      case 'link_change': {
        const i = cmd.input;
        r.change = i.change;
        const answer = await record('link_change', by.name, null, { change: i.change }, to);
        await tell(i.change, () => wf.getExternalWorkflowHandle(i.change).signal(linkedToProblem, { problem: number }));
        return answer;
      }
      case 'link_incidents':
        return linkIncidents(cmd.input.incidents, by.name, cmd.input.openedAt);
      case 'cancel':
        return kase.cancel(cmd.input, by, to);
      case 'comment':
        return kase.comment(cmd.input, by);
    }
  }

  if (resume) {
    // ---- continued from an earlier run ----
    rec = resume.carry.record;
    tasks.restore(resume.tasks);
  } else {
    // ---- raise ----
    const policy = await loadProblemPolicy();
    rec = {
      ...input,
      incidents: [],
      number,
      state: 'new',
      raisedBy: actor.name,
      openedAt: Date.now(),
      knownError: null,
      change: null,
      resolvedAt: null,
      verifyUntil: null,
      closedAt: null,
      recurrences: 0,
      cancelReason: null,
      comments: [],
      policy: { problem: policy.version, ...policy.body },
      trend: trend ?? null,
      seq: 0,
    };
    await kase.open(rec, 'raise', actor.name, trend ? `raised by the trend scan: ${trend.groupBy} ${trend.key}` : null, { service: input.service, configurationItem: input.configurationItem ?? null, trend: trend ?? null }, 'new');
    if (input.incidents.length) await linkIncidents(input.incidents, actor.name);
    // started by the trend scan: it ends once the problems it opened are recorded, so its next run finds them
    const parent = wf.workflowInfo().parent;
    if (parent && trend) await wf.getExternalWorkflowHandle(parent.workflowId, parent.runId).signal(problemRecorded, { number }).catch(() => undefined);
  }

  // ---- run until closed or cancelled ----
  const done = () => rec!.state === 'closed' || rec!.state === 'cancelled';
  const next = (carry: CaseCarry<ProblemRecord>): Parameters<typeof problemWorkflow> => [{ number, input, actor, trend, resume: { carry, tasks: tasks.all } }];
  while (!done()) {
    const state = rec.state;
    if (state === 'investigation' && !tasks.all.some((t) => t.state === 'open' || t.state === 'claimed')) {
      // the problem team's work: a task, which the known error closes
      void tasks.run({ type: 'investigate', title: `Investigate ${number}: ${rec.title}`, group: rec.group });
    }
    if (state === 'resolved') {
      if (rec.policy.onResolve === 'resolve_incidents') {
        const resolution = `Resolved by ${number} through ${rec.change}: ${rec.knownError?.rootCause ?? ''}`.slice(0, 10_000);
        for (const i of rec.incidents) {
          if (await tell(i, () => wf.getExternalWorkflowHandle(i).signal(resolvedByProblem, { problem: number, resolution }))) {
            await record('incident_resolved', 'system', null, { incident: i });
          }
        }
      }
      const recurred = await wf.condition(() => rec!.state !== 'resolved', Math.max(1, rec.verifyUntil! - Date.now()));
      if (!recurred) {
        rec.closedAt = Date.now();
        await record('close', 'system', `no recurrence in ${rec.policy.verificationDays} days`, {}, 'closed');
      }
      continue;
    }
    // waiting for people or for its change with no task of its own open, a long wait continues as new
    if (tasks.all.some((t) => t.state === 'open' || t.state === 'claimed')) await wf.condition(() => rec!.state !== state);
    else await kase.waitFor(() => rec!.state !== state, next);
  }
  await tasks.cancelOpen(`the problem is ${rec.state}`);
  await wf.condition(wf.allHandlersFinished);
  return view();
}
