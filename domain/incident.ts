/**
 * Incident management [ISO/IEC 20000-1 8.6.1]: the states, the commands that move between them,
 * and who may give each command. Pure: workflows, activities and the API share it.
 */
import type { ChangeImpact } from './change';
import type { Actor } from './actor';
import { commentLimit, MAX_COMMENTS, refuseByState, type StateTable } from './case';
import type { Priority } from './priority';
import type { CalendarBody } from './calendar';
import { clockView, workingMsBetween, type Clock, type ClockView } from './sla';
import type { OpenIncidentInput } from './schemas/incident';

export type { IncidentCommandInput, OpenIncidentInput } from './schemas/incident';

export const INCIDENT_STATES = ['new', 'assigned', 'in_progress', 'on_hold', 'resolved', 'closed'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export const INCIDENT_COMMANDS = ['assign', 'start', 'hold', 'resume', 'resolve', 'confirm', 'reopen', 'close', 'comment', 'reprioritise'] as const;
export type IncidentCommand = (typeof INCIDENT_COMMANDS)[number];

/**
 * The transition table: from which states a command is legal and where it leads.
 * `assign` from assigned or in_progress is a reassignment: the case goes back to the new
 * group's queue. `comment` leaves the state as it is.
 */
export const INCIDENT_TABLE: StateTable<IncidentState, IncidentCommand> = {
  noun: 'an incident',
  states: INCIDENT_STATES,
  final: ['closed'],
  commands: {
    // reassigned while on hold, it stays on hold (its clock as the hold left it) with its new group
    assign: { from: ['new', 'assigned', 'in_progress', 'on_hold'], to: ['assigned', 'on_hold'] },
    start: { from: ['assigned'], to: ['in_progress'] },
    hold: { from: ['in_progress'], to: ['on_hold'] },
    resume: { from: ['on_hold'], to: ['in_progress'] },
    resolve: { from: ['in_progress'], to: ['resolved'] },
    confirm: { from: ['resolved'], to: ['closed'] },
    reopen: { from: ['resolved'], to: ['in_progress'] },
    close: { from: ['resolved'], to: ['closed'] },
    comment: { from: ['new', 'assigned', 'in_progress', 'on_hold', 'resolved'], to: 'same' },
    // impact or urgency changed with a reason: the priority and the targets are derived again
    reprioritise: { from: ['new', 'assigned', 'in_progress', 'on_hold'], to: 'same' },
  },
};
/** What the incident does by itself: closes when the caller does not confirm, resolves with its problem. */
export const INCIDENT_AUTOMATIC: ReadonlyArray<{ from: IncidentState; to: IncidentState }> = [
  { from: 'resolved', to: 'closed' },
  ...(['new', 'assigned', 'in_progress', 'on_hold'] as const).map((from) => ({ from, to: 'resolved' as const })),
];

export function nextState(state: IncidentState, command: IncidentCommand): IncidentState | null {
  const t = INCIDENT_TABLE.commands[command];
  if (!t.from.includes(state)) return null;
  return t.to === 'same' ? state : t.to[0];
}

export const RESOLUTION_CODES = ['fixed', 'workaround', 'no_fault_found', 'duplicate', 'user_error', 'cancelled'] as const;

/** An incident as the workflow holds it and persists it: the record of the case. */
export interface IncidentRecord extends OpenIncidentInput {
  number: string;
  state: IncidentState;
  priority: Priority;
  major: boolean;
  assignmentGroup: string | null;
  assignee: string | null;
  openedBy: string;
  openedAt: number;
  resolvedAt: number | null;
  closedAt: number | null;
  resolutionCode: string | null;
  resolution: string | null;
  holdReason: string | null;
  /** the hold reason's code, when one was given (records from before have none) */
  holdCode?: string | null;
  /** what depends on its CI, as the CMDB said when it was logged */
  affects?: ChangeImpact | null;
  reopenCount: number;
  /** every assignment and the business time the case spent with that group (what an OLA is measured on) */
  assignments: Array<{ group: string; assignee: string | null; from: number; to: number | null; businessMs: number | null; ola?: AssignmentOla }>;
  escalations: Array<{ at: number; clock: 'response' | 'resolution'; kind: 'warning' | 'breach'; level: number }>;
  comments: Array<{ at: number; by: string; text: string }>;
  /** problems this incident is linked to */
  problems?: string[];
  /** known errors on its CI or category when it was logged: the workarounds to try first */
  knownErrors?: Array<{ problem: string; symptoms: string; workaround: string }>;
  policy: { priorityMatrix: number; incidentSla: number | null; sla?: { id: string; version: number } | null; calendar: { id: string; version: number } };
  sla: { response: Clock; resolution: Clock };
  autoCloseAt: number | null;
  seq: number;
}

export interface IncidentEvent {
  seq: number;
  action: IncidentCommand | 'open' | 'auto_close' | 'sla_warning' | 'sla_breach' | 'sla_not_computable' | 'problem_linked' | 'resolved_by_problem' | 'ola_warning' | 'ola_breach';
  from: IncidentState | null;
  to: IncidentState;
  by: string;
  at: number;
  note: string | null;
  details?: Record<string, unknown>;
}

/** What every answer about an incident carries: the record with its SLA clocks as of now. */
export interface IncidentView extends Omit<IncidentRecord, 'sla' | 'openedAt' | 'resolvedAt' | 'closedAt' | 'autoCloseAt' | 'assignments' | 'escalations' | 'comments' | 'customer'> {
  customer: string | null;
  openedAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
  autoCloseAt: string | null;
  assignments: Array<{ group: string; assignee: string | null; from: string; to: string | null; businessMinutes: number; ola: { targetMinutes: number; warnedAt: string | null; breachedAt: string | null } | null }>;
  escalations: Array<{ at: string; clock: 'response' | 'resolution'; kind: 'warning' | 'breach'; level: number }>;
  comments: Array<{ at: string; by: string; text: string }>;
  sla: { response: ClockView; resolution: ClockView; breached: boolean };
}

// ---- who may act ----

export type Refusal = { kind: 'forbidden' | 'conflict'; message: string };

/**
 * Object-level rights. Role-level rights are checked by the API before a command is sent;
 * this is the part that depends on the case (its group and caller), checked by the workflow's
 * update validators so that it holds whoever sends the command.
 */

export function refuseIncidentCommand(
  rec: Pick<IncidentRecord, 'number' | 'state' | 'assignmentGroup' | 'caller'> & { comments?: unknown[] },
  command: IncidentCommand,
  actor: Actor,
): Refusal | null {
  // a requester sees only their own incidents: another's is refused before its state is told
  if (!mayReadIncident(rec, actor)) return { kind: 'forbidden', message: `${rec.number} is not one of your incidents` };
  const wrongState = refuseByState(INCIDENT_TABLE, command, rec.state);
  if (wrongState) return wrongState;
  // also refused for every process in workflows/case-commands.ts; kept here, as incidents replay with it
  if (command === 'comment' && (rec.comments?.length ?? 0) >= MAX_COMMENTS) {
    return { kind: 'conflict', message: commentLimit(rec.number) };
  }
  if (actor.roles.includes('admin')) return null;
  const isCaller = actor.name === rec.caller;
  const inGroup = rec.assignmentGroup !== null && actor.groups.includes(rec.assignmentGroup);
  const isAgent = actor.roles.includes('agent');
  switch (command) {
    case 'reprioritise':
      if (!isAgent) return { kind: 'forbidden', message: 'only an agent can change the priority of an incident' };
      if (rec.state !== 'new' && !inGroup) return { kind: 'forbidden', message: `only a member of ${rec.assignmentGroup} can change the priority of this incident` };
      return null;
    case 'assign':
      // the service desk dispatches new cases; after that only the holding group hands a case on
      if (!isAgent) return { kind: 'forbidden', message: 'only an agent can assign an incident' };
      if (rec.state !== 'new' && !inGroup) {
        return { kind: 'forbidden', message: `only a member of ${rec.assignmentGroup} can reassign this incident` };
      }
      return null;
    case 'start':
    case 'hold':
    case 'resume':
    case 'resolve':
    case 'close':
      if (!isAgent || !inGroup) return { kind: 'forbidden', message: `only an agent of ${rec.assignmentGroup ?? 'the assigned group'} can ${command} this incident` };
      return null;
    case 'confirm':
      if (!isCaller) return { kind: 'forbidden', message: 'only the caller can confirm the resolution' };
      return null;
    case 'reopen':
      if (!isCaller && !(isAgent && inGroup)) return { kind: 'forbidden', message: 'only the caller or the assigned group can reopen this incident' };
      return null;
    case 'comment':
      if (!isCaller && !isAgent) return { kind: 'forbidden', message: 'only the caller or an agent can comment on this incident' };
      return null;
  }
}

/** Whether an actor may read an incident: staff read all, a requester reads the incidents they called in. */
export function mayReadIncident(rec: Pick<IncidentRecord, 'caller'>, actor: Actor): boolean {
  if (actor.roles.some((r) => r !== 'requester')) return true;
  return actor.name === rec.caller;
}

/** The OLA of the group an assignment went to: its target for the incident's priority, and the alarms raised. */
export interface AssignmentOla {
  targetMs: number;
  warningPercent: number;
  warnedAt: number | null;
  breachedAt: number | null;
}

export function incidentNumber(n: number): string {
  return `INC${String(n).padStart(7, '0')}`;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/**
 * What a list of incidents leaves out of each (the incident itself has it): a list reads a page of
 * incidents at once, and leaving out the long texts and histories makes each a third cheaper to
 * read and send.
 */
export const NOT_LISTED = ['description', 'assignments', 'escalations', 'comments', 'knownErrors', 'problems', 'policy', 'affects'] as const;
export type IncidentSummary = Omit<IncidentView, (typeof NOT_LISTED)[number]>;

/** An incident as a list shows it: the record less what lists leave out, its clocks as of `now`. */
export function incidentSummary(rec: Omit<IncidentRecord, (typeof NOT_LISTED)[number]>, cal: CalendarBody, now: number): IncidentSummary {
  const response = clockView(rec.sla.response, cal, now);
  const resolution = clockView(rec.sla.resolution, cal, now);
  return {
    number: rec.number,
    state: rec.state,
    priority: rec.priority,
    major: rec.major,
    title: rec.title,
    caller: rec.caller,
    service: rec.service,
    configurationItem: rec.configurationItem,
    customer: rec.customer ?? null,
    category: rec.category,
    impact: rec.impact,
    urgency: rec.urgency,
    assignmentGroup: rec.assignmentGroup,
    assignee: rec.assignee,
    openedBy: rec.openedBy,
    openedAt: new Date(rec.openedAt).toISOString(),
    resolvedAt: iso(rec.resolvedAt),
    closedAt: iso(rec.closedAt),
    autoCloseAt: iso(rec.autoCloseAt),
    resolutionCode: rec.resolutionCode,
    resolution: rec.resolution,
    holdReason: rec.holdReason,
    holdCode: rec.holdCode ?? null,
    reopenCount: rec.reopenCount,
    sla: { response, resolution, breached: response.status === 'breached' || resolution.status === 'breached' },
    seq: rec.seq,
  };
}

/** The record as an API answer shows it: its summary, and its texts and histories, with both SLA clocks computed as of `now`. */
export function incidentView(rec: IncidentRecord, cal: CalendarBody, now: number): IncidentView {
  return {
    ...incidentSummary(rec, cal, now),
    description: rec.description,
    assignments: rec.assignments.map((a) => {
      // the open assignment's time runs until now, less time on hold
      const ms = a.businessMs ?? workingMsBetween(cal, a.from, now, rec.sla.resolution.pauses);
      return { group: a.group, assignee: a.assignee, from: new Date(a.from).toISOString(), to: iso(a.to), businessMinutes: Math.round(ms / 600) / 100, ola: a.ola ? { targetMinutes: a.ola.targetMs / 60_000, warnedAt: iso(a.ola.warnedAt), breachedAt: iso(a.ola.breachedAt) } : null };
    }),
    escalations: rec.escalations.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
    comments: rec.comments.map((c) => ({ ...c, at: new Date(c.at).toISOString() })),
    problems: rec.problems ?? [],
    knownErrors: rec.knownErrors ?? [],
    policy: rec.policy,
    affects: rec.affects ?? null,
  };
}
