/**
 * Change management [ISO/IEC 20000-1 8.5.1] as one workflow per change; its id is the change
 * number. new → assessment → authorization (the matching approval policy: a CAB quorum, or the
 * emergency CAB) → scheduled → implementing → review (a post-implementation review task) →
 * closed; rejected, cancelled, and a failed implementation that opens a back-out task first.
 * A standard change follows a pre-approved template and skips authorization.
 */
import * as wf from '@temporalio/workflow';
import { persistStep } from './persistence';
import { Case, type CaseCarry } from './case';
import type { UpdateDefinition } from '@temporalio/common';
import type { Actor } from '../domain/actor';
import { matchPolicy, type ApprovalPolicy } from '../domain/approval';
import type { Calendar } from '../domain/calendar';
import { CHANGE_COMMANDS, refuseChangeCommand, type ChangeCommand, type ChangeCommandInput, type ChangeImpact, type ChangeState, type Conflict, type RaiseChangeInput } from '../domain/change';
import { Approvals } from './approval';
import type { ChangeCommandArgs, ChangeEvent, ChangeRecord, ChangeView } from '../domain/change';
import { commandUpdates, type CommandOf, type CommandOutcome } from './case-commands';
import { reads, tell } from './steps';
import { Tasks } from './task';
import type { ApprovalRecord } from '../domain/approval';
import type { TaskRecord } from '../domain/task';
import { changeBundled, changeClosed, linkedToProblem, releaseBundles, releaseDeployed, releaseDeploying, releaseLetsGo, releaseLost } from './signals';

const persistChange = persistStep('persistChange');
const { loadApprovalPolicies, loadChangePolicy } = reads;

export type ChangeUpdate = UpdateDefinition<CommandOutcome, [ChangeCommandArgs]>;
export const changeUpdates: Record<ChangeCommand, ChangeUpdate> = commandUpdates<Record<ChangeCommand, ChangeCommandInput<ChangeCommand>>>('change.', CHANGE_COMMANDS);
export const changeOpened = wf.defineUpdate<ChangeView>('change.opened');

export interface ChangeWorkflowInput {
  number: string;
  input: RaiseChangeInput;
  actor: Actor;
  conflicts: Conflict[];
  /** what depends on its CIs, as the CMDB said when it was raised */
  affects?: ChangeImpact | null;
  /** the case as its previous run left it (waiting for people, no approval or task in progress), when it continued as new */
  resume?: { carry: CaseCarry<ChangeRecord>; loaded: Loaded; approvals: ApprovalRecord[]; tasks: TaskRecord[] };
}

/** the policies a change reads when it is raised and keeps to its end */
type Loaded = { approval: Awaited<ReturnType<typeof loadApprovalPolicies>>; change: Awaited<ReturnType<typeof loadChangePolicy>> };

