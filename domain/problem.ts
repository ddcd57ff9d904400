/**
 * Problem management [ISO/IEC 20000-1 8.6.3]: problems, known errors with workarounds, and
 * resolution through a change. States, commands, who may give them, and the problem policy.
 */
import type { Actor } from './actor';
import type { TaskRecord } from './task';
import type { ProblemPolicyBody, ProblemTrendBody, RaiseProblemInput } from './schemas/problem';

export type { ProblemCommandInput, ProblemPolicyBody, ProblemTrendBody, RaiseProblemInput } from './schemas/problem';

export const PROBLEM_STATES = ['new', 'investigation', 'known_error', 'awaiting_change', 'resolved', 'closed', 'cancelled'] as const;
export type ProblemState = (typeof PROBLEM_STATES)[number];

export const PROBLEM_COMMANDS = ['investigate', 'record_known_error', 'link_change', 'link_incidents', 'cancel', 'comment'] as const;
export type ProblemCommand = (typeof PROBLEM_COMMANDS)[number];

const FROM: Record<ProblemCommand, readonly ProblemState[]> = {
  investigate: ['new'],
  record_known_error: ['investigation'],
  link_change: ['known_error'],
  link_incidents: ['new', 'investigation', 'known_error', 'awaiting_change', 'resolved'],
  cancel: ['new', 'investigation', 'known_error', 'awaiting_change'],
  comment: ['new', 'investigation', 'known_error', 'awaiting_change', 'resolved'],
};
const TO: Partial<Record<ProblemCommand, ProblemState>> = {
  investigate: 'investigation',
  record_known_error: 'known_error',
  link_change: 'awaiting_change',
  cancel: 'cancelled',
};
export function problemNextState(state: ProblemState, command: ProblemCommand): ProblemState | null {
  if (!FROM[command].includes(state)) return null;
  return TO[command] ?? state;
}

/** Problem managers are agents (of the problem's group for the work itself) or admins. */
export function refuseProblemCommand(p: { state: ProblemState; group: string }, command: ProblemCommand, actor: Actor): { kind: 'forbidden' | 'conflict'; message: string } | null {
  if (problemNextState(p.state, command) === null) return { kind: 'conflict', message: `cannot ${command.replace(/_/g, ' ')} a problem that is ${p.state}` };
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
  link: Array<{ problem: string; incidents: string[] }>;
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

export interface ProblemEvent {
  seq: number;
  action: string;
  from: ProblemState | null;
  to: ProblemState;
  by: string;
  at: number;
  note: string | null;
  details?: Record<string, unknown>;
}

export interface ProblemView extends ProblemRecord {
  tasks: TaskRecord[];
}
