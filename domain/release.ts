/**
 * Release and deployment management [ISO/IEC 20000-1 8.5.3]: a release bundles approved changes
 * and the CI versions they deliver; it is built, tested (a task per test), accepted by an
 * approval policy, deployed environment by environment in windows (outside blackouts; production
 * inside its changes' approved windows), verified after each, rolled back when a deployment or a
 * verification fails, and supported early in life until its exit criteria hold. Pure: workflows,
 * activities and the API share it.
 */
import type { Actor } from './actor';
import { refuseByState, type CaseEvent, type CommandArgs, type StateTable } from './case';
import type { ApprovalRecord } from './approval';
import type { TaskRecord } from './task';
import type { ChangePolicyBody } from './change';
import type { CreateReleaseInput, ReleaseCommandInput, ReleasePolicyBody } from './schemas/release';

export type { CreateReleaseInput, ReleaseCommandInput, ReleasePolicyBody, DeploymentWindow } from './schemas/release';

export const RELEASE_TYPES = ['major', 'minor', 'emergency'] as const;
export const RELEASE_STATES = ['planning', 'building', 'testing', 'awaiting_acceptance', 'deploying', 'rolling_back', 'early_life_support', 'closed', 'rolled_back', 'cancelled'] as const;
export type ReleaseState = (typeof RELEASE_STATES)[number];
/** one environment's deployment: pending (no turn yet), waiting (for its window), deploying, verifying, done, failed, rolled_back */
export const DEPLOYMENT_STATES = ['pending', 'waiting', 'deploying', 'verifying', 'done', 'failed', 'rolled_back'] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];

export const DEFAULT_RELEASE_POLICY: ReleasePolicyBody = {
  environments: [
    { name: 'test', production: false, deployment: { kind: 'task' }, verify: true },
    { name: 'staging', production: false, deployment: { kind: 'task' }, verify: true },
    { name: 'production', production: true, deployment: { kind: 'task' }, verify: true },
  ],
  earlyLifeSupportDays: 14,
  extendDays: 7,
  checkEveryHours: 24,
  exitPriorities: ['P1', 'P2'],
};

/** The most incidents early life support links (more are counted in the exit check, not listed). */
export const MAX_LINKED_INCIDENTS = 200;

export const RELEASE_COMMANDS = ['build', 'build_done', 'rebuild', 'submit', 'schedule', 'report_deployment', 'abort', 'end_support', 'cancel', 'comment'] as const;
export type ReleaseCommand = (typeof RELEASE_COMMANDS)[number];

const BEFORE_DEPLOYING: ReleaseState[] = ['planning', 'building', 'testing', 'awaiting_acceptance'];

export const RELEASE_TABLE: StateTable<ReleaseState, ReleaseCommand> = {
  noun: 'a release',
  states: RELEASE_STATES,
  final: ['closed', 'rolled_back', 'cancelled'],
  commands: {
    build: { from: ['planning'], to: ['building'] },
    build_done: { from: ['building'], to: ['testing'] },
    rebuild: { from: ['testing'], to: ['building'] },
    submit: { from: ['testing'], to: ['awaiting_acceptance'] },
    schedule: { from: [...BEFORE_DEPLOYING, 'deploying'], to: 'same' },
    // a deployment stopped by hand (a window nobody can give, a problem found meanwhile): rolled back like a failed one
    abort: { from: ['deploying'], to: ['rolling_back'] },
    // a deployment tool that took a deployment (202) reports how it went
    report_deployment: { from: ['deploying'], to: 'same' },
    end_support: { from: ['early_life_support'], to: ['closed'] },
    cancel: { from: BEFORE_DEPLOYING, to: ['cancelled'] },
    comment: { from: [...BEFORE_DEPLOYING, 'deploying', 'rolling_back', 'early_life_support'], to: 'same' },
  },
};
/** What a release does by itself: acceptance decided, deployments run, rollback done, early life support ended. */
export const RELEASE_AUTOMATIC: ReadonlyArray<{ from: ReleaseState; to: ReleaseState }> = [
  { from: 'awaiting_acceptance', to: 'deploying' },
  { from: 'awaiting_acceptance', to: 'building' },
  { from: 'awaiting_acceptance', to: 'testing' },
  { from: 'deploying', to: 'early_life_support' },
  { from: 'deploying', to: 'rolling_back' },
  { from: 'rolling_back', to: 'rolled_back' },
  { from: 'early_life_support', to: 'closed' },
];

export interface ReleaseTest {
  name: string;
  mandatory: boolean;
  task: string | null;
  result: 'passed' | 'failed' | null;
  notes: string | null;
}

/**
 * How often a release may go round before it is re-planned (cancelled, and a new release raised):
 * built, submitted for acceptance, and its window set for each environment. Each round adds to the
 * release's history, which must stay bounded; a release that needs more is not under control.
 */
export const RELEASE_ROUNDS = { builds: 20, submissions: 20, windows: 20 } as const;

