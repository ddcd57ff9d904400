/**
 * Service design and transition [ISO/IEC 20000-1 8.5.2] as one workflow per transition: design (a
 * checklist of requirements, acceptance criteria and the considerations 8.5.2.2 asks for, each with
 * its evidence) → design approval by the matching policy (rejected, or no policy: back to design)
 * → transition (the service built and deployed through releases) → acceptance against its criteria
 * (refused: back to transition) → the portfolio updated (the service live with its SLAs in force,
 * or retired with its catalogue items and SLAs withdrawn) → post-transition: after the policy's
 * period, a review task for the group; its lessons close the case. While it waits, improvements
 * found open as PDCA cycles of their own. A review not done by its due time reminds once; the
 * transition waits on for it.
 */
import type { UpdateDefinition } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import type { Actor } from '../domain/actor';
import { matchPolicy, type ApprovalRecord } from '../domain/approval';
import type { TaskRecord } from '../domain/task';
import {
  TRANSITION_COMMANDS,
  refuseTransitionCommand,
  type CreateTransitionInput,
  type PortfolioChange,
  type TransitionCommand,
  type TransitionCommandInput,
  type TransitionCommandInputs,
  type TransitionItem,
  type TransitionRecord,
  type TransitionState,
} from '../domain/transition';
import { Approvals } from './approval';
import { Case } from './case';
import { commandUpdates, type CommandArgs, type CommandOf, type CommandOutcome } from './case-commands';
import { startImprovement } from './improvement-child';
import { persistStep } from './persistence';
import { reads, tell } from './steps';
import { Tasks } from './task';

export type { TransitionRecord, TransitionEvent } from '../domain/transition';
const persistServiceTransition = persistStep('persistServiceTransition');
const { loadApprovalPolicies, loadTransitionPolicy, transitionPortfolio } = reads;

export type TransitionView = TransitionRecord & { approvals: ApprovalRecord[]; tasks: TaskRecord[] };
export type TransitionCommandArgs = CommandArgs<TransitionCommandInput<TransitionCommand>>;
export type TransitionUpdate = UpdateDefinition<CommandOutcome, [TransitionCommandArgs]>;
export const transitionUpdates: Record<TransitionCommand, TransitionUpdate> = commandUpdates<TransitionCommandInputs>('transition.', TRANSITION_COMMANDS);
export const transitionOpened = wf.defineUpdate<TransitionView>('transition.opened');

const DAY = 86_400_000;

export interface TransitionWorkflowInput {
  number: string;
  actor: Actor;
  input: CreateTransitionInput;
  /** the service as the portfolio had it when the API opened the transition */
  service: TransitionRecord['service'];
}

