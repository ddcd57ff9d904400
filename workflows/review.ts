/**
 * Service review [ISO/IEC 20000-1 8.3.3] as one workflow per review: the period's service report
 * attached → the review task for the service owner (claimed by them; the SLA's review group may
 * take it over) → closed when the task records the outcome. While it is open, the actions agreed
 * are added, each with an owner; one that needs an improvement opens it as a PDCA cycle of its own
 * (a child abandoned when the review ends, source `service_review`, naming the review). A task not
 * done by its due time reminds the owner once; the review stays open until it is done or cancelled.
 */
import type { UpdateDefinition } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import type { Actor } from '../domain/actor';
import { REVIEW_COMMANDS, refuseReviewCommand, type ReviewCommand, type ReviewCommandInput, type ReviewOpening, type ReviewRecord, type ReviewState } from '../domain/review';
import type { TaskRecord } from '../domain/task';
import { Case } from './case';
import { commandUpdates, type CommandArgs, type CommandOf, type CommandOutcome } from './case-commands';
import { startImprovement } from './improvement-child';
import { persistStep } from './persistence';
import { reads, tell } from './steps';
import { Tasks } from './task';

export type { ReviewRecord, ReviewEvent } from '../domain/review';
const persistReview = persistStep('persistReview');
const { reviewReport } = reads;

export type ReviewCommandArgs = CommandArgs<ReviewCommandInput<ReviewCommand>>;
export type ReviewUpdate = UpdateDefinition<CommandOutcome, [ReviewCommandArgs]>;
export const reviewUpdates: Record<ReviewCommand, ReviewUpdate> = commandUpdates<Record<ReviewCommand, ReviewCommandInput<ReviewCommand>>>('review.', REVIEW_COMMANDS);
export const reviewOpened = wf.defineUpdate<ReviewRecord & { tasks: TaskRecord[] }>('review.opened');

const DAY = 86_400_000;

export type ReviewWorkflowInput = ReviewOpening & { number: string; actor: Actor };

export async function reviewWorkflow(input: ReviewWorkflowInput): Promise<ReviewRecord> {
  const { number, actor } = input;
  let rec: ReviewRecord | undefined;
  const view = (): ReviewRecord & { tasks: TaskRecord[] } => JSON.parse(JSON.stringify({ ...rec!, tasks: tasks.all })) as ReviewRecord & { tasks: TaskRecord[] };
  const kase = new Case<ReviewRecord, ReviewState>({ kind: 'review', legacy: persistReview, opened: reviewOpened, view });
  const { record, history } = kase;
  const tasks = new Tasks({ caseId: number, process: 'review', history, updates: kase.updates });

  kase.commands({ updates: reviewUpdates, refuse: refuseReviewCommand, apply });

  async function apply(cmd: CommandOf<ReviewCommand, { [K in ReviewCommand]: ReviewCommandInput<K> }>, by: Actor): Promise<unknown> {
    const r = rec!;
    switch (cmd.command) {
      case 'add_action': {
        const i = cmd.input;
        const action = { n: r.actions.length + 1, title: i.title, owner: i.owner, due: i.due ?? null, improvement: null as string | null, by: by.name, at: Date.now() };
        r.actions.push(action);
        if (i.improvement) action.improvement = await openImprovement(action.title, action.owner, i.benefit);
        return record('add_action', by.name, i.title, { action: action.n, owner: action.owner, due: action.due, improvement: action.improvement });
      }
      case 'cancel': {
        // the case's state first, so no task cancelled with it reads as the last one done
        const cancelled = kase.cancel(cmd.input, by, 'cancelled');
        await tasks.cancelOpen('the review was cancelled');
        return cancelled;
      }
      case 'comment':
        return kase.comment(cmd.input, by);
    }
  }

  /** An improvement for an action: its own PDCA cycle, a child this review abandons when it ends, naming the review. */
  async function openImprovement(title: string, owner: string, benefit: string | undefined): Promise<string> {
    const r = rec!;
    const { number: improvement } = await startImprovement({
      title: `${r.service.name}: ${title}`.slice(0, 200),
      description: `Agreed in the service review ${number} of ${r.sla.name} (${r.period.months.join(', ')}).`,
      source: 'service_review',
      sourceRef: number,
      service: r.service.name,
      owner,
      benefit: benefit ?? `${r.sla.name} met`,
    });
    return improvement;
  }

  const openedAt = Date.now();
  rec = {
    number,
    state: 'reviewing',
    sla: input.sla,
    service: input.service,
    customer: input.customer,
    period: input.period,
    report: null,
    group: input.group,
    openedBy: actor.name,
    openedAt,
    dueAt: openedAt + input.dueDays * DAY,
    overdueAt: null,
    outcome: null,
    actions: [],
    closedAt: null,
    cancelReason: null,
    comments: [],
    seq: 0,
  };
  await kase.open(rec, 'open', actor.name, `${input.sla.name}: ${input.period.months.join(', ')}`, { sla: input.sla, customer: input.customer }, 'reviewing');

  // the task at once (the answer to the opening shows it), then the report
  const { task, done } = tasks.open({ type: 'review', title: `Review ${input.sla.name} for ${input.period.months[0]}${input.period.months.length > 1 ? ` to ${input.period.months[input.period.months.length - 1]}` : ''}`, group: input.group, assignee: input.service.owner, dueAt: rec.dueAt });
  tell({ key: `${number}:due`, type: 'service_review_due', number, title: task.title, owner: input.service.owner, group: input.group, dueAt: rec.dueAt, at: Date.now() });
  // the period's report, from the records as they are now (a review cancelled meanwhile gets none)
  const report = await reviewReport({ service: input.service.id, customer: input.customer, from: input.period.from, to: input.period.to });
  if (rec.state === 'reviewing') {
    rec.report = report;
    await record('report_attached', 'system', rec.report ? null : `the service ${input.service.id} is no longer in the portfolio: no report`, {});
  }
  let finished = false;
  void done.then(() => (finished = true));

  // the owner is reminded once when the task is overdue; the review waits on for it
  if (!(await wf.condition(() => finished || rec!.state !== 'reviewing', Math.max(1, rec.dueAt - Date.now())))) {
    rec.overdueAt = Date.now();
    await record('review_overdue', 'system', `the review task ${task.id} was due ${new Date(rec.dueAt).toISOString()}`, { task: task.id, owner: input.service.owner });
    tell({ key: `${number}:overdue`, type: 'service_review_overdue', number, title: task.title, owner: input.service.owner, group: input.group, dueAt: rec.dueAt, at: Date.now() });
  }
  await wf.condition(() => finished || rec!.state !== 'reviewing');
  if (rec.state === 'reviewing' && task.state === 'completed') {
    const fields = (task.fields ?? {}) as { minutes?: string; decisions?: string };
    rec.outcome = { result: task.outcome!, minutes: fields.minutes ?? '', decisions: fields.decisions ?? null, by: task.completedBy!, at: task.completedAt! };
    rec.closedAt = Date.now();
    await record('review_done', task.completedBy!, `${task.outcome}: ${rec.actions.length} action(s)`, { outcome: task.outcome, actions: rec.actions.length }, 'closed');
  }
  await wf.condition(wf.allHandlersFinished);
  return JSON.parse(JSON.stringify(rec)) as ReviewRecord;
}
