/** The change record and its history entries (types only: shared by the workflow, activities and API). */
import type { ApprovalRecord } from '../domain/approval';
import type { ChangeCommand, ChangeCommandInput, ChangeState, Conflict, RaiseChangeInput } from '../domain/change';
import type { TaskRecord } from '../domain/task';
import type { CommandArgs } from './case-commands';

export interface ChangeRecord extends RaiseChangeInput {
  number: string;
  state: ChangeState;
  requestedBy: string;
  openedAt: number;
  assessment: { risk: string; impact: string; assessment: string; by: string; at: number } | null;
  /** conflicts found when it was raised (routed to an extra approval when the policy says so) */
  conflicts: Conflict[];
  authorization: { policy: { id: string; version: number } | null; outcome: 'approved' | 'rejected'; reason: string; at: number } | null;
  implementation: { startedAt: number | null; endedAt: number | null; result: 'successful' | 'failed' | null; notes: string | null };
  backingOut: boolean;
  /** the review's verdict: successful, failed or backed_out */
  outcome: string | null;
  closedAt: number | null;
  cancelReason: string | null;
  comments: Array<{ at: number; by: string; text: string }>;
  policy: { change: number };
  seq: number;
}

export interface ChangeEvent {
  seq: number;
  action: string;
  from: ChangeState | null;
  to: ChangeState;
  by: string;
  at: number;
  note: string | null;
  details?: Record<string, unknown>;
}

/** What every answer about a change carries: the record with its approvals and tasks. */
export interface ChangeView extends ChangeRecord {
  approvals: ApprovalRecord[];
  tasks: TaskRecord[];
}

export type ChangeCommandArgs<C extends ChangeCommand = ChangeCommand> = CommandArgs<ChangeCommandInput<C>>;