export interface Deployment {
  environment: string;
  /** how often its window was set by `schedule` (absent: never) */
  scheduled?: number;
  /** what a deployment tool that took the deployment (202) reported later (absent: nothing yet) */
  report?: { status: 'succeeded' | 'failed'; details: string; by: string; at: number } | null;
  production: boolean;
  via: 'task' | 'webhook';
  verify: boolean;
  window: { start: string; end: string } | null;
  state: DeploymentState;
  note: string | null;
  at: number | null;
}

export interface ReleaseFacts {
  state: ReleaseState;
  requestedBy: string;
  group: string;
  tests: ReleaseTest[];
  deployments: Deployment[];
  /** how often it was built (build_done) and submitted for acceptance (absent: never) */
  rounds?: { builds: number; submissions: number };
}

/** What stands in the way of acceptance: tests not done, mandatory tests failed (null: nothing). */
export function acceptanceBlocked(tests: ReleaseTest[]): string | null {
  const running = tests.filter((t) => t.result === null).map((t) => t.name);
  if (running.length) return `tests not done yet: ${running.join(', ')}`;
  const failed = tests.filter((t) => t.mandatory && t.result === 'failed').map((t) => t.name);
  return failed.length ? `a release with a failed mandatory test cannot be accepted: ${failed.join(', ')}` : null;
}

/** What a command naming an environment cannot do to its deployment now (null: nothing in the way). */
function refuseForDeployment(r: ReleaseFacts, command: 'schedule' | 'report_deployment', env: string | undefined): { kind: 'conflict' | 'invalid'; message: string } | null {
  if (env === undefined) return null; // the command's schema refuses one that names none
  const d = r.deployments.find((x) => x.environment === env);
  if (!d) return { kind: 'invalid', message: `there is no environment ${env} in this release (it has ${r.deployments.map((x) => x.environment).join(', ')})` };
  if (command === 'schedule') {
    if (d.state !== 'pending' && d.state !== 'waiting') return { kind: 'conflict', message: `the deployment to ${env} is ${d.state}: its window can no longer move` };
    if ((d.scheduled ?? 0) >= RELEASE_ROUNDS.windows) return { kind: 'conflict', message: `the window for ${env} was set ${RELEASE_ROUNDS.windows} times, the most one environment takes: ${r.state === 'deploying' ? 'abort' : 'cancel'} the release and plan a new one` };
    return null;
  }
  if (d.via !== 'webhook') return { kind: 'conflict', message: `${env} is deployed by a task, not by a deployment tool: complete its deploy task` };
  if (d.state !== 'deploying') return { kind: 'conflict', message: `the deployment to ${env} is ${d.state}: it takes no report` };
  if (d.report) return { kind: 'conflict', message: `the deployment to ${env} was already reported ${d.report.status}` };
  return null;
}

/** Whether a command is legal now and this actor may give it. Release managers are agents or admins. */
export function refuseReleaseCommand(r: ReleaseFacts, command: ReleaseCommand, actor: Actor, input?: unknown): { kind: 'forbidden' | 'conflict' | 'invalid'; message: string } | null {
  const wrongState = refuseByState(RELEASE_TABLE, command, r.state);
  if (wrongState) return wrongState;
  const manager = actor.roles.includes('admin') || actor.roles.includes('agent') || actor.name === r.requestedBy;
  const team = actor.groups.includes(r.group);
  if (command === 'submit') {
    const blocked = acceptanceBlocked(r.tests);
    if (blocked) return { kind: 'conflict', message: blocked };
    if ((r.rounds?.submissions ?? 0) >= RELEASE_ROUNDS.submissions) return { kind: 'conflict', message: `this release was submitted for acceptance ${RELEASE_ROUNDS.submissions} times, the most one takes: cancel it and plan a new release` };
  }
  if (command === 'build_done' && (r.rounds?.builds ?? 0) >= RELEASE_ROUNDS.builds) return { kind: 'conflict', message: `this release was built ${RELEASE_ROUNDS.builds} times, the most one takes: cancel it and plan a new release` };
  // the last environment done, nothing is left to stop: early life support follows (a problem then is an incident, or a new change)
  if (command === 'abort' && r.deployments.length && r.deployments.every((d) => d.state === 'done')) return { kind: 'conflict', message: 'every environment is deployed: there is nothing left to abort' };
  if (command === 'schedule' || command === 'report_deployment') {
    const refused = refuseForDeployment(r, command, (input as { environment?: string } | undefined)?.environment);
    if (refused) return refused;
  }
  switch (command) {
    case 'build':
    case 'build_done':
    case 'rebuild':
    case 'report_deployment':
    case 'comment':
      return manager || team ? null : { kind: 'forbidden', message: `only ${r.group}, the requester or a release manager can ${command === 'comment' ? 'comment on' : command.replace('_', ' ')} this release` };
    default:
      return manager ? null : { kind: 'forbidden', message: `only the requester or a release manager can ${command.replace('_', ' ')} this release` };
  }
}

export function releaseNumber(n: number): string {
  return `REL${String(n).padStart(7, '0')}`;
}

