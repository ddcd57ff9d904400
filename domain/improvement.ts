/**
 * Continual improvement [ISO/IEC 20000-1 10.2] as Plan-Do-Check-Act cycles: the improvement
 * register, a cycle's plan (objective, measurable targets, actions), measurements against the
 * targets, and the review that closes the improvement or starts the next cycle.
 */
import type { Actor } from './actor';
import { refuseByState, type StateTable, type CaseEvent } from './case';
import type { RegisterImprovementInput } from './schemas/improvement';
import type { ApprovalRecord } from './approval';
import type { TaskRecord } from './task';
import type { Target } from './schemas/improvement';

export type { ImprovementCommandInput, PlanInput, RegisterImprovementInput, Target } from './schemas/improvement';

export const IMPROVEMENT_SOURCES = ['nonconformity', 'audit_finding', 'incident_trend', 'problem', 'suggestion', 'complaint', 'management_review', 'service_review', 'service_transition'] as const;
export const IMPROVEMENT_STATES = ['plan', 'approval', 'do', 'check', 'closed', 'cancelled'] as const;
export type ImprovementState = (typeof IMPROVEMENT_STATES)[number];
/** the PDCA phase each state belongs to */
export const PHASE_OF: Record<ImprovementState, 'plan' | 'do' | 'check' | 'act' | 'closed'> = {
  plan: 'plan',
  approval: 'plan',
  do: 'do',
  check: 'check',
  closed: 'closed',
  cancelled: 'closed',
};

export const IMPROVEMENT_COMMANDS = ['plan', 'measure', 'review', 'cancel', 'comment'] as const;
export type ImprovementCommand = (typeof IMPROVEMENT_COMMANDS)[number];

export const IMPROVEMENT_TABLE: StateTable<ImprovementState, ImprovementCommand> = {
  noun: 'an improvement',
  states: IMPROVEMENT_STATES,
  final: ['closed', 'cancelled'],
  commands: {
    plan: { from: ['plan'], to: ['approval'] },
    measure: { from: ['do', 'check'], to: 'same' },
    // met: standardised and closed; otherwise the next cycle starts in plan
    review: { from: ['check'], to: ['closed', 'plan'] },
    cancel: { from: ['plan', 'approval', 'do', 'check'], to: ['cancelled'] },
    comment: { from: ['plan', 'approval', 'do', 'check'], to: 'same' },
  },
};
/** What the improvement does by itself: the plan's approval, the actions done, a rejected plan revised. */
export const IMPROVEMENT_AUTOMATIC: ReadonlyArray<{ from: ImprovementState; to: ImprovementState }> = [
  { from: 'approval', to: 'do' },
  { from: 'approval', to: 'plan' },
  { from: 'do', to: 'check' },
];

/** Improvement managers and the owner steer an improvement; anyone may comment. */
export function refuseImprovementCommand(i: { state: ImprovementState; owner: string }, command: ImprovementCommand, actor: Actor): { kind: 'forbidden' | 'conflict'; message: string } | null {
  const wrongState = refuseByState(IMPROVEMENT_TABLE, command, i.state);
  if (wrongState) return wrongState;
  if (command === 'comment' || actor.roles.includes('admin') || actor.roles.includes('improvement_manager') || actor.name === i.owner) return null;
  return { kind: 'forbidden', message: `only an improvement manager or the owner (${i.owner}) can ${command} this improvement` };
}

/** Whether a measurement reaches a target: whichever way the target lies from the baseline. */
export function targetMet(t: Pick<Target, 'baseline' | 'target'>, value: number): boolean {
  return t.target > t.baseline ? value >= t.target : value <= t.target;
}

export function improvementNumber(n: number): string {
  return `IMP${String(n).padStart(7, '0')}`;
}

// ---- the record, its history entries and its view: shared by the workflow, its activities and the API ----

export interface ActionRecord {
  title: string;
  group: string;
  due: string;
  task: string | null;
  done: boolean;
  remindedAt: number | null;
  escalatedAt: number | null;
}

export interface Cycle {
  n: number;
  startedAt: number;
  endedAt: number | null;
  objective: string | null;
  targets: Target[];
  actions: ActionRecord[];
  measurements: Array<{ target: string; value: number; at: number; by: string; note: string | null }>;
  approval: { policy: { id: string; version: number } | null; outcome: 'approved' | 'rejected' | 'not_required'; reason: string } | null;
  review: { decision: 'met' | 'partly_met' | 'not_met'; notes: string; lessons: string; standardisation: string | null; by: string; at: number } | null;
}

export interface ImprovementRecord extends RegisterImprovementInput {
  number: string;
  state: ImprovementState;
  registeredBy: string;
  openedAt: number;
  closedAt: number | null;
  cancelReason: string | null;
  cycles: Cycle[];
  /** lessons learned so far, carried into every next cycle */
  lessons: string[];
  comments: Array<{ at: number; by: string; text: string }>;
  seq: number;
}

export type ImprovementEvent = CaseEvent<ImprovementState>;

export interface ImprovementView extends ImprovementRecord {
  approvals: ApprovalRecord[];
  tasks: TaskRecord[];
}
