/** A service transition's post-transition review on the time-skipping server: due after the policy's period, not before; the reviewers reminded once when it is overdue; its lessons close the case. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Actor } from '../../domain/actor';
import type { Models } from '../../models';
import { putPolicy } from '../../models/policies';
import { decideApproval } from '../../workflows/approval';
import { taskUpdates } from '../../workflows/task';
import { transitionOpened, transitionUpdates, transitionWorkflow, type TransitionView } from '../../workflows/transition';
import { openDatabase, startWorker, timeSkippingEnv, type RunningWorker } from '../support/harness';
import { eventually, historyOf } from '../support/incidents';

const DAY = 86_400_000;
let env: TestWorkflowEnvironment;
let models: Models;
let worker: RunningWorker;
const olga: Actor = { name: 'olga', roles: ['process_owner'], groups: [] };
const tom: Actor = { name: 'tom', roles: ['agent'], groups: ['web-team'] };
const ann: Actor = { name: 'ann', roles: ['approver'], groups: [] };
const rita: Actor = { name: 'rita', roles: ['agent'], groups: ['reviewers'] };

beforeAll(async () => {
  [env, models] = await Promise.all([timeSkippingEnv(), openDatabase('service_transition')]);
  worker = await startWorker(env.nativeConnection, 'default', models, { maxCachedWorkflows: 0 });
  await putPolicy(models, 'approval-policy', 'ap-1', {
    name: 'Design authority', description: '', process: 'transition', rank: 100, enabled: true, match: [],
    stages: [{ name: 'Design authority', approvers: { users: ['ann'], groups: [] }, mode: 'any', deadline: { businessMinutes: 600, calendarId: '24x7' }, onDeadline: { action: 'reject' } }],
  }, 'test');
  await putPolicy(models, 'transition', 'default', { reviewAfterDays: 10, reviewGroup: 'reviewers', reviewDueDays: 3 }, 'test');
});
afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await models?.conn.close();
});

it('opens the post-transition review after the policy’s period (not before), reminds once when it is overdue, and closes with its lessons', async () => {
  const svc = `svc-9${Math.floor(Math.random() * 1e6)}`;
  await putPolicy(models, 'service', svc, { name: `Fax ${svc}`, description: '', owner: 'sam', customers: [], status: 'live', configurationItems: [], slas: [] }, 'test');
  const number = `TRN9${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;
  const handle = await env.client.workflow.start(transitionWorkflow, {
    taskQueue: worker.taskQueue,
    workflowId: number,
    args: [{
      number,
      actor: olga,
      service: { id: svc, name: `Fax ${svc}`, owner: 'sam', status: 'live' },
      input: { kind: 'retire', service: svc, title: 'Retire the fax', description: 'e-fax instead', owner: 'tom', group: 'web-team', items: [{ kind: 'requirement', title: 'Users moved', evidence: 'done' }, { kind: 'acceptance_criterion', title: 'No traffic' }] },
    }],
  });
  const opened = await handle.executeUpdate(transitionOpened);
  expect(opened.policy).toEqual({ version: 2, reviewAfterDays: 10, reviewGroup: 'reviewers', reviewDueDays: 3 });
  const send = (c: keyof typeof transitionUpdates, actor: Actor, input: unknown = {}) => handle.executeUpdate(transitionUpdates[c], { args: [{ actor, input: input as never }] });
  const actions = async () => (await historyOf(models, number)).map((e) => e.action);

  await send('submit_design', tom);
  await eventually(async () => expect(await models.Approval.countDocuments({ caseId: number })).toBe(1));
  await handle.executeUpdate(decideApproval, { args: [{ approvalId: `${number}-A1`, actor: ann, onBehalfOf: 'ann', delegation: null, decision: 'approve', comment: 'go' }] });
  await eventually(async () => expect(await actions()).toContain('design_approved'));
  await send('submit_for_acceptance', tom, { releases: [] });
  await send('meet_criterion', tom, { item: 'I2', evidence: 'zero traffic' });
  const accepted = await send('accept', tom);
  expect(accepted.state).toBe('post_transition');
  await eventually(async () => expect(await actions()).toContain('portfolio_updated'));
  const acceptedAt = ((await models.Transition.findById(number).lean()) as unknown as { accepted: { at: number } }).accepted.at;

  const reviewTask = () => models.Task.findOne({ caseId: number, type: 'post_transition_review' }).lean() as unknown as Promise<{ id: string; group: string; dueAt: number; createdAt: number } | null>;
  await env.sleep(9 * DAY);
  expect(await reviewTask()).toBeNull();
  await env.sleep(DAY + 60_000);
  const task = await eventually(async () => {
    const t = await reviewTask();
    expect(t).not.toBeNull();
    return t!;
  });
  expect(task.group).toBe('reviewers');
  expect(task.createdAt - acceptedAt).toBeGreaterThanOrEqual(10 * DAY);
  expect(task.dueAt - task.createdAt).toBe(3 * DAY);

  await env.sleep(2 * DAY);
  expect(await actions()).not.toContain('review_overdue');
  await env.sleep(DAY + 60_000);
  await eventually(async () => expect(await actions()).toContain('review_overdue'));
  await eventually(async () => expect(await models.Notification.countDocuments({ caseId: number, type: 'transition_review_overdue' })).toBe(1));
  await env.sleep(10 * DAY); // reminded once, and the case waits on
  expect((await actions()).filter((a) => a === 'review_overdue')).toHaveLength(1);
  expect(((await models.Transition.findById(number).lean()) as unknown as { state: string }).state).toBe('post_transition');

  await handle.executeUpdate(taskUpdates.complete, { args: [{ taskId: task.id, actor: rita, input: { outcome: 'issues', fields: { lessons: 'tell fax users a month earlier', notes: 'two complaints' } } }] });
  const done = (await handle.result()) as TransitionView;
  expect(done).toMatchObject({ state: 'closed', review: { outcome: 'issues', lessons: 'tell fax users a month earlier', notes: 'two complaints', by: 'rita' } });
  expect(done.review.overdueAt! - done.review.taskDueAt!).toBeLessThan(1000);
  const history = await historyOf(models, number);
  expect(history[history.length - 1]).toMatchObject({ action: 'review_done', by: 'rita', note: 'tell fax users a month earlier', to: 'closed' });
});
