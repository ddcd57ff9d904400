/**
 * Approval policies: which cases need whose approval, in which mode, by when. A process owner's
 * data; one building block in workflow code runs them for every process that needs approval.
 */
import type { ApprovalPolicyBody, Condition, Stage } from './schemas/approval';

export type { ApprovalPolicyBody, Condition, OnDeadline, Stage } from './schemas/approval';

export const APPROVAL_PROCESSES = ['change', 'request', 'release', 'budget', 'improvement', 'transition'] as const;
export type ApprovalProcess = (typeof APPROVAL_PROCESSES)[number];

export type ApprovalPolicy = ApprovalPolicyBody & { id: string; version: number };

function fieldOf(c: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), c);
}

export function conditionHolds(cond: Condition, fields: Record<string, unknown>): boolean {
  const v = fieldOf(fields, cond.field);
  const list = Array.isArray(cond.value) ? cond.value : [cond.value];
  const cmp = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
  switch (cond.op) {
    case 'eq': return v === cond.value;
    case 'ne': return v !== cond.value;
    case 'in': return Array.isArray(v) ? v.some((x) => list.includes(x as never)) : list.includes(v as never);
    case 'nin': return Array.isArray(v) ? !v.some((x) => list.includes(x as never)) : !list.includes(v as never);
    case 'gt': return cmp(v, cond.value) && (v as number) > (cond.value as number);
    case 'gte': return cmp(v, cond.value) && (v as number) >= (cond.value as number);
    case 'lt': return cmp(v, cond.value) && (v as number) < (cond.value as number);
    case 'lte': return cmp(v, cond.value) && (v as number) <= (cond.value as number);
  }
}

/** The policy that applies to a case: enabled, of its process, every condition holding, lowest rank (then id). */
export function matchPolicy(policies: ApprovalPolicy[], process: ApprovalProcess, fields: Record<string, unknown>): ApprovalPolicy | null {
  const matching = policies
    .filter((p) => p.enabled && p.process === process && p.match.every((c) => conditionHolds(c, fields)))
    .sort((a, b) => a.rank - b.rank || a.id.localeCompare(b.id));
  return matching[0] ?? null;
}

// ---- a stage being decided ----

export interface Decision {
  /** the approver whose decision this is */
  approver: string;
  /** who gave it: the approver, or their delegate */
  decidedBy: string;
  decision: 'approve' | 'reject';
  comment: string;
  at: number;
}

export type StageOutcome = 'pending' | 'approved' | 'rejected';

export interface StageTally {
  mode: Stage['mode'];
  quorum?: number;
  /** who may decide: named users and the members of the named groups, less the requester */
  approvers: string[];
  decisions: Decision[];
}

/**
 * any: the first decision decides. all: every approver must approve; one rejection rejects.
 * quorum N: N approvals carry it; it is rejected once N can no longer be reached.
 */
export function stageOutcome(t: StageTally): StageOutcome {
  const approvals = t.decisions.filter((d) => d.decision === 'approve').length;
  const rejections = t.decisions.length - approvals;
  switch (t.mode) {
    case 'any':
      return t.decisions.length === 0 ? 'pending' : t.decisions[0].decision === 'approve' ? 'approved' : 'rejected';
    case 'all':
      if (rejections > 0) return 'rejected';
      return approvals >= t.approvers.length ? 'approved' : 'pending';
    case 'quorum': {
      const needed = Math.min(t.quorum ?? 1, t.approvers.length);
      if (approvals >= needed) return 'approved';
      return t.approvers.length - rejections < needed ? 'rejected' : 'pending';
    }
  }
}

export interface Delegation {
  from: string;
  to: string;
  start: number;
  end: number;
}

/**
 * Why someone may not decide for an approver now (null: they may). A requester never approves
 * their own case, each approver decides once, and a delegate decides only within the period.
 * `forbidden`: this person may not; `conflict`: the decision was already given.
 */
export function refuseDecision(
  t: StageTally,
  requester: string,
  actor: string,
  onBehalfOf: string,
  delegation: Delegation | null,
  now: number,
): { kind: 'forbidden' | 'conflict'; message: string } | null {
  const no = (message: string) => ({ kind: 'forbidden' as const, message });
  if (onBehalfOf === requester || actor === requester) return no('a requester never approves their own case');
  if (!t.approvers.includes(onBehalfOf)) return no(`${onBehalfOf} is not an approver of this stage`);
  if (actor !== onBehalfOf) {
    if (!delegation || delegation.from !== onBehalfOf || delegation.to !== actor) return no(`${actor} holds no delegation from ${onBehalfOf}`);
    if (now < delegation.start || now >= delegation.end) return no(`${actor}'s delegation from ${onBehalfOf} is not in force now`);
  }
  if (t.decisions.some((d) => d.approver === onBehalfOf)) return { kind: 'conflict', message: `${onBehalfOf} has already decided` };
  return null;
}

/**
 * A person counts once per stage: whoever has decided in it, as themselves or for someone they
 * stand in for, decides no more in it (else an approver who is also another's delegate could meet
 * a quorum of two alone).
 */
export function decidedAlready(t: StageTally, actor: string): { kind: 'conflict'; message: string } | null {
  const earlier = t.decisions.find((d) => d.decidedBy === actor);
  if (!earlier) return null;
  const forWhom = earlier.approver === actor ? '' : ` for ${earlier.approver}`;
  return { kind: 'conflict', message: `${actor} has already decided${forWhom} in this stage: a person counts once per stage` };
}

/** An approval as its case's workflow persists it: one stage of one policy, being decided. */
export interface ApprovalRecord extends StageTally {
  id: string;
  caseId: string;
  process: ApprovalProcess;
  title: string;
  requester: string;
  policy: { id: string; version: number };
  stage: number;
  stageName: string;
  state: StageOutcome;
  escalatedTo: string | null;
  openedAt: number;
  dueAt: number;
  decidedAt: number | null;
  /** how the stage ended when no decision did: a deadline's approve or reject, no eligible approver */
  reason: string | null;
  rev: number;
}