export async function changeWorkflow({ number, input, actor, conflicts, affects, resume }: ChangeWorkflowInput): Promise<ChangeView> {
  let rec: ChangeRecord | undefined;
  const kase = new Case<ChangeRecord, ChangeState>({ kind: 'change', legacy: persistChange, opened: changeOpened, view: () => view(), resumed: resume?.carry });
  const { record, history } = kase;
  const view = (): ChangeView => JSON.parse(JSON.stringify({ ...rec!, approvals: approvals.all, tasks: tasks.all }));

  // building blocks and handlers first, before any await
  const approvals = new Approvals({ caseId: number, process: 'change', title: () => rec?.title ?? input.title, requester: actor.name, history, updates: kase.updates });
  const tasks = new Tasks({ caseId: number, process: 'change', history, updates: kase.updates });
  wf.setHandler(linkedToProblem, async ({ problem }) => {
    await kase.ready();
    if (rec!.problems.includes(problem)) return;
    rec!.problems.push(problem);
    void record('problem_linked', 'system', `raised to resolve ${problem}`, { problem });
  });
  // a release deploys its changes: it bundles them while scheduled, implements them as it starts, and completes them as it ends
  wf.setHandler(releaseBundles, async ({ release }) => {
    await kase.ready();
    const r = rec!;
    // the release hears the answer: it goes on only with every change it bundles
    const answer = (bundled: boolean, reason: string | null) => wf.getExternalWorkflowHandle(release).signal(changeBundled, { change: number, bundled, reason }).catch(() => undefined);
    if (r.release === release) return void answer(true, null);
    if (r.state !== 'scheduled' || r.release) {
      const reason = `${release} cannot bundle a change ${r.release ? `that ${r.release} deploys` : `in ${r.state}`}`;
      void record('release_refused', 'system', reason, { release });
      return void answer(false, reason);
    }
    r.release = release;
    void record('release_bundled', 'system', `deployed by ${release}`, { release });
    void answer(true, null);
  });
  wf.setHandler(releaseLetsGo, async ({ release, reason }) => {
    await kase.ready();
    if (rec!.release !== release || rec!.state !== 'scheduled') return;
    rec!.release = null;
    void record('release_let_go', 'system', reason, { release });
  });
  wf.setHandler(releaseLost, async ({ release, reason }) => {
    await kase.ready();
    if (rec!.release !== release) return false;
    rec!.release = null;
    await record('release_lost', 'system', reason, { release });
    return true;
  });
  wf.setHandler(releaseDeploying, async ({ release }) => {
    await kase.ready();
    const r = rec!;
    if (r.release !== release || r.state !== 'scheduled') return;
    r.implementation = { startedAt: Date.now(), endedAt: null, result: null, notes: null };
    void record('implement', 'system', `${release} is deploying`, { release }, 'implementing');
  });
  wf.setHandler(releaseDeployed, async ({ release, result, notes, ciUpdates }) => {
    await kase.ready();
    const r = rec!;
    if (r.release !== release || r.state !== 'implementing' || r.implementation.result) return;
    r.implementation = { ...r.implementation, endedAt: Date.now(), result, notes };
    if (result === 'failed') {
      r.backingOut = true;
      void record('complete', 'system', notes, { result, release });
      return;
    }
    // the versions the release delivered join the change's own CI updates, applied as it goes to review
    const updates = [...(r.ciUpdates ?? [])];
    for (const u of ciUpdates) {
      const i = updates.findIndex((x) => x.ci === u.ci);
      if (i >= 0) updates[i] = { ...updates[i], attributes: { ...updates[i].attributes, ...u.attributes } };
      else updates.push({ ci: u.ci, attributes: u.attributes, addRelationships: [], removeRelationships: [] });
    }
    r.ciUpdates = updates;
    void record('complete', 'system', notes, { result, release }, 'review');
  });
  kase.commands({
    updates: changeUpdates,
    refuse: refuseChangeCommand,
    apply,
  });

  function apply(cmd: CommandOf<ChangeCommand, { [K in ChangeCommand]: ChangeCommandInput<K> }>, by: Actor): Promise<unknown> {
    const r = rec!;
    switch (cmd.command) {
      case 'submit': {
        const i = cmd.input;
        // a standard change is pre-approved: only a schedule conflict needs an approval
        const to: ChangeState = r.type === 'standard' ? (r.conflicts.length ? 'authorization' : 'scheduled') : 'assessment';
        // the owners of the services that depend on its CIs hear of it as it goes to assessment (or is scheduled, a standard change)
        for (const s of r.affects?.services ?? []) {
          tell({ key: `${number}:affects:${s.id}`, type: 'change_impact', number, at: Date.now(), title: r.title, service: s.name, owner: s.owner, customers: s.customers, plannedStart: r.plannedStart, plannedEnd: r.plannedEnd });
        }
        return record('submit', by.name, i.note ?? null, { template: r.template ?? null }, to);
      }
      case 'assess': {
        const i = cmd.input;
        r.risk = i.risk;
        r.impact = i.impact;
        r.assessment = { ...i, by: by.name, at: Date.now() };
        return record('assess', by.name, i.assessment, { risk: i.risk, impact: i.impact }, 'authorization');
      }
      case 'implement': {
        const i = cmd.input;
        r.implementation.startedAt = Date.now();
        return record('implement', by.name, i.note ?? null, {}, 'implementing');
      }
      case 'complete': {
        const i = cmd.input;
        r.implementation = { ...r.implementation, endedAt: Date.now(), result: i.result, notes: i.notes };
        if (i.result === 'failed') {
          r.backingOut = true;
          return record('complete', by.name, i.notes, { result: 'failed' });
        }
        return record('complete', by.name, i.notes, { result: 'successful' }, 'review');
      }
      case 'cancel':
        return kase.cancel(cmd.input, by, 'cancelled');
      case 'comment':
        return kase.comment(cmd.input, by);
    }
  }

  let loaded: Loaded;
  if (resume) {
    // ---- continued from an earlier run ----
    rec = resume.carry.record;
    loaded = resume.loaded;
    approvals.restore(resume.approvals);
    tasks.restore(resume.tasks);
  } else {
    // ---- raise ----
    const [approvalPolicies, changePolicy] = await Promise.all([loadApprovalPolicies(), loadChangePolicy()]);
    loaded = { approval: approvalPolicies, change: changePolicy };
    rec = {
      ...input,
      number,
      state: 'new',
      requestedBy: actor.name,
      openedAt: Date.now(),
      assessment: null,
      conflicts,
      affects: affects ?? null,
      ciUpdateResults: null,
      authorization: null,
      implementation: { startedAt: null, endedAt: null, result: null, notes: null },
      backingOut: false,
      release: null,
      outcome: null,
      closedAt: null,
      cancelReason: null,
      comments: [],
      policy: { change: changePolicy.version },
      seq: 0,
    };
    await kase.open(rec, 'raise', actor.name, null, { type: input.type, conflicts }, 'new');
  }
  const ended = () => rec!.state === 'cancelled' || rec!.state === 'rejected' || rec!.state === 'closed';
  // waiting for people with no approval or task in progress (new, assessment, scheduled, implementing), a long wait continues as new
  const next = (carry: CaseCarry<ChangeRecord>): Parameters<typeof changeWorkflow> => [
    { number, input, actor, conflicts, affects, resume: { carry, loaded, approvals: approvals.all, tasks: tasks.all } },
  ];

  await kase.waitFor(() => rec!.state !== 'new' && rec!.state !== 'assessment', next);
  if (rec.state === 'authorization') await authorize(loaded.approval.policies, loaded.approval.calendars, loaded.change.body.onConflict);
  // a change its release backed out waits, approved, for the next release: round again
  for (let attempt = 1; ; attempt++) {
    if (!ended()) await kase.waitFor(() => rec!.state !== 'scheduled', next);
    if (!ended()) {
      await kase.waitFor(() => rec!.state === 'review' || rec!.backingOut, next);
      if (rec.state === 'review' && rec.implementation.result === 'successful' && rec.ciUpdates?.length) {
        // implemented: the CMDB now says what the change did (the way a CI under change control changes)
        const results = await reads.applyCiUpdates({ change: number, title: rec.title, by: rec.implementationGroup, updates: rec.ciUpdates });
        rec.ciUpdateResults = results;
        const refused = results.filter((x) => x.outcome === 'refused');
        const note = `${results.length - refused.length} of ${results.length} CI updates applied${refused.length ? `; refused: ${refused.map((x) => `${x.ci} (${x.reason})`).join('; ')}` : ''}`;
        await record('cis_updated', 'system', note, { results });
      }
      if (rec.backingOut) {
        // a failed implementation: the implementers back it out before it is reviewed
        const backout = await tasks.run({ type: 'backout', title: `Back out ${number}: follow the back-out plan`, group: rec.implementationGroup });
        rec.backingOut = false;
        if (rec.release && backout.outcome === 'backed_out') {
          const release = rec.release;
          rec.release = null;
          rec.implementation = { startedAt: null, endedAt: null, result: null, notes: null };
          await record('backout_done', backout.completedBy ?? 'system', `back-out ${backout.outcome}: scheduled again, for the next release`, { task: backout.id, outcome: backout.outcome, release, attempt }, 'scheduled');
          continue;
        }
        await record('backout_done', backout.completedBy ?? 'system', `back-out ${backout.outcome}`, { task: backout.id, outcome: backout.outcome }, 'review');
      }
      const pir = await tasks.run({ type: 'pir', title: `Post-implementation review of ${number}`, group: rec.implementationGroup });
      rec.outcome = pir.outcome;
      rec.closedAt = Date.now();
      await record('close', pir.completedBy ?? 'system', (pir.fields?.findings as string) ?? null, { outcome: pir.outcome, task: pir.id }, 'closed');
      await tellProblems(pir.outcome ?? 'failed');
    } else if ((rec.state === 'rejected' || rec.state === 'cancelled') && rec.problems.length && wf.patched('tell-problems-not-implemented')) {
      // a change that will never be implemented sends its problems back for another
      await tellProblems(rec.state);
    }
    break;
  }
  await tasks.cancelOpen(`the change is ${rec.state}`);
  await wf.condition(wf.allHandlersFinished);
  return view();

  /** The problems it was raised for hear how it ended. */
  async function tellProblems(outcome: string) {
    for (const p of rec!.problems) {
      try {
        await wf.getExternalWorkflowHandle(p).signal(changeClosed, { change: number, outcome });
      } catch {
        await record('problem_not_told', 'system', `${p} has no running process to tell`, { problem: p });
      }
    }
  }

  async function authorize(all: ApprovalPolicy[], cals: Record<string, Calendar>, onConflict: { action: 'refuse' } | { action: 'approve'; approvalPolicy: string }) {
    const r = rec!;
    const stages: Array<{ policy: ApprovalPolicy; label?: string }> = [];
    if (r.conflicts.length && onConflict.action === 'approve') {
      const extra = all.find((p) => p.id === onConflict.approvalPolicy);
      if (extra) stages.push({ policy: extra, label: 'Schedule conflict' });
    }
    if (r.type !== 'standard') {
      const fields = { type: r.type, risk: r.risk, impact: r.impact, services: r.services, configurationItems: r.configurationItems, cost: r.cost };
      const policy = matchPolicy(all, 'change', fields);
      if (!policy) {
        r.authorization = { policy: null, outcome: 'rejected', reason: `no approval policy matches this ${r.type} change`, at: Date.now() };
        await record('reject', 'system', r.authorization.reason, {}, 'rejected');
        return;
      }
      stages.push({ policy });
    }
    for (const { policy, label } of stages) {
      const result = await Promise.race([approvals.run(policy, cals, label), wf.condition(() => r.state === 'cancelled').then(() => null)]);
      if (result === null) {
        await approvals.withdraw('the change was cancelled');
        return;
      }
      r.authorization = { policy: { id: policy.id, version: policy.version }, outcome: result.outcome, reason: result.reason, at: Date.now() };
      if (result.outcome === 'rejected') {
        await record('reject', 'system', result.reason, { policy: r.authorization.policy }, 'rejected');
        return;
      }
    }
    await record('schedule', 'system', r.authorization?.reason ?? 'pre-approved standard change', { window: [r.plannedStart, r.plannedEnd] }, 'scheduled');
  }
}
