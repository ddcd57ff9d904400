/** PDCA actions on the time-skipping server: a reminder before the due date, an escalation after it. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Actor } from '../../domain/actor';
import type { Models } from '../../models';
import { improvementOpened, improvementUpdates, improvementWorkflow } from '../../workflows/improvement';
import { taskUpdates } from '../../workflows/task';
import { openDatabase, startWorker, timeSkippingEnv, type RunningWorker } from '../support/harness';
import { eventually, historyOf } from '../support/incidents';

const DAY = 86_400_000;
let env: TestWorkflowEnvironment;
let models: Models;
let worker: RunningWorker;
const ian: Actor = { name: 'ian', roles: ['improvement_manager'], groups: [] };
const dora: Actor = { name: 'dora', roles: ['agent'], groups: ['service-desk'] };

beforeAll(async () => {
  [env, models] = await Promise.all([timeSkippingEnv(), openDatabase('improvement_actions')]);
  worker = await startWorker(env.nativeConnection, 'default', models, { maxCachedWorkflows: 0 });
});
afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await models?.conn.close();
});

it('reminds the group a day before an action is due, escalates once it is overdue, and moves on when it is done', async () => {
  const number = `IMP9${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;
  const handle = await env.client.workflow.start(improvementWorkflow, {
    taskQueue: worker.taskQueue,
    workflowId: number,
    args: [{ number, actor: ian, input: { title: 't', description: 'd', source: 'suggestion', service: 'Desk', owner: 'ian', benefit: 'b' } }],
  });
  await handle.executeUpdate(improvementOpened);
  const now = await env.currentTimeMs();
  const due = new Date(now + 3 * DAY).toISOString();
  const planned = await handle.executeUpdate(improvementUpdates.plan, {
    args: [{ actor: ian, input: { objective: 'o', targets: [{ name: 'fcr', description: 'd', baseline: 60, target: 75, unit: '%' }], actions: [{ title: 'Train the desk', group: 'service-desk', due }] } }],
  });
  expect(planned.state).toBe('approval'); // no approval policy applies: it goes straight on
  const task = await eventually(async () => {
    const t = (await models.Task.findOne({ caseId: number }).lean()) as unknown as { id: string } | null;
    expect(t).not.toBeNull();
    return t!;
  });
  const actions = async () => (await historyOf(models, number)).map((e) => e.action);

  await env.sleep(DAY);
  expect(await actions()).not.toContain('action_reminder');
  await env.sleep(DAY + 60_000); // a day before the due date
  await eventually(async () => expect(await actions()).toContain('action_reminder'));
  expect(await actions()).not.toContain('action_overdue');
  await env.sleep(DAY);
  await eventually(async () => expect(await actions()).toContain('action_overdue'));
  expect(await models.Notification.countDocuments({ caseId: number, type: 'improvement_action_overdue' })).toBe(1);
  const rec = (await models.Improvement.findOne({ number }).lean()) as unknown as { cycles: Array<{ actions: Array<{ remindedAt: number; escalatedAt: number }> }> };
  expect(rec.cycles[0].actions[0].escalatedAt - Date.parse(due)).toBeLessThan(1000);

  await handle.executeUpdate(taskUpdates.complete, { args: [{ taskId: task.id, actor: dora, input: { outcome: 'done', fields: {} } }] });
  await eventually(async () => expect(((await models.Improvement.findOne({ number }).lean()) as unknown as { state: string }).state).toBe('check'));
});
