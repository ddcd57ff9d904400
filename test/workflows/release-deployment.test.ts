/**
 * A release's timers on the time-skipping server: each deployment waits for its window; a window
 * that closes before the deployment is done rolls the release back; early life support runs for
 * the policy's period, links incidents on the release's CIs, extends itself while a P1 is open and
 * closes when none is; a deployment tool is called with one idempotency key however often it is
 * retried, and its answer completes the step.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Actor } from '../../domain/actor';
import { DEFAULT_RELEASE_POLICY, type CreateReleaseInput, type ReleasePolicyBody, type ReleaseView } from '../../domain/release';
import type { TaskRecord } from '../../domain/task';
import type { Models } from '../../models';
import { latestPolicy, putPolicy } from '../../models/policies';
import { decideApproval } from '../../workflows/approval';
import { releaseOpened, releaseUpdates, releaseWorkflow } from '../../workflows/release';
import { taskUpdates } from '../../workflows/task';
import { openDatabase, startWorker, timeSkippingEnv, type RunningWorker } from '../support/harness';
import { eventually, historyOf } from '../support/incidents';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
let env: TestWorkflowEnvironment;
let models: Models;
let worker: RunningWorker;
const rita: Actor = { name: 'rita', roles: ['agent'], groups: ['release-managers'] };
const otto: Actor = { name: 'otto', roles: ['agent'], groups: ['ops'] };
const ann: Actor = { name: 'ann', roles: ['approver'], groups: [] };
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  [env, models] = await Promise.all([timeSkippingEnv(), openDatabase('release_deployment')]);
  await putPolicy(models, 'approval-policy', 'ap-1', {
    name: 'Release acceptance', description: '', process: 'release', rank: 1, enabled: true, match: [],
    stages: [{ name: 'Owner', approvers: { users: ['ann'], groups: [] }, mode: 'any', deadline: { businessMinutes: 6000, calendarId: '24x7' }, onDeadline: { action: 'reject' } }],
  }, 'owner');
  worker = await startWorker(env.nativeConnection, 'default', models, { maxCachedWorkflows: 0 });
});
afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await models?.conn.close();
});

let seq = 0;
const input = (over: Partial<CreateReleaseInput> = {}): CreateReleaseInput => ({
  title: 'App 2.0', description: 'd', type: 'minor', group: 'ops', changes: [], deliverables: [{ ci: 'app-1', version: '2.0' }], tests: [{ name: 'smoke', mandatory: true }], windows: [], ...over,
});
const actions = async (n: string) => (await historyOf(models, n)).map((e) => e.action);
const openTask = (caseId: string, type: string) =>
  eventually(async () => {
    const t = (await models.Task.findOne({ caseId, type, state: { $in: ['open', 'claimed'] } }).lean()) as unknown as TaskRecord | null;
    expect(t).not.toBeNull();
    return t!;
  });

/** A release started, built, tested and submitted: awaiting acceptance by its pending approval, its windows from `windows(openedAt)`. */
async function submittedRelease(windows: (t: number) => Array<{ environment: string; start: string; end: string }>) {
  const number = `REL9${String(++seq).padStart(3, '0')}${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const handle = await env.client.workflow.start(releaseWorkflow, { taskQueue: worker.taskQueue, workflowId: number, args: [{ number, input: input(), actor: rita, services: [], deliverables: [{ ci: 'app-1', version: '2.0', from: '1.0' }], changes: [], policy: await latestPolicy<ReleasePolicyBody>(models, 'release', 'default') }] });
  const opened = await handle.executeUpdate(releaseOpened);
  for (const w of windows(opened.openedAt)) await handle.executeUpdate(releaseUpdates.schedule, { args: [{ actor: rita, input: w }] });
  await handle.executeUpdate(releaseUpdates.build, { args: [{ actor: rita, input: {} }] });
  await handle.executeUpdate(releaseUpdates.build_done, { args: [{ actor: otto, input: { build: 'b1' } }] });
  const test = await openTask(number, 'release_test');
  await done(handle, test, 'passed', { results: 'ok' });
  await eventually(async () => expect((await handle.executeUpdate(releaseUpdates.submit, { args: [{ actor: rita, input: {} }] })).state).toBe('awaiting_acceptance'));
  const approval = await eventually(async () => {
    const a = await models.Approval.findOne({ caseId: number }).lean();
    expect(a).not.toBeNull();
    return a as unknown as { id: string };
  });
  return { number, handle, openedAt: opened.openedAt, approval: approval.id };
}
const approve = (handle: Awaited<ReturnType<typeof submittedRelease>>['handle'], approvalId: string) =>
  handle.executeUpdate(decideApproval, { args: [{ approvalId, actor: ann, onBehalfOf: 'ann', delegation: null, decision: 'approve', comment: 'go' }] });

/** A release started, built, tested and accepted: deploying, its windows from `windows(openedAt)`. */
async function acceptedRelease(windows: (t: number) => Array<{ environment: string; start: string; end: string }>) {
  const { number, handle, openedAt, approval } = await submittedRelease(windows);
  await approve(handle, approval);
  await eventually(async () => expect(await actions(number)).toContain('accept'));
  return { number, handle, openedAt };
}
type Handle = Awaited<ReturnType<typeof submittedRelease>>['handle'];
const done = (handle: Handle, t: TaskRecord, outcome: string, fields: Record<string, string> = {}) => handle.executeUpdate(taskUpdates.complete, { args: [{ taskId: t.id, actor: otto, input: { outcome, fields } }] });
const tasksOf = async (n: string, type: string) => (await models.Task.find({ caseId: n, type }).lean()) as unknown as TaskRecord[];

it('waits for each window, and rolls back when a window closes before the deployment is done', async () => {
  const win = (t: number, env: string, day: number) => ({ environment: env, start: iso(t + day * DAY), end: iso(t + day * DAY + 4 * HOUR) });
  const { number, handle } = await acceptedRelease((t) => [win(t, 'test', 1), win(t, 'staging', 2), win(t, 'production', 3)]);
  // not before the test window opens
  await env.sleep(DAY - HOUR);
  expect(await tasksOf(number, 'deploy')).toHaveLength(0);
  await env.sleep(2 * HOUR);
  await done(handle, await openTask(number, 'deploy'), 'deployed');
  await done(handle, await openTask(number, 'verify_deployment'), 'verified');
  await eventually(async () => expect(await actions(number)).toContain('deployment_done'));
  // staging opens a day later; its deployment is never done, and the window closes on it
  await env.sleep(DAY);
  const staging = await openTask(number, 'deploy');
  expect(staging.title).toContain('to staging');
  expect(await actions(number)).not.toContain('deployment_failed');
  await env.sleep(4 * HOUR);
  await eventually(async () => expect(await actions(number)).toContain('deployment_failed'));
  expect(((await models.Task.findOne({ id: staging.id }).lean()) as unknown as TaskRecord).state).toBe('cancelled');
  // a rollback that fails is done again, until the environment is back as it was
  const first = await openTask(number, 'rollback');
  expect(first.title).toContain('in staging');
  await done(handle, first, 'failed', { notes: 'the old build will not start' });
  const again = await eventually(async () => {
    const t = (await tasksOf(number, 'rollback')).find((x) => x.state === 'open');
    expect(t?.title).toContain('in staging (attempt 2)');
    return t!;
  });
  await done(handle, again, 'rolled_back', { notes: 'restored from the image' });
  await eventually(async () => expect((await tasksOf(number, 'rollback')).length).toBe(3));
  const test = await openTask(number, 'rollback');
  expect(test.title).toContain('in test');
  await done(handle, test, 'rolled_back', { notes: 'gone' });
  const end = (await handle.result()) as ReleaseView;
  expect(end).toMatchObject({ state: 'rolled_back', rollback: { environment: 'staging', environments: ['staging', 'test'] } });
  expect(end.rollback!.reason).toMatch(/^the window closed at .* before the step was done$/);
  expect(end.deployments.map((d) => d.state)).toEqual(['rolled_back', 'rolled_back', 'pending']);
  expect(await models.Notification.countDocuments({ caseId: number, type: 'release_rolled_back' })).toBe(1);
});

it('supports early life for the policy’s period, links incidents on its CIs, extends itself while a P1 is open and closes when none is', async () => {
  const { number, handle } = await acceptedRelease((t) => ['test', 'staging', 'production'].map((e) => ({ environment: e, start: iso(t), end: iso(t + DAY) })));
  for (let i = 0; i < 3; i++) {
    await done(handle, await openTask(number, 'deploy'), 'deployed');
    await done(handle, await openTask(number, 'verify_deployment'), 'verified');
  }
  const els = await eventually(async () => {
    const r = (await models.Release.findOne({ number }).lean()) as unknown as ReleaseView;
    expect(r.state).toBe('early_life_support');
    return r.earlyLifeSupport!;
  });
  expect(els.until - els.from).toBe(DEFAULT_RELEASE_POLICY.earlyLifeSupportDays * DAY);
  // an incident on its CI opened in early life support (and one from before it, not linked)
  const incident = (n: string, priority: string, openedAt: number) => ({ _id: n, number: n, state: 'in_progress', priority, configurationItem: 'app-1', openedAt, open: true, seq: 1 });
  await models.Incident.collection.insertMany([incident(`INC9${number.slice(4)}1`, 'P1', els.from + HOUR), incident(`INC9${number.slice(4)}2`, 'P1', els.from - HOUR)] as never[]);
  await env.sleep(DAY + MIN);
  await eventually(async () => expect(await actions(number)).toContain('incidents_linked'));
  expect(((await models.Release.findOne({ number }).lean()) as unknown as ReleaseView).earlyLifeSupport!.incidents.map((i) => i.number)).toEqual([`INC9${number.slice(4)}1`]);
  await env.sleep(13 * DAY);
  await eventually(async () => expect(await actions(number)).toContain('support_extended'));
  expect(await models.Notification.countDocuments({ caseId: number, type: 'release_support_extended' })).toBe(1);
  await models.Incident.collection.updateOne({ _id: `INC9${number.slice(4)}1` } as never, { $set: { state: 'resolved' } });
  const end = (await handle.result()) as ReleaseView;
  expect(end).toMatchObject({ state: 'closed', earlyLifeSupport: { extensions: 1, exit: 'criteria_met' } });
  // closed when the extended period ended (the check that found it settled takes a moment), not before
  const after = end.closedAt! - els.from - (DEFAULT_RELEASE_POLICY.earlyLifeSupportDays + DEFAULT_RELEASE_POLICY.extendDays) * DAY;
  expect(after).toBeGreaterThanOrEqual(0);
  expect(after).toBeLessThan(MIN);
});

it('asks a deployment tool with one idempotency key through its retries; its answer completes the step', async () => {
  const calls: Array<{ key: string | undefined; body: Record<string, unknown> }> = [];
  const tool = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      calls.push({ key: req.headers['idempotency-key'] as string | undefined, body: JSON.parse(text) });
      if (calls.length === 1) return void res.writeHead(503).end('busy');
      // the same key still being deployed: asked again later
      if (calls.length === 2) return void res.writeHead(409).end('in progress');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'succeeded', details: 'deployed by the tool' }));
    });
  });
  await new Promise<void>((r) => tool.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(tool.address() as AddressInfo).port}/deploy`;
    await putPolicy(models, 'release', 'default', { ...DEFAULT_RELEASE_POLICY, environments: [{ name: 'production', production: true, deployment: { kind: 'webhook', url }, verify: false }] }, 'owner');
    const { number, handle } = await acceptedRelease((t) => [{ environment: 'production', start: iso(t), end: iso(t + DAY) }]);
    await eventually(async () => expect(await actions(number)).toContain('early_life_support'), 30_000);
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.key))).toEqual(new Set([`${number}:production`]));
    expect(calls[2].body).toMatchObject({ release: number, environment: 'production', build: 'b1', deliverables: [{ ci: 'app-1', version: '2.0' }] });
    expect((await historyOf(models, number)).find((e) => e.action === 'deployment_done')).toBeDefined();
    await handle.executeUpdate(releaseUpdates.end_support, { args: [{ actor: rita, input: { reason: 'handed over' } }] });
    expect(((await handle.result()) as ReleaseView).state).toBe('closed');
  } finally {
    tool.close();
    await putPolicy(models, 'release', 'default', DEFAULT_RELEASE_POLICY, 'owner');
  }
});