export async function transitionWorkflow({ number, actor, input, service }: TransitionWorkflowInput): Promise<TransitionView> {
  let rec: TransitionRecord | undefined;
  const view = (): TransitionView => JSON.parse(JSON.stringify({ ...rec!, approvals: approvals.all, tasks: tasks.all }));
  const kase = new Case<TransitionRecord, TransitionState>({ kind: 'transition', legacy: persistServiceTransition, opened: transitionOpened, view: () => view() });
  const { record, history } = kase;
  // the transition's owner asks for the design's approval: they never approve it themselves
  const approvals = new Approvals({ caseId: number, process: 'transition', title: () => rec?.title ?? input.title, requester: input.owner, history, updates: kase.updates });
  const tasks = new Tasks({ caseId: number, process: 'transition', history, updates: kase.updates });
  kase.commands({ updates: transitionUpdates, refuse: refuseTransitionCommand, apply });

  async function apply(cmd: CommandOf<TransitionCommand, TransitionCommandInputs>, by: Actor): Promise<unknown> {
    const r = rec!;
    switch (cmd.command) {
      case 'add_item': {
        const item = newItem(r.items.length + 1, cmd.input, by.name, r.owner);
        r.items.push(item);
        return record('add_item', by.name, `${item.id} ${item.kind}: ${item.title}`, { item: item.id, kind: item.kind, owner: item.owner });
      }
      case 'record_evidence':
      case 'meet_criterion': {
        const item = r.items.find((i) => i.id === cmd.input.item)!;
        item.evidence = cmd.input.evidence;
        item.evidenceBy = by.name;
        item.evidenceAt = Date.now();
        return record(cmd.command, by.name, `${item.id}: ${cmd.input.evidence}`, { item: item.id });
      }
      case 'submit_design':
        return record('submit_design', by.name, cmd.input.note ?? null, { items: r.items.length }, 'design_approval');
      case 'submit_for_acceptance':
        r.releases = cmd.input.releases ?? [];
        return record('submit_for_acceptance', by.name, cmd.input.note ?? null, { releases: r.releases.map((x) => x.number) }, 'acceptance');
      case 'accept': {
        const at = Date.now();
        r.accepted = { by: by.name, at };
        r.review.dueAt = at + r.policy.reviewAfterDays * DAY;
        return record('accept', by.name, cmd.input.note ?? null, { criteria: r.items.filter((i) => i.kind === 'acceptance_criterion').map((i) => i.id), reviewDueAt: new Date(r.review.dueAt).toISOString() }, 'post_transition');
      }
      case 'refuse':
        return record('refuse', by.name, cmd.input.reason, {}, 'transition');
      case 'add_improvement': {
        const improvement = await openImprovement(cmd.input.title, cmd.input.benefit);
        r.improvements.push({ number: improvement, title: cmd.input.title, by: by.name, at: Date.now() });
        return record('add_improvement', by.name, cmd.input.title, { improvement });
      }
      case 'cancel':
        // nothing of the case's own is open before post-transition: an approval in progress is withdrawn by the main flow
        return kase.cancel(cmd.input, by, 'cancelled');
      case 'comment':
        return kase.comment(cmd.input, by);
    }
  }

  /** An improvement found after the transition: its own PDCA cycle, a child this case abandons when it ends, naming it. */
  async function openImprovement(title: string, benefit: string | undefined): Promise<string> {
    const r = rec!;
    const { number: improvement } = await startImprovement({
      title: `${r.service.name}: ${title}`.slice(0, 200),
      description: `Found after the transition ${number} (${r.kind} of ${r.service.name}: ${r.title}).`.slice(0, 10_000),
      source: 'service_transition',
      sourceRef: number,
      service: r.service.name,
      owner: r.owner,
      benefit: benefit ?? `the next transition of ${r.service.name} goes better`,
    });
    return improvement;
  }

  // ---- open: the policy it keeps to its end ----
  const policy = await loadTransitionPolicy();
  const openedAt = Date.now();
  rec = {
    number,
    state: 'design',
    kind: input.kind,
    service,
    title: input.title,
    description: input.description,
    owner: input.owner,
    group: input.group,
    openedBy: actor.name,
    openedAt,
    items: input.items.map((i, n) => newItem(n + 1, i, actor.name, input.owner, openedAt)),
    approval: null,
    releases: [],
    accepted: null,
    portfolio: null,
    review: { dueAt: 0, taskDueAt: null, overdueAt: null, outcome: null, lessons: null, notes: null, by: null, at: null },
    improvements: [],
    policy: { version: policy.version, ...policy.body },
    closedAt: null,
    cancelReason: null,
    comments: [],
    seq: 0,
  };
  await kase.open(rec, 'open', actor.name, `${input.kind} ${service.id} (${service.name}): ${input.title}`, { kind: input.kind, service: service.id, items: rec.items.length }, 'design');

  // ---- design ⇄ design approval, until approved (or cancelled) ----
  const state = () => rec!.state;
  for (;;) {
    await wf.condition(() => state() !== 'design');
    if (state() !== 'design_approval') break;
    await approveDesign();
    if (state() !== 'design') break;
  }

  // ---- transition ⇄ acceptance, by commands, until accepted (or cancelled) ----
  await wf.condition(() => rec!.state === 'post_transition' || rec!.state === 'cancelled');
  if (rec.state === 'post_transition') await postTransition();
  await wf.condition(wf.allHandlersFinished);
  return view();

  /** The design decided by the approval policy that matches it, as the policies stand when it is submitted. */
  async function approveDesign() {
    const r = rec!;
    const { policies, calendars } = await loadApprovalPolicies();
    if (r.state !== 'design_approval') return; // cancelled meanwhile
    const fields = { kind: r.kind, service: r.service.id, serviceName: r.service.name, group: r.group, owner: r.owner };
    const policy = matchPolicy(policies, 'transition', fields);
    if (!policy) {
      // not rejected: a process owner adds a policy (process `transition`) and the design is submitted again
      r.approval = { policy: null, outcome: 'rejected', reason: 'no approval policy matches this transition: the design goes back until one does', at: Date.now() };
      await record('design_not_approved', 'system', r.approval.reason, {}, 'design');
      return;
    }
    const result = await Promise.race([approvals.run(policy, calendars, 'Design'), wf.condition(() => r.state === 'cancelled').then(() => null)]);
    if (result === null) {
      await approvals.withdraw('the transition was cancelled');
      return;
    }
    if (r.state !== 'design_approval') return; // cancelled as the last decision came in
    r.approval = { policy: { id: policy.id, version: policy.version }, outcome: result.outcome, reason: result.reason, at: Date.now() };
    if (result.outcome === 'rejected') await record('design_rejected', 'system', result.reason, { policy: r.approval.policy }, 'design');
    else await record('design_approved', 'system', result.reason, { policy: r.approval.policy }, 'transition');
  }

  /** The portfolio updated, then after the policy's period the review; its lessons close the case. */
  async function postTransition() {
    const r = rec!;
    const portfolio = await transitionPortfolio({ number, kind: r.kind, service: r.service.id });
    r.portfolio = portfolio;
    await record('portfolio_updated', 'system', portfolioNote(portfolio), { portfolio });

    await wf.sleep(Math.max(1, r.review.dueAt - Date.now()));
    const group = r.policy.reviewGroup ?? r.group;
    r.review.taskDueAt = Date.now() + r.policy.reviewDueDays * DAY;
    const { task, done } = tasks.open({ type: 'post_transition_review', title: `Post-transition review of ${r.service.name}: ${r.title}`.slice(0, 200), group, dueAt: r.review.taskDueAt });
    let finished = false;
    void done.then(() => (finished = true));
    // the owner and the group are reminded once when the review is overdue; the case waits on for it
    if (!(await wf.condition(() => finished, Math.max(1, r.review.taskDueAt - Date.now())))) {
      r.review.overdueAt = Date.now();
      await record('review_overdue', 'system', `the post-transition review ${task.id} was due ${new Date(r.review.taskDueAt).toISOString()}`, { task: task.id, group });
      tell({ key: `${number}:review-overdue`, type: 'transition_review_overdue', number, title: task.title, owner: r.owner, group, dueAt: r.review.taskDueAt, at: Date.now() });
    }
    await wf.condition(() => finished);
    const fields = (task.fields ?? {}) as { lessons?: string; notes?: string };
    r.review = { ...r.review, outcome: task.outcome, lessons: fields.lessons ?? null, notes: fields.notes ?? null, by: task.completedBy, at: task.completedAt };
    r.closedAt = Date.now();
    await record('review_done', task.completedBy ?? 'system', fields.lessons ?? null, { outcome: task.outcome, task: task.id, improvements: r.improvements.map((i) => i.number) }, 'closed');
  }
}

/** An item of the design; the transition's owner answers for it unless it names another. */
function newItem(n: number, i: { kind: TransitionItem['kind']; title: string; owner?: string; evidence?: string }, by: string, owner: string, at = Date.now()): TransitionItem {
  const evidence = i.evidence ?? null;
  return { id: `I${n}`, kind: i.kind, title: i.title, owner: i.owner ?? owner, evidence, evidenceBy: evidence === null ? null : by, evidenceAt: evidence === null ? null : at, by, at };
}

/** What acceptance did to the portfolio, in a line for the history. */
function portfolioNote(p: PortfolioChange): string {
  const written = (v: number | null) => (v === null ? ' (already so)' : ` (v${v})`);
  const parts = [`${p.service.id} ${p.service.from} → ${p.service.to}${written(p.service.version)}`];
  for (const s of p.slas) parts.push(s.note ? `${s.id} left inactive: ${s.note}` : `${s.id} ${s.active ? 'in force' : 'no longer in force'}${written(s.version)}`);
  for (const c of p.catalogItems) parts.push(`${c.id} withdrawn from the catalogue${written(c.version)}`);
  return parts.join('; ');
}
