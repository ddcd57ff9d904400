/**
 * Change management [ISO/IEC 20000-1 8.5.1]: requests for change, their states and commands, the
 * change policy (blackout windows, standard change templates, what a scheduling conflict does),
 * and the conflicts a planned window has. Pure: workflows, activities and the API share it.
 */
import type { Actor } from './actor';
import { refuseByState, type CaseEvent, type CommandArgs, type StateTable } from './case';
import type { ApprovalRecord } from './approval';
import type { TaskRecord } from './task';
import type { ChangeCommandInput, ChangePolicyBody, RaiseChangeInput } from './schemas/change';

export type { ChangeCommandInput, ChangePolicyBody, RaiseChangeInput } from './schemas/change';

export const CHANGE_TYPES = ['standard', 'normal', 'emergency'] as const;
export const RISKS = ['low', 'medium', 'high', 'very_high'] as const;
export const CHANGE_STATES = ['new', 'assessment', 'authorization', 'scheduled', 'implementing', 'review', 'closed', 'rejected', 'cancelled'] as const;
export type ChangeState = (typeof CHANGE_STATES)[number];
export const CHANGE_OUTCOMES = ['successful', 'failed', 'backed_out'] as const;

export const DEFAULT_CHANGE_POLICY: ChangePolicyBody = {
  blackouts: [],
  standardTemplates: [{ id: 'restart-app-server', name: 'Restart an application server in its maintenance window', description: '' }],
  onConflict: { action: 'refuse' },
};

export interface Conflict {
  kind: 'blackout' | 'collision';
  /** the blackout's name, or the colliding change's number */
  with: string;
  from: string;
  to: string;
  configurationItem?: string;
  /** when the colliding change is on a CI related to one of this change's: the relationship */
  via?: string;
}

/** What a change touches through the CMDB, found when it is raised: the services whose owners are told at assessment. */
export interface ChangeImpact {
  services: Array<{ id: string; name: string; owner: string; customers: string[] }>;
  /** how many CIs depend on the change's CIs */
  cis: number;
  /** the nearest of them by name (at most 100) */
  dependents?: string[];
  truncated: boolean;
}

/** What became of one intended CI update when the change completed. */
export interface CiUpdateResult {
  ci: string;
  outcome: 'applied' | 'unchanged' | 'refused';
  version: number | null;
  reason: string | null;
}

/**
 * What stands in a planned window's way: blackouts it touches, and scheduled changes on the same
 * CIs or on CIs related to them (`related`: such a CI → the relationship, as a sentence).
 */
export function scheduleConflicts(
  change: { number?: string; plannedStart: string; plannedEnd: string; configurationItems: string[]; services: string[] },
  policy: ChangePolicyBody,
  scheduled: Array<{ number: string; plannedStart: string; plannedEnd: string; configurationItems: string[] }>,
  related: ReadonlyMap<string, string> = new Map(),
): Conflict[] {
  const s = Date.parse(change.plannedStart);
  const e = Date.parse(change.plannedEnd);
  const overlaps = (a: string, b: string) => Date.parse(a) < e && Date.parse(b) > s;
  const out: Conflict[] = [];
  for (const b of policy.blackouts) {
    const applies = b.services.length === 0 || b.services.some((x) => change.services.includes(x));
    if (applies && overlaps(b.start, b.end)) out.push({ kind: 'blackout', with: b.name, from: b.start, to: b.end });
  }
  for (const o of scheduled) {
    if (o.number === change.number || !overlaps(o.plannedStart, o.plannedEnd)) continue;
    const ci = o.configurationItems.find((c) => change.configurationItems.includes(c));
    if (ci) {
      out.push({ kind: 'collision', with: o.number, from: o.plannedStart, to: o.plannedEnd, configurationItem: ci });
      continue;
    }
    const near = o.configurationItems.find((c) => related.has(c));
    if (near) out.push({ kind: 'collision', with: o.number, from: o.plannedStart, to: o.plannedEnd, configurationItem: near, via: related.get(near)! });
  }
  return out;
}

/** States a change holds its window in: another change on the same CI collides with these. */
export const HOLDS_WINDOW: readonly ChangeState[] = ['scheduled', 'implementing'];

// ---- commands ----

export const CHANGE_COMMANDS = ['submit', 'assess', 'implement', 'complete', 'cancel', 'comment'] as const;
export type ChangeCommand = (typeof CHANGE_COMMANDS)[number];