it('waits for the report of a deployment tool that took the deployment (202), and rolls back when the window closes first', async () => {
  const keys: string[] = [];
  const tool = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      keys.push(req.headers['idempotency-key'] as string);
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ details: `pipeline #${keys.length} started` }));
    });
  });
  await new Promise<void>((r) => tool.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(tool.address() as AddressInfo).port}/deploy`;
    await putPolicy(models, 'release', 'default', { ...DEFAULT_RELEASE_POLICY, environments: [{ name: 'staging', production: false, deployment: { kind: 'webhook', url }, verify: false }, { name: 'production', production: true, deployment: { kind: 'webhook', url }, verify: false }] }, 'owner');
    const { number, handle } = await acceptedRelease((t) => [{ environment: 'staging', start: iso(t), end: iso(t + 4 * HOUR) }, { environment: 'production', start: iso(t + DAY), end: iso(t + DAY + 2 * HOUR) }]);
    const report = (environment: string, status: 'succeeded' | 'failed', details?: string) => handle.executeUpdate(releaseUpdates.report_deployment, { args: [{ actor: otto, input: { environment, status, details } }] });
    /** what the workflow refused an update with */
    const refused = (p: Promise<unknown>) => p.then(() => 'accepted', (err: { cause?: { message?: string } }) => err.cause?.message);
    await eventually(async () => expect(await actions(number)).toContain('deployment_accepted'));
    // taken, not done: the staging deployment waits for the tool's report
    expect(await refused(report('production', 'succeeded'))).toBe('the deployment to production is pending: it takes no report');
    await report('staging', 'succeeded', 'pipeline #1 green');
    await eventually(async () => expect(await actions(number)).toContain('deployment_done'));
    expect(await refused(report('staging', 'failed'))).toBe('the deployment to staging is done: it takes no report');

    // production: the tool takes it and never reports; the window closes on it and the release rolls back
    await env.sleep(DAY + MIN);
    await eventually(async () => expect((await actions(number)).filter((a) => a === 'deployment_accepted')).toHaveLength(2));
    expect(await actions(number)).not.toContain('deployment_failed');
    await env.sleep(2 * HOUR);
    const failed = await eventually(async () => {
      const e = (await historyOf(models, number)).find((x) => x.action === 'deployment_failed');
      expect(e).toBeDefined();
      return e!;
    });
    expect(failed.note).toMatch(/^the window closed at .* before the step was done$/);
    expect(await refused(report('production', 'succeeded', 'late'))).toBe('cannot report deployment a release that is rolling back');
    // latest first: production, then staging
    for (const environment of ['production', 'staging']) {
      const t = await eventually(async () => {
        const open = (await tasksOf(number, 'rollback')).find((x) => x.state === 'open' && x.title.includes(`in ${environment}`));
        expect(open).toBeDefined();
        return open!;
      });
      await done(handle, t, 'rolled_back', { notes: 'restored' });
    }
    const end = (await handle.result()) as ReleaseView;
    expect(end.state).toBe('rolled_back');
    expect(end.deployments.map((d) => [d.environment, d.state, d.report?.status ?? null])).toEqual([['staging', 'rolled_back', 'succeeded'], ['production', 'rolled_back', null]]);
    expect(keys).toEqual([`${number}:staging`, `${number}:production`]);
  } finally {
    tool.close();
    await putPolicy(models, 'release', 'default', DEFAULT_RELEASE_POLICY, 'owner');
  }
});

it('takes either a cancel or the last acceptance decision that come together, never both', async () => {
  // both sent at once, so they often reach the workflow in one task: whichever it takes first wins, and the other changes nothing
  for (let round = 0; round < 3; round++) {
    const { number, handle, approval } = await submittedRelease(() => []);
    const [decided, cancel] = await Promise.allSettled([approve(handle, approval), handle.executeUpdate(releaseUpdates.cancel, { args: [{ actor: rita, input: { reason: 'superseded' } }] })]);
    const history = await eventually(async () => {
      const h = await actions(number);
      expect(h.some((a) => a === 'accept' || a === 'cancel')).toBe(true);
      return h;
    });
    if (cancel.status === 'fulfilled') {
      expect(((await handle.result()) as ReleaseView).state).toBe('cancelled');
      expect(history).not.toContain('accept');
      expect(await tasksOf(number, 'deploy')).toHaveLength(0);
    } else {
      // accepted first: deploying, and a cancel is no longer possible
      expect(decided.status).toBe('fulfilled');
      expect((cancel.reason as { cause?: { message?: string } }).cause?.message).toBe('cannot cancel a release that is deploying');
      expect(history).not.toContain('cancel');
      await handle.terminate('test over');
    }
  }
});

it('is cancelled, its other changes let go, when a change cannot be bundled', async () => {
  const number = `REL9${String(++seq).padStart(3, '0')}${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const handle = await env.client.workflow.start(releaseWorkflow, {
    taskQueue: worker.taskQueue,
    workflowId: number,
    args: [{ number, input: input({ changes: ['CHG9999998'] }), actor: rita, services: [], deliverables: [{ ci: 'app-1', version: '2.0', from: '1.0' }], changes: [], policy: await latestPolicy<ReleasePolicyBody>(models, 'release', 'default') }],
  });
  await handle.executeUpdate(releaseOpened);
  const end = (await handle.result()) as ReleaseView;
  expect(end).toMatchObject({ state: 'cancelled', cancelReason: 'the changes cannot all be bundled: CHG9999998 has no running process' });
});

