/** A service review's due time on the time-skipping server: the owner reminded once when the review task is overdue; the review waits on for it. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Actor } from '../../domain/actor';
import { reviewPeriod } from '../../domain/review';
import type { Models } from '../../models';
import { reviewOpened, reviewWorkflow, type ReviewRecord } from '../../workflows/review';
import { taskUpdates } from '../../workflows/task';
import { openDatabase, startWorker, timeSkippingEnv, type RunningWorker } from '../support/harness';
import { eventually, historyOf } from '../support/incidents';

const DAY = 86_400_000;
let env: TestWorkflowEnvironment;
let models: Models;
let worker: RunningWorker;
const olga: Actor = { name: 'olga', roles: ['process_owner'], groups: [] };
const sam: Actor = { name: 'sam', roles: ['agent'], groups: [] };

beforeAll(async () => {
  [env, models] = await Promise.all([timeSkippingEnv(), openDatabase('service_review')]);
  worker = await startWorker(env.nativeConnection, 'default', models, { maxCachedWorkflows: 0 });
});
afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await models?.conn.close();
});

it('reminds the service owner once when the review task is overdue, and closes when it is done', async () => {
  const number = `REV9${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;
  const handle = await env.client.workflow.start(reviewWorkflow, {
    taskQueue: worker.taskQueue,
    workflowId: number,
    args: [{ number, actor: olga, sla: { id: 'sla-1', version: 1, name: 'Intranet' }, service: { id: 'svc-77777', name: 'Intranet', owner: 'sam' }, customer: null, period: reviewPeriod('2026-11', 3), group: 'service-level', dueDays: 3 }],
  });
  const opened = await handle.executeUpdate(reviewOpened);
  expect(opened.period.months).toEqual(['2026-09', '2026-10', '2026-11']);
  const task = await eventually(async () => {
    const t = (await models.Task.findOne({ caseId: number }).lean()) as unknown as { id: string; dueAt: number } | null;
    expect(t).not.toBeNull();
    return t!;
  });
  expect(task.dueAt).toBe(opened.dueAt);
  const actions = async () => (await historyOf(models, number)).map((e) => e.action);
  // a service gone from the portfolio: the review runs on without a report, and says so
  await eventually(async () => expect(await actions()).toContain('report_attached'));

  await env.sleep(2 * DAY);
  expect(await actions()).not.toContain('review_overdue');
  await env.sleep(DAY + 60_000);
  await eventually(async () => expect(await actions()).toContain('review_overdue'));
  expect(await models.Notification.countDocuments({ caseId: number, type: 'service_review_overdue' })).toBe(1);
  await env.sleep(10 * DAY); // reminded once, not again
  expect((await actions()).filter((a) => a === 'review_overdue')).toHaveLength(1);

  await handle.executeUpdate(taskUpdates.complete, { args: [{ taskId: task.id, actor: sam, input: { outcome: 'satisfactory', fields: { minutes: 'late but fine' } } }] });
  const done = (await handle.result()) as ReviewRecord;
  expect(done).toMatchObject({ state: 'closed', outcome: { result: 'satisfactory', minutes: 'late but fine', by: 'sam' } });
  expect(done.overdueAt! - opened.dueAt).toBeLessThan(1000);
  expect(done.report).toBeNull();
});
