/**
 * The approval building block, reused by every process that needs approval. It runs a policy's
 * stages in order: resolves each stage's approvers (less the requester), waits for decisions
 * until the stage's deadline on its business calendar, then does what the policy says (escalate
 * to a group, reject, approve). Every request, decision, escalation and timeout goes into the
 * case's history through the case's own recorder.
 */
import * as wf from '@temporalio/workflow';
import { persistStep } from './persistence';
import type { Actor } from '../domain/actor';
import { decidedAlready, refuseDecision, stageOutcome, type ApprovalPolicy, type ApprovalProcess, type ApprovalRecord, type Delegation } from '../domain/approval';
import { deadlineAfter, type Calendar } from '../domain/calendar';
import { refusal } from './refusal';
import { reads } from './steps';
import { inOrder } from './serial';
import type { AppliedUpdates } from './case';

const persistApproval = persistStep('persistApproval');
const { resolveApprovers } = reads;

export interface DecideArgs {
  approvalId: string;
  actor: Actor;
  /** the approver whose decision this is: the actor, or the absent approver they stand in for */
  onBehalfOf: string;
  delegation: Delegation | null;
  decision: 'approve' | 'reject';
  comment: string;
}
export const decideApproval = wf.defineUpdate<ApprovalRecord, [DecideArgs]>('decideApproval');

export interface ApprovalContext {
  caseId: string;
  process: ApprovalProcess;
  title: () => string;
  requester: string;
  /** writes an entry in the case's history */
  history: (action: string, by: string, note: string | null, details: Record<string, unknown>) => Promise<unknown>;
  /** the case's memory of applied updates: a repeated decision is answered with the approval as it is now */
  updates?: AppliedUpdates;
}

export class Approvals {
  private readonly open = new Map<string, ApprovalRecord>();
  private count = 0;
  private readonly write = inOrder();
  private persist(rec: ApprovalRecord) {
    const snapshot = structured(rec);
    return this.write(() => persistApproval(snapshot));
  }
  /** every approval of the case, decided or not, for the case's answers */
  readonly all: ApprovalRecord[] = [];

  /** Takes over the approvals of the case's previous run (it continued as new with none pending). */
  restore(approvals: ApprovalRecord[]): void {
    this.all.push(...approvals);
    this.count = approvals.length;
  }

  /** Call before the workflow's first await: decisions may arrive at any time. */
  constructor(private readonly ctx: ApprovalContext) {
    wf.setHandler(
      decideApproval,
      async (args) => {
        const updateId = wf.currentUpdateInfo()?.id;
        if (this.repeated(updateId)) return structured(this.all.find((a) => a.id === args.approvalId)!);
        const rec = this.open.get(args.approvalId)!;
        const refused = this.refuse(args, true);
        if (refused) throw refused;
        if (updateId !== undefined) ctx.updates?.note(updateId);
        rec.decisions.push({ approver: args.onBehalfOf, decidedBy: args.actor.name, decision: args.decision, comment: args.comment, at: Date.now() });
        // the decision that settles the stage answers with the settled stage
        rec.state = stageOutcome(rec);
        if (rec.state !== 'pending') {
          rec.decidedAt = Date.now();
          this.open.delete(rec.id);
        }
        rec.rev += 1;
        const answer = structured(rec);
        const note = args.actor.name === args.onBehalfOf ? args.comment : `for ${args.onBehalfOf}: ${args.comment}`;
        await Promise.all([
          this.persist(rec),
          ctx.history(`approval_${args.decision}`, args.actor.name, note, { approval: rec.id, stage: rec.stageName, onBehalfOf: args.onBehalfOf }),
        ]);
        return answer;
      },
      {
        validator: (args) => {
          if (this.repeated(wf.currentUpdateInfo()?.id)) return;
          const r = this.refuse(args);
          if (r) throw r;
        },
      },
    );
  }

  /** A decision the case applied before (in an earlier run): answered, not applied again. */
  private repeated(updateId: string | undefined): boolean {
    return updateId !== undefined && !!this.ctx.updates?.applied(updateId);
  }

  /** `replayable`: in the handler, where stages decided before the once-per-person rule replay as they ran ('one-person-per-stage'). */
  private refuse(args: DecideArgs, replayable = false) {
    const rec = this.open.get(args.approvalId);
    if (!rec) {
      const done = this.all.find((a) => a.id === args.approvalId);
      return refusal({ kind: done ? 'conflict' : 'invalid', message: done ? `approval ${args.approvalId} is ${done.state}` : `there is no approval ${args.approvalId} in this case` }, done?.state);
    }
    const r = refuseDecision(rec, this.ctx.requester, args.actor.name, args.onBehalfOf, args.delegation, Date.now());
    if (r) return refusal(r, rec.state);
    const twice = decidedAlready(rec, args.actor.name);
    return twice && (!replayable || wf.patched('one-person-per-stage')) ? refusal(twice, rec.state) : null;
  }

