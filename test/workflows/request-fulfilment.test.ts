/**
 * A request's SLA fulfilment target on the time-skipping server: business time on the SLA's
 * calendar from the start of fulfilment, the groups still holding tasks warned and then told of the
 * breach, and the record saying whether it was met.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Actor } from '../../domain/actor';
import { DEFAULT_CALENDARS } from '../../domain/calendar';
import type { CatalogItem, FulfilmentAgreement, RequestRecord } from '../../domain/request';
import type { Models } from '../../models';
import { requestOpened, requestWorkflow } from '../../workflows/request';
import { taskUpdates } from '../../workflows/task';
import { openDatabase, startWorker, timeSkippingEnv, type RunningWorker } from '../support/harness';
import { eventually, historyOf } from '../support/incidents';

const HOUR = 3_600_000;
let env: TestWorkflowEnvironment;
let models: Models;
let worker: RunningWorker;
const rita: Actor = { name: 'rita', roles: ['requester'], groups: [] };
const fred: Actor = { name: 'fred', roles: ['agent'], groups: ['field'] };

beforeAll(async () => {
  [env, models] = await Promise.all([timeSkippingEnv(), openDatabase('request_fulfilment')]);
  worker = await startWorker(env.nativeConnection, 'default', models, { maxCachedWorkflows: 0 });
});
afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await models?.conn.close();
});

const item: CatalogItem = {
  id: 'cat-9001', version: 1, name: 'Laptop', description: '', category: 'hardware', active: true, form: [], service: 'svc-1', approvalPolicy: null,
  fulfilment: { mode: 'sequential', tasks: [{ title: 'Image the laptop', group: 'field' }] }, autoCloseDays: 3,
};
const around = DEFAULT_CALENDARS.find((c) => c.id === '24x7')!;
const agreement = (minutes: number): FulfilmentAgreement => ({ sla: { id: 'sla-1', version: 2, name: 'Desk for Acme' }, fulfilmentMinutes: minutes, warningPercent: 50, calendar: { ...around.body, id: '24x7', version: 1 } });

async function raise(minutes: number) {
  const number = `REQ9${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;
  const handle = await env.client.workflow.start(requestWorkflow, {
    taskQueue: worker.taskQueue,
    workflowId: number,
    args: [{ number, item, fields: {}, requestedFor: 'rita', actor: rita, customer: 'Acme', agreement: agreement(minutes) }],
  });
  await handle.executeUpdate(requestOpened);
  const task = await eventually(async () => {
    const t = (await models.Task.findOne({ caseId: number }).lean()) as unknown as { id: string } | null;
    expect(t).not.toBeNull();
    return t!;
  });
  const record = async () => (await models.Request.findOne({ number }).lean()) as unknown as RequestRecord;
  const actions = async () => (await historyOf(models, number)).map((e) => e.action);
  return { number, handle, task, record, actions };
}

it('warns the group holding the task at the warning share, records the breach at the due time, and keeps the target missed', async () => {
  const r = await raise(240); // 4 h around the clock, warned at 2 h
  const target = (await eventually(async () => {
    const t = (await r.record()).fulfilment.target;
    expect(t).toBeTruthy();
    return t!;
  }))!;
  expect(target.dueAt - target.startedAt).toBe(4 * HOUR);
  expect(target.warningAt - target.startedAt).toBe(2 * HOUR);
  expect(target).toMatchObject({ sla: { id: 'sla-1', version: 2 }, calendar: { id: '24x7', version: 1 }, met: null, endedAt: null });

  await env.sleep(HOUR);
  expect(await r.actions()).not.toContain('fulfilment_warning');
  await env.sleep(HOUR + 60_000);
  await eventually(async () => expect(await r.actions()).toContain('fulfilment_warning'));
  expect(await r.actions()).not.toContain('fulfilment_breach');
  await env.sleep(2 * HOUR);
  await eventually(async () => expect(await r.actions()).toContain('fulfilment_breach'));
  const told = await models.Notification.find({ caseId: r.number }).lean();
  expect(told.map((n) => n.type).sort()).toEqual(['request_breach', 'request_warning']);
  expect((told[0].payload as { groups: string[] }).groups).toEqual(['field']);

  await r.handle.executeUpdate(taskUpdates.complete, { args: [{ taskId: r.task.id, actor: fred, input: { outcome: 'done', fields: {} } }] });
  await eventually(async () => expect((await r.record()).state).toBe('fulfilled'));
  const ended = (await r.record()).fulfilment.target!;
  expect(ended.met).toBe(false);
  expect(ended.endedAt).toBeGreaterThan(ended.dueAt);
  expect((await r.record()).customer).toBe('Acme');
});

it('records the target met and sends nothing when fulfilment ends in time', async () => {
  const r = await raise(240);
  await eventually(async () => expect((await r.record()).fulfilment.target).toBeTruthy());
  await env.sleep(HOUR);
  await r.handle.executeUpdate(taskUpdates.complete, { args: [{ taskId: r.task.id, actor: fred, input: { outcome: 'done', fields: {} } }] });
  await eventually(async () => expect((await r.record()).state).toBe('fulfilled'));
  expect((await r.record()).fulfilment.target!.met).toBe(true);
  // the timers of the ended clock fire nothing
  await env.sleep(5 * HOUR);
  expect(await r.actions()).not.toContain('fulfilment_warning');
  expect(await models.Notification.countDocuments({ caseId: r.number })).toBe(0);
});

it('keeps a target missed when fulfilment fails, however quickly', async () => {
  const r = await raise(240);
  await eventually(async () => expect((await r.record()).fulfilment.target).toBeTruthy());
  await r.handle.executeUpdate(taskUpdates.complete, { args: [{ taskId: r.task.id, actor: fred, input: { outcome: 'failed', fields: { notes: 'out of stock' } } }] });
  await eventually(async () => expect((await r.record()).state).toBe('closed'));
  const t = (await r.record()).fulfilment.target!;
  expect([t.met, t.endedAt! <= t.dueAt]).toEqual([false, true]);
});
