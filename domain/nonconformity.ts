/**
 * Nonconformity and corrective action [ISO/IEC 20000-1 10.1]: a requirement not met, contained,
 * its root cause found, a corrective action run as a PDCA improvement cycle, and its
 * effectiveness reviewed before it closes.
 */
import type { Actor } from './actor';
import { refuseByState, type StateTable, type CaseEvent } from './case';
import type { RaiseNonconformityInput } from './schemas/nonconformity';

export type { NonconformityCommandInput, RaiseNonconformityInput } from './schemas/nonconformity';

export const NONCONFORMITY_STATES = ['containment', 'root_cause', 'corrective_action', 'effectiveness_review', 'closed', 'cancelled'] as const;
export type NonconformityState = (typeof NONCONFORMITY_STATES)[number];

export const NONCONFORMITY_COMMANDS = ['contain', 'record_root_cause', 'review_effectiveness', 'cancel', 'comment'] as const;
export type NonconformityCommand = (typeof NONCONFORMITY_COMMANDS)[number];

export const NONCONFORMITY_TABLE: StateTable<NonconformityState, NonconformityCommand> = {
  noun: 'a nonconformity',
  states: NONCONFORMITY_STATES,
  final: ['closed', 'cancelled'],
  commands: {
    contain: { from: ['containment'], to: ['root_cause'] },
    record_root_cause: { from: ['root_cause'], to: ['corrective_action'] },
    // not effective: the corrective action is taken again
    review_effectiveness: { from: ['effectiveness_review'], to: ['closed', 'corrective_action'] },
    // raised in error: withdrawn before any corrective action starts
    cancel: { from: ['containment', 'root_cause'], to: ['cancelled'] },
    comment: { from: ['containment', 'root_cause', 'corrective_action', 'effectiveness_review'], to: 'same' },
  },
};
/** What the nonconformity does by itself: its corrective improvement closing brings the review. */
export const NONCONFORMITY_AUTOMATIC: ReadonlyArray<{ from: NonconformityState; to: NonconformityState }> = [{ from: 'corrective_action', to: 'effectiveness_review' }];

export function refuseNonconformityCommand(n: { state: NonconformityState; owner: string }, command: NonconformityCommand, actor: Actor): { kind: 'forbidden' | 'conflict'; message: string } | null {
  const wrongState = refuseByState(NONCONFORMITY_TABLE, command, n.state);
  if (wrongState) return wrongState;
  if (command === 'comment' || actor.roles.includes('admin') || actor.roles.includes('improvement_manager') || actor.name === n.owner) return null;
  if (command === 'review_effectiveness' && actor.roles.includes('auditor')) return null; // an auditor may verify the correction
  return { kind: 'forbidden', message: `only an improvement manager or the owner (${n.owner}) can ${command.replace(/_/g, ' ')}` };
}

export function nonconformityNumber(n: number): string {
  return `NCR${String(n).padStart(7, '0')}`;
}

// ---- the record, its history entries and its view: shared by the workflow, its activities and the API ----

export interface NonconformityRecord extends RaiseNonconformityInput {
  number: string;
  state: NonconformityState;
  raisedBy: string;
  openedAt: number;
  containment: { actions: string; by: string; at: number } | null;
  rootCause: { rootCause: string; by: string; at: number } | null;
  /** the improvements run as its corrective actions, newest last */
  correctiveActions: Array<{ improvement: string; startedAt: number; endedAt: number | null; outcome: string | null }>;
  effectiveness: { effective: boolean; notes: string; by: string; at: number } | null;
  closedAt: number | null;
  cancelReason: string | null;
  comments: Array<{ at: number; by: string; text: string }>;
  seq: number;
}

export type NonconformityEvent = CaseEvent<NonconformityState>;