  /** Runs every stage of the policy; the case is approved only when each stage is. */
  async run(policy: ApprovalPolicy, calendars: Record<string, Calendar>, extraStageName?: string): Promise<{ outcome: 'approved' | 'rejected'; reason: string }> {
    for (const [i, stage] of policy.stages.entries()) {
      const named = await resolveApprovers({ users: stage.approvers.users, groups: stage.approvers.groups });
      const approvers = named.filter((a) => a !== this.ctx.requester);
      const now = Date.now();
      const cal = calendars[stage.deadline.calendarId];
      const rec: ApprovalRecord = {
        id: `${this.ctx.caseId}-A${++this.count}`,
        caseId: this.ctx.caseId,
        process: this.ctx.process,
        title: this.ctx.title(),
        requester: this.ctx.requester,
        policy: { id: policy.id, version: policy.version },
        stage: i,
        stageName: extraStageName ? `${extraStageName}: ${stage.name}` : stage.name,
        mode: stage.mode,
        quorum: stage.quorum,
        approvers,
        decisions: [],
        state: 'pending',
        escalatedTo: null,
        openedAt: now,
        dueAt: deadlineAfter(cal, now, stage.deadline.businessMinutes * 60_000),
        decidedAt: null,
        reason: null,
        rev: 1,
      };
      this.all.push(rec);
      this.open.set(rec.id, rec);
      await Promise.all([
        this.persist(rec),
        this.ctx.history('approval_requested', 'system', `${rec.stageName}: ${stage.mode}${stage.quorum ? ' ' + stage.quorum : ''} of ${approvers.join(', ') || 'nobody'}`, { approval: rec.id, policy: rec.policy, approvers, dueAt: new Date(rec.dueAt).toISOString() }),
      ]);

      if (approvers.length === 0) {
        await this.finish(rec, 'rejected', 'no one may approve this stage (the requester cannot approve their own case)');
      } else if (!(await this.decidedBy(rec))) {
        const action = stage.onDeadline;
        if (action.action === 'escalate') {
          const group = (await resolveApprovers({ users: [], groups: [action.group] })).filter((a) => a !== this.ctx.requester);
          rec.approvers = [...new Set([...rec.approvers, ...group])];
          rec.mode = 'any';
          rec.quorum = undefined;
          rec.escalatedTo = action.group;
          rec.dueAt = deadlineAfter(cal, Date.now(), stage.deadline.businessMinutes * 60_000);
          rec.rev += 1;
          await Promise.all([
            this.persist(rec),
            this.ctx.history('approval_escalated', 'system', `no decision by the deadline: escalated to ${action.group}`, { approval: rec.id, group: action.group, dueAt: new Date(rec.dueAt).toISOString() }),
          ]);
          if (!(await this.decidedBy(rec))) await this.finish(rec, 'rejected', `no decision after escalation to ${action.group}`);
        } else {
          await this.finish(rec, action.action === 'approve' ? 'approved' : 'rejected', `no decision by the deadline: ${action.action === 'approve' ? 'approved' : 'rejected'} as the policy says`);
        }
      }
      if (rec.reason === null) await this.finish(rec, rec.state as 'approved' | 'rejected', null); // settled by decisions
      if (rec.state === 'rejected') return { outcome: 'rejected', reason: rec.reason ?? `${rec.stageName} rejected` };
    }
    return { outcome: 'approved', reason: `${policy.name} approved` };
  }

  /** Waits for the stage to be decided or its deadline; true when decided. */
  private async decidedBy(rec: ApprovalRecord): Promise<boolean> {
    return wf.condition(() => rec.state !== 'pending', Math.max(1, rec.dueAt - Date.now()));
  }

  private async finish(rec: ApprovalRecord, state: 'approved' | 'rejected', reason: string | null) {
    this.open.delete(rec.id);
    rec.state = state;
    rec.reason = reason;
    rec.decidedAt ??= Date.now();
    rec.rev += 1;
    await Promise.all([
      this.persist(rec),
      reason ? this.ctx.history(state === 'approved' ? 'approval_timeout_approved' : 'approval_timeout_rejected', 'system', reason, { approval: rec.id }) : Promise.resolve(),
      this.ctx.history(`stage_${state}`, 'system', `${rec.stageName} ${state}`, { approval: rec.id }),
    ]);
  }

  /** Closes what is still open (the case was cancelled). */
  async withdraw(reason: string) {
    for (const rec of [...this.open.values()]) {
      this.open.delete(rec.id);
      rec.state = 'rejected';
      rec.reason = reason;
      rec.decidedAt = Date.now();
      rec.rev += 1;
      await this.persist(rec);
    }
  }
}

function structured<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
