/** Approval deadlines on the business calendar, on the time-skipping server: escalate, reject, approve. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Actor } from '../../domain/actor';
import type { ApprovalPolicyBody } from '../../domain/approval';
import type { RaiseChangeInput } from '../../domain/change';
import type { Models } from '../../models';
import { storeKey } from '../../api/auth';
import { putPolicy } from '../../models/policies';
import { decideApproval } from '../../workflows/approval';
import { changeOpened, changeUpdates, changeWorkflow } from '../../workflows/change';
import { openDatabase, startWorker, timeSkippingEnv, type RunningWorker } from '../support/harness';
import { eventually, historyOf } from '../support/incidents';

const MIN = 60_000;
let env: TestWorkflowEnvironment;
let models: Models;
let worker: RunningWorker;
const requester: Actor = { name: 'max', roles: ['agent'], groups: ['change-managers'] };
const manager: Actor = { name: 'mia', roles: ['agent'], groups: ['change-managers'] };
const person = (name: string, groups: string[] = []): Actor => ({ name, roles: ['approver'], groups });

beforeAll(async () => {
  [env, models] = await Promise.all([timeSkippingEnv(), openDatabase('approval_deadlines')]);
  // who is in which group: the holders of active API keys
  await storeKey(models, { name: 'gus', hash: 'h-gus', prefix: 'x', roles: ['approver'], groups: ['cab-chairs'], createdBy: 'test' });
  await storeKey(models, { name: 'max', hash: 'h-max', prefix: 'x', roles: ['agent'], groups: ['cab-chairs'], createdBy: 'test' });
  worker = await startWorker(env.nativeConnection, 'default', models, { maxCachedWorkflows: 0 });
});
afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await models?.conn.close();
});

let seq = 0;
async function changeUnder(stage: Partial<ApprovalPolicyBody['stages'][number]>) {
  const tag = `t${++seq}`;
  await putPolicy(models, 'approval-policy', `ap-${900 + seq}`, {
    name: `policy ${tag}`, description: '', process: 'change', rank: seq, enabled: true,
    match: [{ field: 'services', op: 'in', value: [tag] }],
    stages: [{ name: 'CAB', approvers: { users: ['ann', 'ben'], groups: [] }, mode: 'any', deadline: { businessMinutes: 60, calendarId: '24x7' }, onDeadline: { action: 'reject' }, ...stage }],
  }, 'owner');
  const number = `CHG9${String(seq).padStart(3, '0')}${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const input: RaiseChangeInput = {
    title: 't', description: 'd', justification: 'j', type: 'normal', configurationItems: [`ci-${tag}`], services: [tag], risk: 'low', impact: 'low',
    plannedStart: '2027-02-01T10:00:00Z', plannedEnd: '2027-02-01T11:00:00Z', implementationPlan: 'p', backoutPlan: 'b', implementationGroup: 'network', incidents: [], problems: [],
  };
  const handle = await env.client.workflow.start(changeWorkflow, { taskQueue: worker.taskQueue, workflowId: number, args: [{ number, input, actor: requester, conflicts: [] }] });
  await handle.executeUpdate(changeOpened);
  await handle.executeUpdate(changeUpdates.submit, { args: [{ actor: requester, input: {} }] });
  const assessed = await handle.executeUpdate(changeUpdates.assess, { args: [{ actor: manager, input: { risk: 'low', impact: 'low', assessment: 'a' } }] });
  expect(assessed.state).toBe('authorization');
  const approval = await eventually(async () => {
    const a = await models.Approval.findOne({ caseId: number }).lean();
    expect(a).not.toBeNull();
    return a as unknown as { id: string; openedAt: number; dueAt: number };
  });
  return { number, handle, approval };
}
const stateOf = async (number: string) => ((await models.Change.findOne({ number }).lean()) as unknown as { state: string }).state;

describe('approval deadlines', () => {
  it('escalates to the named group at the deadline, and a member of it decides', async () => {
    const { number, handle, approval } = await changeUnder({ onDeadline: { action: 'escalate', group: 'cab-chairs' } });
    expect(approval.dueAt - approval.openedAt).toBe(60 * MIN);
    await env.sleep(61 * MIN);
    const escalated = await eventually(async () => {
      const a = (await models.Approval.findOne({ id: approval.id }).lean()) as unknown as { escalatedTo: string; approvers: string[]; mode: string };
      expect(a.escalatedTo).toBe('cab-chairs');
      return a;
    });
    expect(escalated.approvers).toEqual(['ann', 'ben', 'gus']); // max raised it: never his own approver
    expect(escalated.mode).toBe('any');
    const decided = await handle.executeUpdate(decideApproval, { args: [{ approvalId: approval.id, actor: person('gus', ['cab-chairs']), onBehalfOf: 'gus', delegation: null, decision: 'approve', comment: 'chair approves' }] });
    expect(decided.state).toBe('approved');
    await eventually(async () => expect(await stateOf(number)).toBe('scheduled'));
    const actions = (await historyOf(models, number)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['approval_requested', 'approval_escalated', 'approval_approve', 'stage_approved', 'schedule']));
  });

  it('rejects at the deadline when the policy says so, and after an escalation that nobody answers', async () => {
    const plain = await changeUnder({ onDeadline: { action: 'reject' } });
    await env.sleep(61 * MIN);
    await eventually(async () => expect(await stateOf(plain.number)).toBe('rejected'));
    expect((await historyOf(models, plain.number)).map((e) => e.action)).toContain('approval_timeout_rejected');

    const unanswered = await changeUnder({ onDeadline: { action: 'escalate', group: 'cab-chairs' } });
    await env.sleep(61 * MIN);
    await eventually(async () => expect(((await models.Approval.findOne({ id: unanswered.approval.id }).lean()) as unknown as { escalatedTo: string }).escalatedTo).toBe('cab-chairs'));
    await env.sleep(61 * MIN);
    await eventually(async () => expect(await stateOf(unanswered.number)).toBe('rejected'));
    const a = (await models.Approval.findOne({ id: unanswered.approval.id }).lean()) as unknown as { reason: string };
    expect(a.reason).toBe('no decision after escalation to cab-chairs');
  });

  it('approves at the deadline when the policy says so', async () => {
    const { number } = await changeUnder({ onDeadline: { action: 'approve' } });
    await env.sleep(30 * MIN);
    expect(await stateOf(number)).toBe('authorization');
    await env.sleep(31 * MIN);
    await eventually(async () => expect(await stateOf(number)).toBe('scheduled'));
  });

  it('in mode all waits for every approver, and one rejection rejects', async () => {
    const both = await changeUnder({ mode: 'all', deadline: { businessMinutes: 600, calendarId: '24x7' } });
    const decide = (h: typeof both, who: string, decision: 'approve' | 'reject') =>
      h.handle.executeUpdate(decideApproval, { args: [{ approvalId: h.approval.id, actor: person(who), onBehalfOf: who, delegation: null, decision, comment: `${who} says ${decision}` }] });
    expect((await decide(both, 'ann', 'approve')).state).toBe('pending');
    expect((await decide(both, 'ben', 'approve')).state).toBe('approved');
    await eventually(async () => expect(await stateOf(both.number)).toBe('scheduled'));

    const oneNo = await changeUnder({ mode: 'all', deadline: { businessMinutes: 600, calendarId: '24x7' } });
    expect((await decide(oneNo, 'ben', 'reject')).state).toBe('rejected');
    await eventually(async () => expect(await stateOf(oneNo.number)).toBe('rejected'));
  });
});
