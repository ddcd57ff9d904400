import { matchPolicy, refuseDecision, stageOutcome, type ApprovalPolicy, type Decision, type StageTally } from '../../domain/approval';
import { ApprovalPolicyBody } from '../../domain/schemas/approval';

const stage = { name: 'CAB', approvers: { users: ['ann', 'ben', 'cat'], groups: [] }, mode: 'quorum', quorum: 2, deadline: { businessMinutes: 480, calendarId: 'business-hours' }, onDeadline: { action: 'reject' } };
const policy = (id: string, over: Record<string, unknown>): ApprovalPolicy => ({ ...ApprovalPolicyBody.parse({ name: id, process: 'change', stages: [stage], ...over }), id, version: 1 });
const d = (approver: string, decision: 'approve' | 'reject', decidedBy = approver): Decision => ({ approver, decidedBy, decision, comment: 'ok', at: 0 });

describe('matching a case to an approval policy', () => {
  const cab = policy('cab', { rank: 50, match: [{ field: 'type', op: 'eq', value: 'normal' }] });
  const bigCab = policy('big-cab', { rank: 10, match: [{ field: 'type', op: 'eq', value: 'normal' }, { field: 'risk', op: 'in', value: ['high', 'very_high'] }] });
  const ecab = policy('ecab', { match: [{ field: 'type', op: 'eq', value: 'emergency' }] });
  const costly = policy('costly', { process: 'request', match: [{ field: 'cost', op: 'gte', value: 1000 }] });
  const off = policy('off', { enabled: false, rank: 0 });
  const all = [cab, bigCab, ecab, costly, off];

  it('picks the matching policy of the lowest rank', () => {
    expect(matchPolicy(all, 'change', { type: 'normal', risk: 'low' })?.id).toBe('cab');
    expect(matchPolicy(all, 'change', { type: 'normal', risk: 'high' })?.id).toBe('big-cab');
    expect(matchPolicy(all, 'change', { type: 'emergency' })?.id).toBe('ecab');
  });
  it('compares numbers, and matches only its own process', () => {
    expect(matchPolicy(all, 'request', { cost: 999 })).toBeNull();
    expect(matchPolicy(all, 'request', { cost: 1000 })?.id).toBe('costly');
    expect(matchPolicy(all, 'request', { cost: '5000' })).toBeNull();
    expect(matchPolicy(all, 'change', { type: 'standard' })).toBeNull();
  });
  it('refuses a policy that cannot be run, naming the field', () => {
    const noApprovers = ApprovalPolicyBody.safeParse({ name: 'x', process: 'change', stages: [{ ...stage, approvers: { users: [], groups: [] } }] });
    expect(noApprovers.error!.issues[0].path).toEqual(['stages', 0, 'approvers']);
    const noQuorum = ApprovalPolicyBody.safeParse({ name: 'x', process: 'change', stages: [{ ...stage, quorum: undefined }] });
    expect(noQuorum.error!.issues[0].path).toEqual(['stages', 0, 'quorum']);
    const tooMany = ApprovalPolicyBody.safeParse({ name: 'x', process: 'change', stages: [{ ...stage, quorum: 4 }] });
    expect(tooMany.error!.issues[0].path).toEqual(['stages', 0, 'quorum']);
    const badAction = ApprovalPolicyBody.safeParse({ name: 'x', process: 'change', stages: [{ ...stage, onDeadline: { action: 'escalate' } }] });
    expect(badAction.error!.issues[0].path).toEqual(['stages', 0, 'onDeadline', 'group']);
  });
});

describe('a stage being decided', () => {
  const t = (mode: StageTally['mode'], decisions: Decision[], quorum?: number): StageTally => ({ mode, quorum, approvers: ['ann', 'ben', 'cat'], decisions });
  it('any: the first decision decides', () => {
    expect(stageOutcome(t('any', []))).toBe('pending');
    expect(stageOutcome(t('any', [d('ben', 'approve')]))).toBe('approved');
    expect(stageOutcome(t('any', [d('ben', 'reject'), d('ann', 'approve')]))).toBe('rejected');
  });
  it('all: every approver approves; one rejection rejects', () => {
    expect(stageOutcome(t('all', [d('ann', 'approve'), d('ben', 'approve')]))).toBe('pending');
    expect(stageOutcome(t('all', [d('ann', 'approve'), d('ben', 'approve'), d('cat', 'approve')]))).toBe('approved');
    expect(stageOutcome(t('all', [d('ann', 'approve'), d('cat', 'reject')]))).toBe('rejected');
  });
  it('quorum: N approvals carry it; rejected once N cannot be reached', () => {
    expect(stageOutcome(t('quorum', [d('ann', 'approve')], 2))).toBe('pending');
    expect(stageOutcome(t('quorum', [d('ann', 'approve'), d('cat', 'approve')], 2))).toBe('approved');
    expect(stageOutcome(t('quorum', [d('ann', 'reject')], 2))).toBe('pending');
    expect(stageOutcome(t('quorum', [d('ann', 'reject'), d('ben', 'reject')], 2))).toBe('rejected');
  });
});

describe('who may decide', () => {
  const tally: StageTally = { mode: 'all', approvers: ['ann', 'ben'], decisions: [d('ann', 'approve')] };
  const leave = { from: 'ben', to: 'dan', start: 1000, end: 2000 };
  it('never the requester, and each approver once', () => {
    expect(refuseDecision(tally, 'ben', 'ben', 'ben', null, 0)).toMatchObject({ kind: 'forbidden', message: expect.stringMatching(/own case/) });
    expect(refuseDecision(tally, 'req', 'ann', 'ann', null, 0)).toMatchObject({ kind: 'conflict', message: expect.stringMatching(/already decided/) });
    expect(refuseDecision(tally, 'req', 'eve', 'eve', null, 0)).toMatchObject({ kind: 'forbidden', message: expect.stringMatching(/not an approver/) });
    expect(refuseDecision(tally, 'req', 'ben', 'ben', null, 0)).toBeNull();
  });
  it('a delegate within the period of the delegation, and not outside it', () => {
    expect(refuseDecision(tally, 'req', 'dan', 'ben', leave, 1500)).toBeNull();
    expect(refuseDecision(tally, 'req', 'dan', 'ben', leave, 999)).toMatchObject({ kind: 'forbidden', message: expect.stringMatching(/not in force/) });
    expect(refuseDecision(tally, 'req', 'dan', 'ben', leave, 2000)).toMatchObject({ kind: 'forbidden', message: expect.stringMatching(/not in force/) });
    expect(refuseDecision(tally, 'req', 'dan', 'ben', null, 1500)).toMatchObject({ kind: 'forbidden', message: expect.stringMatching(/no delegation/) });
    expect(refuseDecision(tally, 'req', 'eve', 'ben', leave, 1500)).toMatchObject({ kind: 'forbidden', message: expect.stringMatching(/no delegation/) });
  });
});