/**
 * What is wrong with a deployment window (empty: nothing): the environment is not the policy's,
 * it is over, it touches a blackout of the release's services, it starts before the previous
 * environment's window, or (production) it lies outside a bundled change's approved window.
 */
export function windowProblems(
  w: { environment: string; start: string; end: string },
  ctx: { now: number; policy: ReleasePolicyBody; blackouts: ChangePolicyBody['blackouts']; services: string[]; changes: Array<{ number: string; plannedStart: string; plannedEnd: string }>; others: Array<{ environment: string; start: string; end: string }> },
): string[] {
  const envs = ctx.policy.environments;
  const i = envs.findIndex((e) => e.name === w.environment);
  if (i < 0) return [`there is no environment ${w.environment} (the release policy has ${envs.map((e) => e.name).join(', ')})`];
  const s = Date.parse(w.start);
  const e = Date.parse(w.end);
  const out: string[] = [];
  if (e <= ctx.now) out.push(`the window for ${w.environment} is over already`);
  out.push(...blackoutsTouched(w, ctx.blackouts, ctx.services).map((b) => `the window for ${w.environment} touches the blackout "${b.name}" (${b.start} to ${b.end})`));
  const windowOf = (name: string) => ctx.others.find((o) => o.environment === name);
  const earlier = envs.slice(0, i).map((x) => windowOf(x.name)).find((o) => o && Date.parse(o.start) > s);
  if (earlier) out.push(`the window for ${w.environment} starts before the window for ${earlier.environment}, which is deployed first`);
  const after = envs.slice(i + 1).map((x) => windowOf(x.name)).find((o) => o && Date.parse(o.start) < s);
  if (after) out.push(`the window for ${w.environment} starts after the window for ${after.environment}, which is deployed after it`);
  if (envs[i].production) {
    for (const c of ctx.changes) {
      if (s < Date.parse(c.plannedStart) || e > Date.parse(c.plannedEnd)) out.push(`the production window lies outside the approved window of ${c.number} (${c.plannedStart} to ${c.plannedEnd})`);
    }
  }
  return out;
}

/** The blackouts of the release's services (or of every service) a window touches. */
export function blackoutsTouched(w: { start: string; end: string }, blackouts: ChangePolicyBody['blackouts'], services: string[]): ChangePolicyBody['blackouts'] {
  const s = Date.parse(w.start);
  const e = Date.parse(w.end);
  return blackouts.filter((b) => (b.services.length === 0 || b.services.some((x) => services.includes(x))) && Date.parse(b.start) < e && Date.parse(b.end) > s);
}

/** The CI updates a release hands its changes when production succeeded: each deliverable's version, by the first change that has its CI. */
export function versionUpdates(deliverables: Array<{ ci: string; version: string }>, changes: Array<{ number: string; configurationItems: string[] }>): Record<string, Array<{ ci: string; attributes: { version: string } }>> {
  const out: Record<string, Array<{ ci: string; attributes: { version: string } }>> = {};
  for (const d of deliverables) {
    const c = changes.find((x) => x.configurationItems.includes(d.ci));
    if (c) (out[c.number] ??= []).push({ ci: d.ci, attributes: { version: d.version } });
  }
  return out;
}

// ---- the record, its history entries and its view ----

export interface ReleaseRecord extends Omit<CreateReleaseInput, 'windows' | 'transition' | 'tests' | 'deliverables'> {
  number: string;
  state: ReleaseState;
  services: string[];
  deliverables: Array<{ ci: string; version: string; from: string | null }>;
  tests: ReleaseTest[];
  transition: string | null;
  build: string | null;
  deployments: Deployment[];
  /** how often it was built and submitted (absent: a release from before these were counted) */
  rounds?: { builds: number; submissions: number };
  acceptance: { policy: { id: string; version: number } | null; outcome: 'approved' | 'rejected'; reason: string; at: number } | null;
  rollback: { environment: string; reason: string; at: number; environments: string[] } | null;
  earlyLifeSupport: {
    from: number;
    until: number;
    extensions: number;
    incidents: Array<{ number: string; priority: string; state: string; openedAt: number }>;
    exit: 'criteria_met' | 'ended_by_hand' | null;
  } | null;
  requestedBy: string;
  openedAt: number;
  closedAt: number | null;
  cancelReason: string | null;
  comments: Array<{ at: number; by: string; text: string }>;
  policy: { release: number };
  seq: number;
}

export type ReleaseEvent = CaseEvent<ReleaseState>;

export interface ReleaseView extends ReleaseRecord {
  approvals: ApprovalRecord[];
  tasks: TaskRecord[];
}

export type ReleaseCommandArgs<C extends ReleaseCommand = ReleaseCommand> = CommandArgs<ReleaseCommandInput<C>>;

/** What the release read of its changes when it was created: what a deployment window is checked against, and which CIs each changes. */
export interface BundledChange {
  number: string;
  plannedStart: string;
  plannedEnd: string;
  configurationItems: string[];
}
