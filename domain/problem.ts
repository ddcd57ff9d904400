/**
 * Problem management [ISO/IEC 20000-1 8.6.3]: problems, known errors with workarounds, and
 * resolution through a change. States, commands, who may give them, and the problem policy.
 */
import type { Actor } from './actor';
import { refuseByState, type StateTable, type CaseEvent } from './case';
import type { TaskRecord } from './task';
import type { ProblemPolicyBody, ProblemTrendBody, RaiseProblemInput } from './schemas/problem';

export type { ProblemCommandInput, ProblemPolicyBody, ProblemTrendBody, RaiseProblemInput } from './schemas/problem';

export const PROBLEM_STATES = ['new', 'investigation', 'known_error', 'awaiting_change', 'resolved', 'closed', 'cancelled'] as const;
export type ProblemState = (typeof PROBLEM_STATES)[number];

export const PROBLEM_COMMANDS = ['investigate', 'record_known_error', 'link_change', 'link_incidents', 'cancel', 'comment'] as const;
export type ProblemCommand = (typeof PROBLEM_COMMANDS)[number];

export const PROBLEM_TABLE: StateTable<ProblemState, ProblemCommand> = {
  noun: 'a problem',
  states: PROBLEM_STATES,
  final: ['closed', 'cancelled'],
  commands: {
    investigate: { from: ['new'], to: ['investigation'] },
    record_known_error: { from: ['investigation'], to: ['known_error'] },
    link_change: { from: ['known_error'], to: ['awaiting_change'] },
    // an incident that recurs while a resolved problem is verified sends it back to investigation
    link_incidents: { from: ['new', 'investigation', 'known_error', 'awaiting_change', 'resolved'], to: 'same' },
    cancel: { from: ['new', 'investigation', 'known_error', 'awaiting_change'], to: ['cancelled'] },
    comment: { from: ['new', 'investigation', 'known_error', 'awaiting_change', 'resolved'], to: 'same' },
  },
};
/** What the problem does by itself: its change resolves it or fails, verification closes it, a recurrence reopens it. */
export const PROBLEM_AUTOMATIC: ReadonlyArray<{ from: ProblemState; to: ProblemState }> = [
  { from: 'awaiting_change', to: 'resolved' },
  { from: 'awaiting_change', to: 'known_error' },
  { from: 'resolved', to: 'closed' },
  { from: 'resolved', to: 'investigation' },
];
export function problemNextState(state: ProblemState, command: ProblemCommand): ProblemState | null {
  const t = PROBLEM_TABLE.commands[command];
  if (!t.from.includes(state)) return null;
  return t.to === 'same' ? state : t.to[0];
}

/** Problem managers are agents (of the problem's group for the work itself) or admins. */
export function refuseProblemCommand(p: { state: ProblemState; group: string }, command: ProblemCommand, actor: Actor): { kind: 'forbidden' | 'conflict'; message: string } | null {
  const wrongState = refuseByState(PROBLEM_TABLE, command, p.state);
  if (wrongState) return wrongState;
  if (actor.roles.includes('admin')) return null;
  if (!actor.roles.includes('agent')) return { kind: 'forbidden', message: 'only an agent works on problems' };
  if ((command === 'record_known_error' || command === 'link_change') && !actor.groups.includes(p.group)) {
    return { kind: 'forbidden', message: `only ${p.group} records the root cause and raises the change` };
  }
  return null;
}

export const DEFAULT_PROBLEM_POLICY: ProblemPolicyBody = { verificationDays: 14, onResolve: 'resolve_incidents' };

export function problemNumber(n: number): string {
  return `PRB${String(n).padStart(7, '0')}`;
}

// ---- problems from incident trends ----

export const TREND_KEYS = ['configurationItem', 'service', 'category'] as const;
export type TrendKey = (typeof TREND_KEYS)[number];

export const DEFAULT_PROBLEM_TREND: ProblemTrendBody = {
  enabled: true,
  groupBy: 'configurationItem',
  threshold: 5,
  windowMinutes: 1440,
  scanIntervalMinutes: 15,
  group: 'problem-management',
  impact: 'medium',
};

export interface TrendIncident {
  number: string;
  openedAt: number;
  configurationItem: string;
  service: string;
  category: string;
}

/** The trends among incidents opened within the window: groups of at least `threshold` sharing the key, oldest first. */
export function incidentTrends(incidents: TrendIncident[], policy: Pick<ProblemTrendBody, 'groupBy' | 'threshold' | 'windowMinutes'>, now: number) {
  const since = now - policy.windowMinutes * 60_000;
  const groups = new Map<string, TrendIncident[]>();
  for (const i of incidents) {
    if (i.openedAt < since || i.openedAt > now) continue;
    const key = i[policy.groupBy];
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  return [...groups.entries()]
    .filter(([, g]) => g.length >= policy.threshold)
    .map(([key, g]) => ({ key, incidents: g.sort((a, b) => a.openedAt - b.openedAt || a.number.localeCompare(b.number)) }))
    .sort((a, b) => a.incidents[0].openedAt - b.incidents[0].openedAt);
}

/** What one trend scan found: problems to open (numbers taken) and open ones to tell of new incidents. */
export interface TrendPlan {
  open: Array<{ number: string; trend: { groupBy: string; key: string }; input: RaiseProblemInput }>;
  link: Array<{ problem: string; incidents: string[]; openedAt?: Record<string, number> }>;
}

/** What one trend scan did. */
export interface TrendScanResult {
  opened: string[];
  linked: Record<string, string[]>;
}

// ---- the record, its history entries and its view: shared by the workflow, its activities and the API ----

export interface ProblemRecord extends RaiseProblemInput {
  number: string;
  state: ProblemState;
  raisedBy: string;
  openedAt: number;
  knownError: { symptoms: string; rootCause: string; workaround: string; by: string; at: number } | null;
  change: string | null;
  resolvedAt: number | null;
  verifyUntil: number | null;
  closedAt: number | null;
  recurrences: number;
  cancelReason: string | null;
  comments: Array<{ at: number; by: string; text: string }>;
  policy: { problem: number; onResolve: ProblemPolicyBody['onResolve']; verificationDays: number };
  trend: { groupBy: string; key: string } | null;
  seq: number;
}

export type ProblemEvent = CaseEvent<ProblemState>;

export interface ProblemView extends ProblemRecord {
  tasks: TaskRecord[];
}
