/** A resolved problem's verification period, on the time-skipping server. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Actor } from '../../domain/actor';
import type { Models } from '../../models';
import { problemOpened, problemUpdates, problemWorkflow } from '../../workflows/problem';
import { changeClosed } from '../../workflows/signals';
import { openDatabase, startWorker, timeSkippingEnv, type RunningWorker } from '../support/harness';
import { eventually, historyOf } from '../support/incidents';

const DAY = 86_400_000;
let env: TestWorkflowEnvironment;
let models: Models;
let worker: RunningWorker;
const pam: Actor = { name: 'pam', roles: ['agent'], groups: ['problem-team'] };

beforeAll(async () => {
  [env, models] = await Promise.all([timeSkippingEnv(), openDatabase('problem_verification')]);
  worker = await startWorker(env.nativeConnection, 'default', models, { maxCachedWorkflows: 0 });
});
afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await models?.conn.close();
});

it('closes a resolved problem after the verification period when nothing recurs', async () => {
  const number = `PRB9${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;
  const handle = await env.client.workflow.start(problemWorkflow, {
    taskQueue: worker.taskQueue,
    workflowId: number,
    args: [{ number, actor: pam, input: { title: 't', description: 'd', service: 'VPN', category: 'network', impact: 'low', group: 'problem-team', incidents: [] } }],
  });
  await handle.executeUpdate(problemOpened);
  const cmd = (c: keyof typeof problemUpdates, input: object) => handle.executeUpdate(problemUpdates[c], { args: [{ actor: pam, input: input as never }] });
  await cmd('investigate', {});
  await cmd('record_known_error', { symptoms: 's', rootCause: 'r', workaround: 'w' });
  await cmd('link_change', { change: 'CHG0000042' }); // no such change runs: noted in the history
  await handle.signal(changeClosed, { change: 'CHG0000042', outcome: 'successful' });
  const resolved = await eventually(async () => {
    const r = (await models.Problem.findOne({ number }).lean()) as unknown as { state: string; resolvedAt: number };
    expect(r.state).toBe('resolved');
    return r;
  });
  await env.sleep(13 * DAY);
  expect(((await models.Problem.findOne({ number }).lean()) as unknown as { state: string }).state).toBe('resolved');
  await env.sleep(2 * DAY);
  const final = await handle.result();
  expect(final.state).toBe('closed');
  expect(Math.abs(final.closedAt! - (resolved.resolvedAt + 14 * DAY))).toBeLessThan(1000); // within the timer's precision
  const actions = (await historyOf(models, number)).map((e) => e.action);
  expect(actions).toEqual(['raise', 'investigate', 'task_opened', 'record_known_error', 'task_cancelled', 'link_change', 'link_not_delivered', 'resolve', 'close']);
});
