/**
 * Configuration verification [ISO/IEC 20000-1 8.2.6] as one workflow per verification: a task per
 * CI for its owner group, due in the policy's days (reminded once when overdue) → each CI found as
 * recorded is marked verified; one that differs is marked too, and opens an incident or a change
 * (a child abandoned when the case ends) as the policy said when the case opened, or is only
 * recorded → closed when every task is done. Also the daily audit that opens one for the CIs due.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { UpdateDefinition } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { SYSTEM, type Actor } from '../domain/actor';
import { changeNumber } from '../domain/change';
import { incidentNumber } from '../domain/incident';
import type { TaskRecord } from '../domain/task';
import {
  VERIFICATION_COMMANDS,
  refuseVerificationCommand,
  type CiVerificationPolicyBody,
  type VerificationCommand,
  type VerificationCommandInput,
  type VerificationItem,
  type VerificationItemInput,
  type VerificationRecord,
  type VerificationState,
} from '../domain/verification';
import { Case } from './case';
import { commandUpdates, type CommandArgs, type CommandOf, type CommandOutcome } from './case-commands';
import { changeWorkflow } from './change';
import { incidentWorkflow } from './incident';
import { persistStep } from './persistence';
import { reads, tell } from './steps';
import { Tasks } from './task';

export type { VerificationRecord, VerificationEvent } from '../domain/verification';
const persistVerification = persistStep('persistVerification');
const { nextCaseNumber } = reads;
const { recordVerification, dueVerifications, auditNumber } = wf.proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export type VerificationCommandArgs = CommandArgs<VerificationCommandInput<VerificationCommand>>;
export type VerificationUpdate = UpdateDefinition<CommandOutcome, [VerificationCommandArgs]>;
export const verificationUpdates: Record<VerificationCommand, VerificationUpdate> = commandUpdates<Record<VerificationCommand, VerificationCommandInput<VerificationCommand>>>('verification.', VERIFICATION_COMMANDS);
export const verificationOpened = wf.defineUpdate<VerificationRecord & { tasks: TaskRecord[] }>('verification.opened');

const DAY = 86_400_000;

export interface VerificationWorkflowInput {
  number: string;
  actor: Actor;
  policy: { version: number; body: CiVerificationPolicyBody };
  items: VerificationItemInput[];
}

export async function verificationWorkflow({ number, actor, policy, items }: VerificationWorkflowInput): Promise<VerificationRecord> {
  let rec: VerificationRecord | undefined;
  const view = (): VerificationRecord & { tasks: TaskRecord[] } => JSON.parse(JSON.stringify({ ...rec!, tasks: tasks.all }));
  const kase = new Case<VerificationRecord, VerificationState>({ kind: 'verification', legacy: persistVerification, opened: verificationOpened, view });
  const { record, history } = kase;
  const tasks = new Tasks({ caseId: number, process: 'verification', history, updates: kase.updates });

  kase.commands({ updates: verificationUpdates, refuse: refuseVerificationCommand, apply });

  async function apply(cmd: CommandOf<VerificationCommand, { [K in VerificationCommand]: VerificationCommandInput<K> }>, by: Actor): Promise<unknown> {
    switch (cmd.command) {
      case 'cancel': {
        // the case's state first, so no task cancelled with it reads as the last one done
        const cancelled = kase.cancel(cmd.input, by, 'cancelled');
        await tasks.cancelOpen('the verification was cancelled');
        return cancelled;
      }
      case 'comment':
        return kase.comment(cmd.input, by);
    }
  }

  const openedAt = Date.now();
  rec = {
    number,
    state: 'verifying',
    policy: { version: policy.version, onDifference: policy.body.onDifference },
    openedBy: actor.name,
    openedAt,
    dueAt: openedAt + policy.body.dueDays * DAY,
    overdueAt: null,
    items: items.map((i) => ({ ...i, task: null, result: null, findings: null, by: null, at: null, opened: null })),
    closedAt: null,
    cancelReason: null,
    comments: [],
    seq: 0,
  };
  await kase.open(rec, 'open', actor.name, `${items.length} CI(s)`, { cis: items.length }, 'verifying');

  const work = rec.items.map((item) => {
    const { task, done } = tasks.open({ type: 'verify', title: `Verify ${item.ci} (${item.class}) against its CMDB record`, group: item.group, dueAt: rec!.dueAt });
    item.task = task.id;
    return done.then((t) => verified(item, t));
  });
  await record('tasks_opened', 'system', `a task for each CI's owner group, due ${new Date(rec.dueAt).toISOString()}`, { tasks: rec.items.map((i) => i.task) });
  let remaining = work.length;
  work.forEach((w) => void w.then(() => (remaining -= 1)));
  const finished = () => remaining === 0 || rec!.state !== 'verifying';

  // the owner groups still holding tasks are reminded once when they are overdue; the case waits on
  if (!(await wf.condition(finished, Math.max(1, rec.dueAt - Date.now())))) {
    rec.overdueAt = Date.now();
    const late = rec.items.filter((i) => i.result === null);
    const groups = [...new Set(late.map((i) => i.group))];
    await record('verification_overdue', 'system', `${late.length} CI(s) not verified by ${new Date(rec.dueAt).toISOString()}: ${groups.join(', ')}`, { cis: late.map((i) => i.ci), groups });
    tell({ key: `${number}:overdue`, type: 'ci_verification_overdue', number, groups, cis: late.map((i) => i.ci), dueAt: rec.dueAt, at: Date.now() });
  }
  await wf.condition(finished);
  await Promise.all(work); // a task completed as the case was cancelled is still followed up
  if (rec.state === 'verifying') {
    rec.closedAt = Date.now();
    const differences = rec.items.filter((i) => i.result === 'different').length;
    const asRecorded = rec.items.filter((i) => i.result === 'verified').length;
    await record('close', 'system', `${asRecorded} verified as recorded, ${differences} different`, { differences }, 'closed');
  }
  await wf.condition(wf.allHandlersFinished);
  return JSON.parse(JSON.stringify(rec)) as VerificationRecord;

  /** A CI's task done: the CI marked verified, and a difference followed up as the policy says. */
  async function verified(item: VerificationItem, t: TaskRecord): Promise<void> {
    if (t.state !== 'completed') return; // cancelled with the case
    item.result = t.outcome as 'verified' | 'different';
    item.findings = ((t.fields ?? {}) as { findings?: string }).findings ?? null;
    item.by = t.completedBy;
    item.at = t.completedAt;
    await recordVerification({ ci: item.ci, case: number, result: item.result, findings: item.findings, by: item.by!, at: item.at! });
    if (item.result === 'different' && policy.body.onDifference !== 'record') item.opened = await followUp(item);
    await record(item.result === 'verified' ? 'ci_verified' : 'ci_different', item.by!, item.findings ?? item.ci, { ci: item.ci, task: item.task, opened: item.opened });
  }

  /** An incident or a change for a difference: a case of its own, a child this one abandons when it ends. */
  async function followUp(item: VerificationItem): Promise<string> {
    const by = { name: item.by!, roles: ['agent'], groups: [item.group] } as Actor;
    for (let attempt = 0; ; attempt++) {
      try {
        if (policy.body.onDifference === 'incident') {
          const n = incidentNumber(await nextCaseNumber('INC'));
          const p = policy.body.incident;
          await wf.startChild(incidentWorkflow, {
            workflowId: n,
            parentClosePolicy: 'ABANDON',
            args: [{ number: n, actor: by, input: { title: `Configuration difference on ${item.ci}`.slice(0, 200), description: `Found in verification ${number}: ${item.findings}`, caller: item.by!, service: item.service, configurationItem: item.ci, category: p.category, impact: p.impact, urgency: p.urgency } }],
          });
          return n;
        }
        const n = changeNumber(await nextCaseNumber('CHG'));
        const start = Date.now() + policy.body.change.leadDays * DAY;
        await wf.startChild(changeWorkflow, {
          workflowId: n,
          parentClosePolicy: 'ABANDON',
          args: [{
            number: n,
            actor: by,
            conflicts: [],
            input: {
              title: `Bring ${item.ci} and its CMDB record into agreement`.slice(0, 200),
              description: `Found in verification ${number}: ${item.findings}`,
              justification: `The CMDB must describe ${item.ci} as it is [ISO/IEC 20000-1 8.2.6]`,
              type: 'normal',
              configurationItems: [item.ci],
              services: item.service === policy.body.incident.service ? [] : [item.service],
              risk: 'low',
              impact: 'low',
              plannedStart: new Date(start).toISOString(),
              plannedEnd: new Date(start + 3_600_000).toISOString(),
              implementationPlan: `Decide which is right, ${item.ci} or its record, and correct the other: ${item.findings}`,
              backoutPlan: `Leave ${item.ci} as it was found`,
              implementationGroup: item.group,
              incidents: [],
              problems: [],
            },
          }],
        });
        return n;
      } catch (err) {
        // a number Temporal already holds (a database restored behind its back) is skipped, as the API does
        if (!(err instanceof WorkflowExecutionAlreadyStartedError) || attempt >= 20) throw err;
      }
    }
  }
}

/**
 * The daily audit: the CIs the policy says are due, in one verification case for the day (its
 * number taken once, so a run repeated opens none twice), a child abandoned when the run ends.
 */
export async function ciVerificationAudit(args: { day?: string } = {}): Promise<{ day: string; verification: string | null; cis: number }> {
  const day = args.day ?? new Date(Date.now()).toISOString().slice(0, 10);
  const { policy, items } = await dueVerifications({});
  if (!policy.body.enabled || items.length === 0) return { day, verification: null, cis: 0 };
  const number = await auditNumber({ day });
  try {
    // REJECT_DUPLICATE: the day's case, even closed, is not run a second time
    await wf.startChild(verificationWorkflow, { workflowId: number, workflowIdReusePolicy: 'REJECT_DUPLICATE', parentClosePolicy: 'ABANDON', args: [{ number, actor: SYSTEM, policy, items }] });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return { day, verification: number, cis: 0 }; // opened by an earlier run of the day
  }
  return { day, verification: number, cis: items.length };
}