it('stops at a window a blackout now covers, and rolls back what it reached when aborted', async () => {
  const { number, handle, openedAt } = await acceptedRelease((t) => [{ environment: 'test', start: iso(t + DAY), end: iso(t + DAY + 4 * HOUR) }]);
  const change = await latestPolicy<Record<string, unknown>>(models, 'change', 'default');
  await putPolicy(models, 'change', 'default', { ...change.body, blackouts: [{ name: 'Year-end freeze', start: iso(openedAt + DAY - HOUR), end: iso(openedAt + 2 * DAY), services: [] }] }, 'owner');
  try {
    await env.sleep(DAY + MIN);
    await eventually(async () => expect(await actions(number)).toContain('window_blocked'));
    expect(await tasksOf(number, 'deploy')).toHaveLength(0);
    await handle.executeUpdate(releaseUpdates.abort, { args: [{ actor: rita, input: { reason: 'the freeze outlasts the changes' } }] });
    const end = (await handle.result()) as ReleaseView;
    // nothing was deployed: nothing to roll back, and the release ends rolled back
    expect(end).toMatchObject({ state: 'rolled_back', rollback: { environment: 'test', reason: 'aborted: the freeze outlasts the changes', environments: [] } });
    expect(end.deployments.map((d) => d.state)).toEqual(['pending', 'pending', 'pending']);
  } finally {
    await putPolicy(models, 'change', 'default', change.body, 'owner');
  }
});

