/** A CI verification's due time on the time-skipping server: the groups still holding tasks reminded once; the case waits on and closes when the last is done. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Actor } from '../../domain/actor';
import { DEFAULT_CI_VERIFICATION_POLICY, type VerificationRecord } from '../../domain/verification';
import type { Models } from '../../models';
import { taskUpdates } from '../../workflows/task';
import { verificationOpened, verificationWorkflow } from '../../workflows/verification';
import { openDatabase, startWorker, timeSkippingEnv, type RunningWorker } from '../support/harness';
import { eventually, historyOf } from '../support/incidents';

const DAY = 86_400_000;
let env: TestWorkflowEnvironment;
let models: Models;
let worker: RunningWorker;
const olga: Actor = { name: 'olga', roles: ['process_owner'], groups: [] };
const oscar: Actor = { name: 'oscar', roles: ['agent'], groups: ['ops'] };
const nils: Actor = { name: 'nils', roles: ['agent'], groups: ['network'] };

beforeAll(async () => {
  [env, models] = await Promise.all([timeSkippingEnv(), openDatabase('ci_verification')]);
  worker = await startWorker(env.nativeConnection, 'default', models, { maxCachedWorkflows: 0 });
});
afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await models?.conn.close();
});

it('reminds the groups still holding tasks once when they are overdue, and closes when the last CI is verified', async () => {
  const number = `VER9${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;
  const item = (ci: string, group: string) => ({ ci, class: 'server', group, service: 'Configuration management', verifiedAt: null });
  const handle = await env.client.workflow.start(verificationWorkflow, {
    taskQueue: worker.taskQueue,
    workflowId: number,
    args: [{ number, actor: olga, policy: { version: 1, body: { ...DEFAULT_CI_VERIFICATION_POLICY, dueDays: 3, onDifference: 'record' } }, items: [item('web-9', 'ops'), item('sw-9', 'network')] }],
  });
  await handle.executeUpdate(verificationOpened);
  const tasks = await eventually(async () => {
    const t = (await models.Task.find({ caseId: number }).sort({ createdAt: 1, _id: 1 }).lean()) as unknown as Array<{ id: string; group: string }>;
    expect(t).toHaveLength(2);
    return t;
  });
  await handle.executeUpdate(taskUpdates.complete, { args: [{ taskId: tasks[0].id, actor: oscar, input: { outcome: 'verified', fields: {} } }] });
  const actions = async () => (await historyOf(models, number)).map((e) => e.action);

  await env.sleep(2 * DAY);
  expect(await actions()).not.toContain('verification_overdue');
  await env.sleep(DAY + 60_000);
  await eventually(async () => expect(await actions()).toContain('verification_overdue'));
  const overdue = (await historyOf(models, number)).find((e) => e.action === 'verification_overdue')!;
  expect(overdue.details).toMatchObject({ cis: ['sw-9'], groups: ['network'] });
  expect(await models.Notification.countDocuments({ caseId: number, type: 'ci_verification_overdue' })).toBe(1);
  await env.sleep(10 * DAY);
  expect((await actions()).filter((a) => a === 'verification_overdue')).toHaveLength(1);

  // a difference recorded only (the policy's 'record'): nothing opened
  await handle.executeUpdate(taskUpdates.complete, { args: [{ taskId: tasks[1].id, actor: nils, input: { outcome: 'different', fields: { findings: 'a port is patched that the record lacks' } } }] });
  const done = (await handle.result()) as VerificationRecord;
  expect(done.state).toBe('closed');
  expect(done.items.map((i) => [i.ci, i.result, i.opened])).toEqual([['web-9', 'verified', null], ['sw-9', 'different', null]]);
  expect(done.overdueAt).not.toBeNull();
});
