/**
 * Release and deployment [ISO/IEC 20000-1 8.5.3] as one workflow per release; its id is the
 * release number. planning → building → testing (a task per test) → awaiting_acceptance (the
 * matching approval policy) → deploying (each environment of the policy in turn: its window, the
 * deployment by a task or a deployment tool, its verification, all inside the window) →
 * early_life_support (incidents on its CIs linked; closed when no open P1/P2 remains, or extended)
 * → closed. A failed deployment or verification, or a window that closes first, rolls back:
 * rolling_back (a task per environment reached, latest first) → rolled_back, its changes backed
 * out and scheduled again for the next release. The changes are implemented by the release:
 * bundled when it is created, implementing when it deploys, completed (with the CI versions it
 * delivered) when production is done.
 */
import type { UpdateDefinition } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import { SYSTEM, type Actor } from '../domain/actor';
import { matchPolicy } from '../domain/approval';
import type { TaskRecord } from '../domain/task';
import {
  MAX_LINKED_INCIDENTS,
  blackoutsTouched,
  RELEASE_COMMANDS,
  refuseReleaseCommand,
  versionUpdates,
  type BundledChange,
  type CreateReleaseInput,
  type Deployment,
  type ReleaseCommand,
  type ReleaseCommandInput,
  type ReleasePolicyBody,
  type ReleaseRecord,
  type ReleaseState,
  type ReleaseView,
} from '../domain/release';
import type { createActivities } from '../activities';
import { Approvals } from './approval';
import { Case } from './case';
import { commandUpdates, type CommandArgs, type CommandOf, type CommandOutcome } from './case-commands';
import { persistStep } from './persistence';
import { changeBundled, releaseBundles, releaseDeployed, releaseDeploying, releaseLetsGo } from './signals';
import { reads, tell, tellBeforeEnd } from './steps';
import { Tasks } from './task';

const persistRelease = persistStep('persistRelease');
const { loadApprovalPolicies, loadChangePolicy, releaseIncidents } = reads;
/** a deployment tool is asked again while it fails with 5xx or does not answer, until the window closes or ten tries */
const tool = wf.proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});

export type ReleaseCommandArgs = CommandArgs<ReleaseCommandInput<ReleaseCommand>>;
export type ReleaseUpdate = UpdateDefinition<CommandOutcome, [ReleaseCommandArgs]>;
export const releaseUpdates: Record<ReleaseCommand, ReleaseUpdate> = commandUpdates<Record<ReleaseCommand, ReleaseCommandInput<ReleaseCommand>>>('release.', RELEASE_COMMANDS);
export const releaseOpened = wf.defineUpdate<ReleaseView>('release.opened');

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** incident states that no longer hold early life support open */
const SETTLED = ['resolved', 'closed', 'cancelled'];
/** how long a release waits for its changes to answer that they are bundled before it gives up */
const BUNDLING_WAIT = 10 * 60_000;

export interface ReleaseWorkflowInput {
  number: string;
  input: CreateReleaseInput;
  actor: Actor;
  /** the services of its changes */
  services: string[];
  /** each deliverable with the version the CMDB has now */
  deliverables: ReleaseRecord['deliverables'];
  /** its changes as they were when it was created */
  changes: BundledChange[];
  /** the release policy its windows were checked against: it keeps to it */
  policy: { version: number; body: ReleasePolicyBody };
}

