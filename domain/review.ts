/**
 * Service review [ISO/IEC 20000-1 8.3.3]: for an SLA, the period's service report attached and
 * reviewed by the service owner, whose review task records the outcome; the actions agreed, each
 * with an owner, and an action that needs more than a to-do opens an improvement (a PDCA cycle of
 * its own, source `service_review`, which names the review).
 */
import type { Actor } from './actor';
import { refuseByState, type CaseEvent, type StateTable } from './case';

export type { ReviewCommandInput, OpenReviewInput } from './schemas/review';

export const REVIEW_STATES = ['reviewing', 'closed', 'cancelled'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

export const REVIEW_COMMANDS = ['add_action', 'cancel', 'comment'] as const;
export type ReviewCommand = (typeof REVIEW_COMMANDS)[number];

/** the most actions one review agrees (more is another review's work) */
export const MAX_REVIEW_ACTIONS = 20;
/** An SLA's review settings unless it says otherwise: quarterly, the group `service-level` besides the owner, 14 days to do it. */
export const DEFAULT_REVIEW = { everyMonths: 3, group: 'service-level', dueDays: 14 } as const;

export const REVIEW_TABLE: StateTable<ReviewState, ReviewCommand> = {
  noun: 'a review',
  states: REVIEW_STATES,
  final: ['closed', 'cancelled'],
  commands: {
    add_action: { from: ['reviewing'], to: 'same' },
    cancel: { from: ['reviewing'], to: ['cancelled'] },
    comment: { from: ['reviewing'], to: 'same' },
  },
};
/** What the review does by itself: its review task completed closes it. */
export const REVIEW_AUTOMATIC: ReadonlyArray<{ from: ReviewState; to: ReviewState }> = [{ from: 'reviewing', to: 'closed' }];

export function refuseReviewCommand(r: { state: ReviewState; service: { owner: string }; actions: unknown[] }, command: ReviewCommand, actor: Actor): { kind: 'forbidden' | 'conflict'; message: string } | null {
  const wrongState = refuseByState(REVIEW_TABLE, command, r.state);
  if (wrongState) return wrongState;
  const manager = actor.roles.includes('admin') || actor.roles.includes('process_owner');
  switch (command) {
    case 'comment':
      return null;
    case 'cancel':
      return manager ? null : { kind: 'forbidden', message: 'only a process owner can cancel a service review' };
    case 'add_action':
      if (!manager && !actor.roles.includes('improvement_manager') && actor.name !== r.service.owner) return { kind: 'forbidden', message: `only the service owner (${r.service.owner}), a process owner or an improvement manager can agree an action` };
      if (r.actions.length >= MAX_REVIEW_ACTIONS) return { kind: 'conflict', message: `a service review agrees at most ${MAX_REVIEW_ACTIONS} actions` };
      return null;
  }
}

export function reviewNumber(n: number): string {
  return `REV${String(n).padStart(7, '0')}`;
}

/** The months a review covers: `everyMonths` months ending with `month` (YYYY-MM), as [from, to) and a label. */
export function reviewPeriod(month: string, everyMonths: number): { from: number; to: number; months: string[] } {
  const [y, m] = month.split('-').map(Number);
  const months = Array.from({ length: everyMonths }, (_, i) => new Date(Date.UTC(y, m - everyMonths + i, 1)).toISOString().slice(0, 7));
  return { from: Date.UTC(y, m - everyMonths, 1), to: Date.UTC(y, m, 1), months };
}

/** Whether a month ends a review period of an SLA reviewed every `everyMonths` (quarters end in March, June, September, December). */
export function endsReviewPeriod(month: string, everyMonths: number): boolean {
  return Number(month.slice(5, 7)) % everyMonths === 0;
}

// ---- the record, its history entries: shared by the workflow, its activities and the API ----

export interface ReviewAction {
  n: number;
  title: string;
  owner: string;
  due: string | null;
  /** the improvement it opened (a PDCA cycle naming this review), when it needed one */
  improvement: string | null;
  by: string;
  at: number;
}

export interface ReviewRecord {
  number: string;
  state: ReviewState;
  sla: { id: string; version: number; name: string };
  service: { id: string; name: string; owner: string };
  customer: string | null;
  period: { from: number; to: number; months: string[] };
  /** the service report of the period, attached when the review opens */
  report: Record<string, unknown> | null;
  /** the group besides the owner that may take the review task */
  group: string;
  openedBy: string;
  openedAt: number;
  dueAt: number;
  overdueAt: number | null;
  outcome: { result: string; minutes: string; decisions: string | null; by: string; at: number } | null;
  actions: ReviewAction[];
  closedAt: number | null;
  cancelReason: string | null;
  comments: Array<{ at: number; by: string; text: string }>;
  seq: number;
}

export type ReviewEvent = CaseEvent<ReviewState>;

/** What a review starts with besides its number and who opened it. */
export interface ReviewOpening {
  sla: ReviewRecord['sla'];
  service: ReviewRecord['service'];
  customer: string | null;
  period: ReviewRecord['period'];
  /** the group besides the owner that may take the review task */
  group: string;
  /** days the service owner has for the review task */
  dueDays: number;
}