export const CHANGE_TABLE: StateTable<ChangeState, ChangeCommand> = {
  noun: 'a change',
  states: CHANGE_STATES,
  final: ['closed', 'rejected', 'cancelled'],
  commands: {
    // a standard change is pre-approved: it is scheduled at once unless its window collides
    submit: { from: ['new'], to: ['assessment', 'authorization', 'scheduled'] },
    assess: { from: ['assessment'], to: ['authorization'] },
    implement: { from: ['scheduled'], to: ['implementing'] },
    // a failed implementation stays implementing while it is backed out
    complete: { from: ['implementing'], to: ['review', 'implementing'] },
    cancel: { from: ['new', 'assessment', 'authorization', 'scheduled'], to: ['cancelled'] },
    comment: { from: ['new', 'assessment', 'authorization', 'scheduled', 'implementing', 'review'], to: 'same' },
  },
};
/** What the change does by itself: the approval authorises or rejects, the back-out and the review end it. */
export const CHANGE_AUTOMATIC: ReadonlyArray<{ from: ChangeState; to: ChangeState }> = [
  { from: 'authorization', to: 'scheduled' },
  { from: 'authorization', to: 'rejected' },
  { from: 'implementing', to: 'review' },
  // a change its release deployed and backed out waits, approved, for the next attempt
  { from: 'implementing', to: 'scheduled' },
  { from: 'review', to: 'closed' },
];

export interface ChangeFacts {
  state: ChangeState;
  requestedBy: string;
  implementationGroup: string;
  /** a failed implementation waits for its back-out before anything else */
  backingOut: boolean;
  /** the release that deploys it: the release implements, completes and lets it go */
  release?: string | null;
}

/** Whether a command is legal now and this actor may give it. Change managers are agents or admins. */
export function refuseChangeCommand(c: ChangeFacts, command: ChangeCommand, actor: Actor): { kind: 'forbidden' | 'conflict'; message: string } | null {
  const wrongState = refuseByState(CHANGE_TABLE, command, c.state);
  if (wrongState) return wrongState;
  if (command === 'complete' && c.backingOut) return { kind: 'conflict', message: 'the change is being backed out: complete its back-out task' };
  if (c.release && (command === 'implement' || command === 'complete' || command === 'cancel')) return { kind: 'conflict', message: `${c.release} deploys this change: it is implemented, completed or let go by the release` };
  if (actor.roles.includes('admin')) return null;
  const manager = actor.roles.includes('agent');
  const requester = actor.name === c.requestedBy;
  const implementer = actor.groups.includes(c.implementationGroup);
  switch (command) {
    case 'submit':
    case 'cancel':
      return requester || manager ? null : { kind: 'forbidden', message: `only the requester or a change manager can ${command} this change` };
    case 'assess':
      return manager && !requester ? null : { kind: 'forbidden', message: 'a change manager other than the requester assesses a change' };
    case 'implement':
    case 'complete':
      return implementer ? null : { kind: 'forbidden', message: `only ${c.implementationGroup} implements this change` };
    case 'comment':
      return requester || manager || implementer ? null : { kind: 'forbidden', message: 'only the requester, a change manager or the implementers can comment' };
  }
}

export function changeNumber(n: number): string {
  return `CHG${String(n).padStart(7, '0')}`;
}

// ---- the record, its history entries and its view: shared by the workflow, its activities and the API ----

export interface ChangeRecord extends RaiseChangeInput {
  number: string;
  state: ChangeState;
  requestedBy: string;
  openedAt: number;
  assessment: { risk: string; impact: string; assessment: string; by: string; at: number } | null;
  /** conflicts found when it was raised (routed to an extra approval when the policy says so) */
  conflicts: Conflict[];
  /** what depends on its CIs, as the CMDB said when it was raised (null: raised before the CMDB) */
  affects?: ChangeImpact | null;
  /** what its CI updates came to, once it completed successfully */
  ciUpdateResults?: CiUpdateResult[] | null;
  authorization: { policy: { id: string; version: number } | null; outcome: 'approved' | 'rejected'; reason: string; at: number } | null;
  implementation: { startedAt: number | null; endedAt: number | null; result: 'successful' | 'failed' | null; notes: string | null };
  backingOut: boolean;
  /** the release that deploys it (null: none, or none any more) */
  release?: string | null;
  /** the review's verdict: successful, failed or backed_out */
  outcome: string | null;
  closedAt: number | null;
  cancelReason: string | null;
  comments: Array<{ at: number; by: string; text: string }>;
  policy: { change: number };
  seq: number;
}

export type ChangeEvent = CaseEvent<ChangeState>;

/** What every answer about a change carries: the record with its approvals and tasks. */
export interface ChangeView extends ChangeRecord {
  approvals: ApprovalRecord[];
  tasks: TaskRecord[];
}

export type ChangeCommandArgs<C extends ChangeCommand = ChangeCommand> = CommandArgs<ChangeCommandInput<C>>;