export async function releaseWorkflow({ number, input, actor, services, deliverables, changes, policy }: ReleaseWorkflowInput): Promise<ReleaseView> {
  let rec: ReleaseRecord | undefined;
  const view = (): ReleaseView => JSON.parse(JSON.stringify({ ...rec!, approvals: approvals.all, tasks: tasks.all })) as ReleaseView;
  const kase = new Case<ReleaseRecord, ReleaseState>({ kind: 'release', legacy: persistRelease, opened: releaseOpened, view });
  const { record, history } = kase;
  const approvals = new Approvals({ caseId: number, process: 'release', title: () => input.title, requester: actor.name, history, updates: kase.updates });
  const tasks = new Tasks({ caseId: number, process: 'release', history, updates: kase.updates });
  kase.commands({ updates: releaseUpdates, refuse: refuseReleaseCommand, apply });
  // each change answers whether it is bundled: the release goes on only with all of them
  const answers = new Map<string, { bundled: boolean; reason: string | null }>();
  let abortNote: string | null = null;
  /** incidents of early life support beyond the most it links */
  let unlisted: Array<{ number: string; priority: string; state: string }> = [];
  wf.setHandler(changeBundled, ({ change, bundled, reason }) => void answers.set(change, { bundled, reason }));

  function apply(cmd: CommandOf<ReleaseCommand, { [K in ReleaseCommand]: ReleaseCommandInput<K> }>, by: Actor): Promise<unknown> {
    const r = rec!;
    switch (cmd.command) {
      case 'build':
        return record('build', by.name, cmd.input.note ?? null, {}, 'building');
      case 'build_done':
        r.build = cmd.input.build;
        (r.rounds ??= { builds: 0, submissions: 0 }).builds += 1;
        return record('build_done', by.name, cmd.input.note ?? null, { build: cmd.input.build }, 'testing');
      case 'rebuild':
        return record('rebuild', by.name, cmd.input.reason, {}, 'building');
      case 'submit':
        (r.rounds ??= { builds: 0, submissions: 0 }).submissions += 1;
        return record('submit', by.name, cmd.input.note ?? null, {}, 'awaiting_acceptance');
      case 'schedule': {
        const { environment, start, end } = cmd.input;
        const d = r.deployments.find((x) => x.environment === environment)!;
        d.window = { start, end };
        d.scheduled = (d.scheduled ?? 0) + 1;
        return record('schedule', by.name, `${environment}: ${start} to ${end}`, { environment, start, end });
      }
      case 'report_deployment': {
        const { environment, status, details } = cmd.input;
        r.deployments.find((x) => x.environment === environment)!.report = { status, details: details ?? '', by: by.name, at: Date.now() };
        return record('deployment_reported', by.name, `${environment}: ${status}${details ? `: ${details}` : ''}`, { environment, status });
      }
      case 'abort':
        abortNote = cmd.input.reason;
        return record('abort', by.name, cmd.input.reason, {}, 'rolling_back');
      case 'end_support':
        r.earlyLifeSupport!.exit = 'ended_by_hand';
        r.closedAt = Date.now();
        return record('end_support', by.name, cmd.input.reason, { open: openBlocking().map((i) => i.number) }, 'closed');
      case 'cancel':
        return kase.cancel(cmd.input, by, 'cancelled');
      case 'comment':
        return kase.comment(cmd.input, by);
    }
  }

  rec = {
    number,
    state: 'planning',
    title: input.title,
    description: input.description,
    type: input.type,
    group: input.group,
    changes: input.changes,
    services,
    deliverables,
    tests: input.tests.map((t) => ({ name: t.name, mandatory: t.mandatory, task: null, result: null, notes: null })),
    transition: input.transition ?? null,
    build: null,
    rounds: { builds: 0, submissions: 0 },
    deployments: policy.body.environments.map((e) => {
      const w = input.windows.find((x) => x.environment === e.name);
      return { environment: e.name, production: e.production, via: e.deployment.kind, verify: e.verify, window: w ? { start: w.start, end: w.end } : null, state: 'pending', note: null, at: null };
    }),
    acceptance: null,
    rollback: null,
    earlyLifeSupport: null,
    requestedBy: actor.name,
    openedAt: Date.now(),
    closedAt: null,
    cancelReason: null,
    comments: [],
    policy: { release: policy.version },
    seq: 0,
  };
  await kase.open(rec, 'create', actor.name, null, { changes: input.changes, deliverables: deliverables.map((d) => `${d.ci} ${d.from ?? '(none)'} → ${d.version}`) }, 'planning');
  const r = rec;
  const cancelled = () => r.state === 'cancelled';
  if ((await bundle()) && (await prepare())) {
    if (await deployAll()) await earlyLifeSupport();
    else await rollBack();
  }
  if (cancelled()) {
    await approvals.withdraw('the release was cancelled');
    await tellChanges('let go', (c) => wf.getExternalWorkflowHandle(c).signal(releaseLetsGo, { release: number, reason: `${number} was cancelled: ${r.cancelReason}` }));
  }
  await tasks.cancelOpen(`the release is ${r.state}`);
  await wf.condition(wf.allHandlersFinished);
  return view();

  /**
   * Asks each change to be bundled and waits for every answer: one that refuses (it is no longer
   * scheduled, or another release took it first), has no process, or does not answer cancels the
   * release, and the others are let go.
   */
  async function bundle(): Promise<boolean> {
    const missing: string[] = [];
    await tellChanges('bundled', async (c) => {
      try {
        await wf.getExternalWorkflowHandle(c).signal(releaseBundles, { release: number });
      } catch (err) {
        missing.push(c);
        throw err;
      }
    });
    const all = () => r.changes.every((c) => missing.includes(c) || answers.has(c));
    await wf.condition(() => all() || cancelled(), BUNDLING_WAIT);
    if (cancelled()) return false;
    const refused = r.changes.flatMap((c) => {
      const a = answers.get(c);
      return missing.includes(c) ? [`${c} has no running process`] : !a ? [`${c} did not answer`] : a.bundled ? [] : [a.reason ?? `${c} refused`];
    });
    if (!refused.length) {
      await record('changes_bundled', 'system', r.changes.join(', '), { changes: r.changes });
      return true;
    }
    await kase.cancel({ reason: `the changes cannot all be bundled: ${refused.join('; ')}` }, SYSTEM, 'cancelled');
    return false;
  }

  /** Built, tested and accepted (true), or cancelled on the way (false). */
  async function prepare(): Promise<boolean> {
    // tests run once per build: an acceptance refused for want of a policy goes back to testing without running them again
    let tested = false;
    for (;;) {
      await wf.condition(() => r.state === 'testing' || cancelled());
      if (cancelled()) return false;
      if (!tested) await runTests();
      tested = true;
      await wf.condition(() => r.state !== 'testing');
      if (r.state === 'building') {
        await tasks.cancelOpen('the release is being rebuilt');
        tested = false;
        continue;
      }
      if (cancelled()) return false;
      // awaiting acceptance: by the approval policy that matches it now
      const { policies, calendars } = await loadApprovalPolicies();
      if (cancelled()) return false;
      const acceptance = matchPolicy(policies, 'release', { type: r.type, services: r.services, configurationItems: r.deliverables.map((d) => d.ci) });
      if (!acceptance) {
        await record('acceptance_refused', 'system', `no approval policy matches this ${r.type} release: add one (process release) and submit again`, {}, 'testing');
        continue;
      }
      const result = await Promise.race([approvals.run(acceptance, calendars, 'Release acceptance'), wf.condition(cancelled).then(() => null)]);
      // a cancel that came with the last decision wins: the approval's outcome no longer moves the release
      if (result === null || cancelled()) return false;
      r.acceptance = { policy: { id: acceptance.id, version: acceptance.version }, outcome: result.outcome, reason: result.reason, at: Date.now() };
      if (result.outcome === 'rejected') {
        await record('acceptance_rejected', 'system', result.reason, { policy: r.acceptance.policy }, 'building');
        tested = false;
        continue;
      }
      await record('accept', 'system', result.reason, { policy: r.acceptance.policy }, 'deploying');
      return true;
    }
  }

  /** A task per test on the build; each result kept as its task completes. */
  async function runTests() {
    for (const t of r.tests) Object.assign(t, { task: null, result: null, notes: null });
    const runs = r.tests.map((t) => {
      const { task, done } = tasks.open({ type: 'release_test', title: `Test ${number} (${r.build}): ${t.name}${t.mandatory ? '' : ' (optional)'}`, group: r.group });
      t.task = task.id;
      return done.then((done) => {
        if (done.state !== 'completed') return;
        t.result = done.outcome as 'passed' | 'failed';
        t.notes = (done.fields?.results as string) ?? null;
      });
    });
    const finished = Promise.all(runs);
    let allDone = false;
    void finished.then(() => (allDone = true));
    await wf.condition(() => allDone || r.state !== 'testing');
    if (r.state !== 'testing') return;
    const failed = r.tests.filter((t) => t.result === 'failed');
    await record('tests_done', 'system', failed.length ? `failed: ${failed.map((t) => `${t.name}${t.mandatory ? ' (mandatory)' : ''}`).join(', ')}` : `all ${r.tests.length} passed`, { results: r.tests.map((t) => ({ name: t.name, result: t.result })) });
  }

  /** Every environment in turn; false when one failed (its deployment says why). */
  async function deployAll(): Promise<boolean> {
    await tellChanges('deploying', (c) => wf.getExternalWorkflowHandle(c).signal(releaseDeploying, { release: number }));
    // an abort is refused once every environment is done (refuseReleaseCommand): it always finds a step to stop
    for (const d of r.deployments) {
      if (!(await deploy(d))) return false;
    }
    return true;
  }

  /** One environment: its window (outside blackouts as they stand when it opens), then the deployment and its verification inside it. */
  async function deploy(d: Deployment): Promise<boolean> {
    d.state = 'waiting';
    let told = false;
    for (;;) {
      if (!d.window) {
        if (!told) await record('awaiting_window', 'system', `${d.environment} has no deployment window: schedule one (or abort)`, { environment: d.environment });
        told = true;
        await wf.condition(() => d.window !== null || aborted());
        if (aborted()) return fail(d, abortReason(), 'system');
      }
      const w = d.window!;
      // a window moved while waiting for it is waited for anew
      const wait = Date.parse(w.start) - Date.now();
      if (wait > 0 && (await wf.condition(() => d.window !== w || aborted(), wait))) {
        if (aborted()) return fail(d, abortReason(), 'system');
        continue;
      }
      told = true;
      if (Date.parse(w.end) <= Date.now()) {
        d.window = null;
        await record('window_missed', 'system', `the window for ${d.environment} (${w.start} to ${w.end}) was over before its turn came: schedule another`, { environment: d.environment, ...w });
        continue;
      }
      // a blackout declared since the window was scheduled stops it
      const blackouts = blackoutsTouched(w, (await loadChangePolicy()).body.blackouts, r.services);
      if (d.window !== w) continue;
      if (!blackouts.length) break;
      d.window = null;
      await record('window_blocked', 'system', `the window for ${d.environment} touches the blackout ${blackouts.map((b) => `"${b.name}"`).join(', ')}: schedule another`, { environment: d.environment, ...w });
    }
    const w = d.window!;
    const end = Date.parse(w.end);
    d.state = 'deploying';
    d.at = Date.now();
    await record('deploy_started', 'system', `${d.environment} (${d.via}), window until ${w.end}`, { environment: d.environment, via: d.via });
    const deployed = await inWindow(end, () => (d.via === 'webhook' ? callTool(d) : byTask('deploy', `Deploy ${number} (${r.build}) to ${d.environment}`, end)));
    if (!deployed.ok) return fail(d, deployed.note, deployed.by);
    if (d.verify) {
      d.state = 'verifying';
      await record('deployed', deployed.by, `${d.environment}${deployed.note ? `: ${deployed.note}` : ''}`, { environment: d.environment });
      const verified = await inWindow(end, () => byTask('verify_deployment', `Verify ${number} in ${d.environment}`, end));
      if (!verified.ok) return fail(d, verified.aborted ? verified.note : `verification in ${d.environment} failed: ${verified.note}`, verified.by);
    }
    d.state = 'done';
    d.at = Date.now();
    await record('deployment_done', 'system', `${d.environment}: deployed${d.verify ? ' and verified' : ''}`, { environment: d.environment });
    return true;
  }

  /** Stopped by hand: the `abort` command moved the release to rolling_back while it deployed. */
  function aborted() {
    return r.state === 'rolling_back' && r.rollback === null;
  }
  function abortReason() {
    return `aborted: ${abortNote ?? 'by hand'}`;
  }

  /** The deployment failed (or was stopped): the environments reached, this one included unless it never began, roll back latest first. */
  async function fail(d: Deployment, why: string, by: string): Promise<false> {
    const began = d.state !== 'waiting';
    d.state = began ? 'failed' : 'pending';
    d.note = why;
    d.at = Date.now();
    const reached = r.deployments.filter((x) => x.state === 'done' || (began && x === d)).reverse();
    r.rollback = { environment: d.environment, reason: why, at: Date.now(), environments: reached.map((x) => x.environment) };
    await record('deployment_failed', by, why, { environment: d.environment, rollback: r.rollback.environments }, 'rolling_back');
    return false;
  }

  /** A step that must end before the window does: a window that closes first, or an abort, fails it (an open task is cancelled). */
  async function inWindow(end: number, step: () => Promise<{ ok: boolean; note: string; by: string }>): Promise<{ ok: boolean; note: string; by: string; aborted?: boolean }> {
    const scope = new wf.CancellationScope();
    const run = scope.run(step).catch((err: unknown) => {
      if (wf.isCancellation(err)) return null;
      throw err;
    });
    const timer = new wf.CancellationScope();
    const closed = timer.run(() => wf.condition(aborted, Math.max(1, end - Date.now()))).then(
      (stopped) => (stopped ? ('aborted' as const) : ('closed' as const)),
      () => null,
    );
    const first = await Promise.race([run, closed]);
    timer.cancel();
    if (first !== 'closed' && first !== 'aborted' && first !== null) return first;
    scope.cancel();
    await tasks.cancelOpen(first === 'aborted' ? 'the deployment was aborted' : 'the deployment window closed');
    if (first === 'aborted') return { ok: false, note: abortReason(), by: 'system', aborted: true };
    return { ok: false, note: `the window closed at ${new Date(end).toISOString()} before the step was done`, by: 'system' };
  }

  async function byTask(type: 'deploy' | 'verify_deployment', title: string, end: number): Promise<{ ok: boolean; note: string; by: string }> {
    const t = await tasks.run({ type, title, group: r.group, dueAt: end });
    const note = (t.fields?.notes as string | undefined) ?? '';
    return { ok: t.outcome === 'deployed' || t.outcome === 'verified', note, by: t.completedBy ?? 'system' };
  }

  async function callTool(d: Deployment): Promise<{ ok: boolean; note: string; by: string }> {
    const env = policy.body.environments.find((e) => e.name === d.environment)!;
    if (env.deployment.kind !== 'webhook') throw new Error('not a webhook deployment');
    try {
      const answer = await tool.callDeploymentTool({
        url: env.deployment.url,
        key: `${number}:${d.environment}`,
        body: { release: number, title: r.title, environment: d.environment, build: r.build, deliverables: r.deliverables.map(({ ci, version }) => ({ ci, version })), window: d.window },
      });
      if (answer.status !== 'accepted') return { ok: answer.status === 'succeeded', note: answer.details || `the deployment tool answered ${answer.status}`, by: 'system' };
      await record('deployment_accepted', 'system', `${d.environment}: the deployment tool took it${answer.details ? ` (${answer.details})` : ''}; its report is awaited until the window closes`, { environment: d.environment });
    } catch (err) {
      if (wf.isCancellation(err)) throw err;
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      return { ok: false, note: `the deployment tool did not deploy: ${cause}`, by: 'system' };
    }
    // the tool reports through report_deployment (it may have done so before it answered); the window closing first fails the step
    await wf.condition(() => !!d.report);
    const report = d.report!;
    return { ok: report.status === 'succeeded', note: report.details || `the deployment tool reported ${report.status}`, by: report.by };
  }

  /** Every environment reached, latest first, taken back; then the changes back out (their own back-out path). */
  async function rollBack() {
    const rb = r.rollback!;
    for (const env of rb.environments) {
      // a rollback that failed leaves the environment half deployed: it is rolled back again until it is
      for (let attempt = 1; ; attempt++) {
        const t = await tasks.run({ type: 'rollback', title: `Roll ${number} back in ${env}${attempt > 1 ? ` (attempt ${attempt})` : ''}`, group: r.group });
        const done = t.outcome === 'rolled_back';
        if (done) r.deployments.find((x) => x.environment === env)!.state = 'rolled_back';
        await record(done ? 'environment_rolled_back' : 'rollback_failed', t.completedBy ?? 'system', `${env}: ${(t.fields?.notes as string) ?? t.outcome}`, { environment: env, outcome: t.outcome, attempt });
        if (done) break;
      }
    }
    await tellChanges('told the deployment failed', (c) => wf.getExternalWorkflowHandle(c).signal(releaseDeployed, { release: number, result: 'failed', notes: `${number} rolled back: ${rb.reason}`, ciUpdates: [] }));
    r.closedAt = Date.now();
    await record('rolled_back', 'system', rb.reason, { environments: rb.environments }, 'rolled_back');
    await tellBeforeEnd({ key: `${number}:rolled_back`, type: 'release_rolled_back', number, title: r.title, group: r.group, environment: rb.environment, reason: rb.reason, at: Date.now() });
  }

  /** Production done: the changes complete with the versions delivered; support until the exit criteria hold. */
  async function earlyLifeSupport() {
    const updates = versionUpdates(r.deliverables, changes);
    await tellChanges('told production is done', (c) =>
      wf.getExternalWorkflowHandle(c).signal(releaseDeployed, { release: number, result: 'successful', notes: `${number} deployed to production`, ciUpdates: updates[c] ?? [] }),
    );
    const from = Date.now();
    r.earlyLifeSupport = { from, until: from + policy.body.earlyLifeSupportDays * DAY, extensions: 0, incidents: [], exit: null };
    await record('early_life_support', 'system', `until ${new Date(r.earlyLifeSupport.until).toISOString()}`, { until: r.earlyLifeSupport.until }, 'early_life_support');
    const els = r.earlyLifeSupport;
    for (;;) {
      const next = Math.min(els.until, Date.now() + policy.body.checkEveryHours * HOUR);
      if (await wf.condition(() => r.state !== 'early_life_support', Math.max(1, next - Date.now()))) return;
      await checkIncidents();
      if (r.state !== 'early_life_support') return;
      if (Date.now() < els.until) continue;
      const open = openBlocking();
      if (!open.length) {
        els.exit = 'criteria_met';
        r.closedAt = Date.now();
        await record('support_ended', 'system', `exit criteria met: no open ${policy.body.exitPriorities.join('/')} incident on its CIs (${els.incidents.length} linked)`, { incidents: els.incidents.length }, 'closed');
        return;
      }
      els.until += policy.body.extendDays * DAY;
      els.extensions += 1;
      const names = open.map((i) => `${i.number} (${i.priority})`).join(', ');
      await record('support_extended', 'system', `still open: ${names}; until ${new Date(els.until).toISOString()}`, { until: els.until, open: open.map((i) => i.number) });
      tell({ key: `${number}:extended:${els.extensions}`, type: 'release_support_extended', number, title: r.title, group: r.group, until: els.until, open: open.map((i) => i.number), at: Date.now() });
    }
  }

  /** Links the incidents opened on its CIs since support began, and brings the linked ones' state up to date. */
  async function checkIncidents() {
    const els = r.earlyLifeSupport!;
    const found = await releaseIncidents({ cis: r.deliverables.map((d) => d.ci), since: els.from, linked: els.incidents.map((i) => i.number) });
    for (const now of found.linked) Object.assign(els.incidents.find((i) => i.number === now.number) ?? {}, { state: now.state, priority: now.priority });
    const rest = found.opened.filter((i) => !els.incidents.some((x) => x.number === i.number));
    const fresh = rest.slice(0, Math.max(0, MAX_LINKED_INCIDENTS - els.incidents.length));
    // beyond the most it lists, incidents still count in the exit check
    unlisted = rest.slice(fresh.length);
    if (!fresh.length) return;
    els.incidents.push(...fresh);
    await record('incidents_linked', 'system', fresh.map((i) => `${i.number} (${i.priority})`).join(', '), { incidents: fresh.map((i) => i.number) });
  }

  function openBlocking() {
    return [...(r.earlyLifeSupport?.incidents ?? []), ...unlisted].filter((i) => !SETTLED.includes(i.state) && (policy.body.exitPriorities as string[]).includes(i.priority));
  }

  /** Signals each change; one with no running process is said so in the history. */
  async function tellChanges(what: string, signal: (change: string) => Promise<void>) {
    for (const c of rec!.changes) {
      try {
        await signal(c);
      } catch {
        await record('change_not_told', 'system', `${c} has no running process to be ${what}`, { change: c });
      }
    }
  }
}