it('gives up on a change that does not answer its bundling, and is cancelled saying so', async () => {
  const policy = await latestPolicy<ReleasePolicyBody>(models, 'release', 'default');
  const start = (number: string, changes: string[]) =>
    env.client.workflow.start(releaseWorkflow, { taskQueue: worker.taskQueue, workflowId: number, args: [{ number, input: input({ changes }), actor: rita, services: [], deliverables: [{ ci: 'app-1', version: '2.0', from: '1.0' }], changes: [], policy }] });
  // a workflow under the change's number that is not a change: it takes the signal and never answers
  const silent = `CHG9${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;
  const other = await start(silent, []);
  await other.executeUpdate(releaseOpened);
  const number = `REL9${String(++seq).padStart(3, '0')}${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const handle = await start(number, [silent]);
  const opened = await handle.executeUpdate(releaseOpened);
  const end = (await handle.result()) as ReleaseView;
  expect(end).toMatchObject({ state: 'cancelled', cancelReason: `the changes cannot all be bundled: ${silent} did not answer` });
  // after ten minutes, not before
  expect(end.closedAt! - opened.openedAt).toBeGreaterThanOrEqual(10 * MIN);
  expect(end.closedAt! - opened.openedAt).toBeLessThan(11 * MIN);
  await other.terminate('test over');
});
