/** Change management, tasks and approvals over HTTP against the running stack. */
import { startApi, type RunningApi } from '../support/harness';
import { eventually } from '../support/incidents';

let api: RunningApi;
let owner: string, mgr: string, ops: string, ann: string, ben: string, cat: string, dan: string, eve: string, stranger: string;
let cabId: string;

const day = (d: number, h = 22) => new Date(Date.UTC(2027, 0, d, h)).toISOString();
function rfc(over: Record<string, unknown> = {}) {
  return {
    title: 'Patch the VPN gateway',
    description: 'apply the vendor security patch',
    justification: 'closes a critical vulnerability',
    type: 'normal',
    configurationItems: ['vpn-gw-1'],
    services: ['VPN'],
    risk: 'medium',
    impact: 'medium',
    plannedStart: day(10),
    plannedEnd: day(10, 23),
    implementationPlan: 'patch, reboot, test',
    backoutPlan: 'restore the snapshot',
    implementationGroup: 'network',
    ...over,
  };
}
const policy = (name: string, over: Record<string, unknown>) => ({
  name,
  process: 'change',
  stages: [{ name, approvers: { users: ['ann', 'ben', 'cat'], groups: [] }, mode: 'quorum', quorum: 2, deadline: { businessMinutes: 2400, calendarId: 'business-hours' }, onDeadline: { action: 'reject' } }],
  ...over,
});

beforeAll(async () => {
  api = await startApi('api_changes');
  [owner, mgr, ops, ann, ben, cat, dan, eve, stranger] = await Promise.all([
    api.key('olga', ['process_owner']),
    api.key('max', ['agent'], ['change-managers']),
    api.key('nina', ['agent'], ['network']),
    api.key('ann', ['approver', 'requester']),
    api.key('ben', ['approver']),
    api.key('cat', ['approver']),
    api.key('dan', ['approver']),
    api.key('eve', ['approver'], ['ecab']),
    api.key('sam', ['agent'], ['desktop']),
  ]);
  cabId = (await api.call('POST', '/approval-policies', { key: owner, body: policy('CAB', { rank: 50, match: [{ field: 'type', op: 'eq', value: 'normal' }] }) })).body.id;
  await api.call('POST', '/approval-policies', {
    key: owner,
    body: {
      name: 'Emergency CAB',
      process: 'change',
      match: [{ field: 'type', op: 'eq', value: 'emergency' }],
      stages: [{ name: 'ECAB', approvers: { users: [], groups: ['ecab'] }, mode: 'any', deadline: { businessMinutes: 60, calendarId: '24x7' }, onDeadline: { action: 'reject' } }],
    },
  });
});
afterAll(async () => api?.stop());

async function raise(body = rfc(), key = mgr) {
  const r = await api.call('POST', '/changes', { key, body });
  expect([r.status, r.body.detail]).toEqual([201, undefined]);
  return r.body.number as string;
}
const cmd = (n: string, c: string, key: string, body?: unknown) => api.call('POST', `/changes/${n}/${c}`, { key, body });
async function pendingApproval(n: string, key: string) {
  return eventually(async () => {
    const r = await api.call('GET', '/approvals?process=change', { key });
    const a = r.body.items.find((x: { caseId: string }) => x.caseId === n);
    expect(a).toBeDefined();
    return a as { id: string; onBehalfOf: string; approvers: string[]; stageName: string };
  });
}
async function state(n: string, expected: string) {
  return eventually(async () => {
    const r = await api.call('GET', `/changes/${n}`, { key: mgr });
    expect(r.body.state).toBe(expected);
    return r.body;
  });
}
async function task(n: string, type: string, key: string) {
  return eventually(async () => {
    const r = await api.call('GET', '/tasks?process=change', { key });
    const t = r.body.items.find((x: { caseId: string; type: string }) => x.caseId === n && x.type === type);
    expect(t).toBeDefined();
    return t as { id: string; group: string };
  });
}

describe('a normal change', () => {
  it('runs from RFC through a CAB quorum of two out of three to closed', async () => {
    const n = await raise();
    expect((await api.call('GET', `/changes/${n}`, { key: mgr })).body).toMatchObject({ number: n, state: 'new', requestedBy: 'max' });
    expect((await cmd(n, 'submit', mgr)).body.state).toBe('assessment');
    expect((await cmd(n, 'assess', ops, { risk: 'medium', impact: 'medium', assessment: 'routine patch' })).body.state).toBe('authorization');

    const a = await pendingApproval(n, ann);
    expect(a.approvers).toEqual(['ann', 'ben', 'cat']);
    const first = await api.call('POST', `/approvals/${a.id}/approve`, { key: ann, body: { comment: 'tested in staging' } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ state: 'pending', decisions: [{ approver: 'ann', decision: 'approve', comment: 'tested in staging' }] });
    expect((await api.call('POST', `/approvals/${a.id}/approve`, { key: ann, body: { comment: 'again' } })).status).toBe(409);
    expect((await api.call('POST', `/approvals/${a.id}/approve`, { key: ben, body: { comment: '' } })).status).toBe(400);
    expect((await api.call('POST', `/approvals/${a.id}/approve`, { key: ben, body: { comment: 'fine by me' } })).body.state).toBe('approved');
    expect((await api.call('POST', `/approvals/${a.id}/reject`, { key: cat, body: { comment: 'too late' } })).status).toBe(409);

    const scheduled = await state(n, 'scheduled');
    expect(scheduled.authorization).toMatchObject({ outcome: 'approved', policy: { id: cabId, version: 1 } });
    const cal = await api.call('GET', `/change-calendar?from=${day(9)}&to=${day(11)}`, { key: ann });
    expect(cal.body.changes.map((c: { number: string }) => c.number)).toContain(n);

    expect((await cmd(n, 'implement', ops)).body.state).toBe('implementing');
    expect((await cmd(n, 'complete', ops, { result: 'successful', notes: 'patched and rebooted' })).body.state).toBe('review');
    const pir = await task(n, 'pir', ops);
    expect((await api.call('POST', `/tasks/${pir.id}/claim`, { key: ops })).body).toMatchObject({ state: 'claimed', assignee: 'nina' });
    const done = await api.call('POST', `/tasks/${pir.id}/complete`, { key: ops, body: { outcome: 'successful', fields: { findings: 'no incidents after the patch' } } });
    expect(done.body).toMatchObject({ state: 'completed', outcome: 'successful' });
    const closed = await state(n, 'closed');
    expect(closed.outcome).toBe('successful');

    const h = await api.call('GET', `/changes/${n}/history`, { key: mgr });
    expect(h.body.items.map((e: { action: string }) => e.action)).toEqual([
      'raise', 'submit', 'assess', 'approval_requested', 'approval_approve', 'approval_approve', 'stage_approved', 'schedule',
      'implement', 'complete', 'task_opened', 'task_claim', 'task_complete', 'close',
    ]);
    expect(h.body.items.find((e: { action: string; by: string }) => e.action === 'approval_approve' && e.by === 'ben').note).toBe('fine by me');
  });

  it('is rejected when the CAB can no longer reach its quorum', async () => {
    const n = await raise(rfc({ configurationItems: ['vpn-gw-2'] }));
    await cmd(n, 'submit', mgr);
    await cmd(n, 'assess', ops, { risk: 'medium', impact: 'medium', assessment: 'a' });
    const a = await pendingApproval(n, ben);
    await api.call('POST', `/approvals/${a.id}/reject`, { key: ben, body: { comment: 'no back-out test' } });
    await api.call('POST', `/approvals/${a.id}/reject`, { key: cat, body: { comment: 'agree with ben' } });
    const r = await state(n, 'rejected');
    expect(r.authorization).toMatchObject({ outcome: 'rejected' });
    expect((await cmd(n, 'implement', ops)).status).toBe(409);
  });

  it('never lets the requester approve their own change, and lets a delegate stand in only within the period', async () => {
    const byAnn = await raise(rfc({ configurationItems: ['db-1'] }), ann); // ann raises it: she cannot approve it
    await cmd(byAnn, 'submit', ann);
    await cmd(byAnn, 'assess', mgr, { risk: 'low', impact: 'low', assessment: 'a' });
    const a = await pendingApproval(byAnn, ben);
    expect(a.approvers).toEqual(['ben', 'cat']);
    const self = await api.call('POST', `/approvals/${a.id}/approve`, { key: ann, body: { comment: 'mine' } });
    expect(self.status).toBe(403);
    expect(self.body.detail).toMatch(/own case/);
    expect((await api.call('POST', `/approvals/${a.id}/approve`, { key: dan, body: { comment: 'for ben' } })).status).toBe(403);

    // ben delegates to dan, but from tomorrow: not yet
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const future = await api.call('POST', '/delegations', { key: ben, body: { from: 'ben', to: 'dan', start: tomorrow, end: new Date(Date.now() + 3 * 86_400_000).toISOString() } });
    expect((await api.call('POST', `/approvals/${a.id}/approve`, { key: dan, body: { comment: 'for ben', onBehalfOf: 'ben' } })).status).toBe(403);
    await api.call('DELETE', `/delegations/${future.body.id}`, { key: ben });
    // now a delegation in force: dan sees ben's approval and decides for him
    await api.call('POST', '/delegations', { key: ben, body: { from: 'ben', to: 'dan', start: new Date(Date.now() - 60_000).toISOString(), end: tomorrow } });
    const seen = await pendingApproval(byAnn, dan);
    expect(seen.onBehalfOf).toBe('ben');
    const forBen = await api.call('POST', `/approvals/${a.id}/approve`, { key: dan, body: { comment: 'ben asked me to' } });
    expect(forBen.body.decisions[0]).toMatchObject({ approver: 'ben', decidedBy: 'dan' });
    expect((await api.call('POST', `/approvals/${a.id}/approve`, { key: cat, body: { comment: 'ok' } })).body.state).toBe('approved');
    await state(byAnn, 'scheduled');
  });
});

describe('a person counts once per approval stage', () => {
  it('refuses a named approver who is also another approver’s delegate a second decision in the stage', async () => {
    const n = await raise(rfc({ configurationItems: ['mail-1'], services: ['Mail'] }), ops);
    await cmd(n, 'submit', ops);
    expect((await cmd(n, 'assess', mgr, { risk: 'low', impact: 'low', assessment: 'a' })).status).toBe(200);
    const a = await pendingApproval(n, cat);
    expect(a.approvers).toEqual(['ann', 'ben', 'cat']);
    const d = await api.call('POST', '/delegations', { key: ann, body: { from: 'ann', to: 'cat', start: new Date(Date.now() - 60_000).toISOString(), end: new Date(Date.now() + 86_400_000).toISOString() } });
    expect(d.status).toBe(201);
    try {
      expect((await api.call('POST', `/approvals/${a.id}/approve`, { key: cat, body: { comment: 'fine by me' } })).body.state).toBe('pending');
      // cat, as ann's delegate, would make the quorum of two alone
      const again = await api.call('POST', `/approvals/${a.id}/approve`, { key: cat, body: { comment: 'and for ann', onBehalfOf: 'ann' } });
      expect([again.status, again.body.detail]).toEqual([409, 'cat has already decided in this stage: a person counts once per stage']);
      const stage = (await api.call('GET', `/changes/${n}`, { key: mgr })).body.approvals.find((x: { id: string }) => x.id === a.id);
      expect([stage.state, stage.decisions.length]).toEqual(['pending', 1]);
      // ann herself still may, and makes the quorum
      expect((await api.call('POST', `/approvals/${a.id}/approve`, { key: ann, body: { comment: 'ok' } })).body.state).toBe('approved');
      await state(n, 'scheduled');
    } finally {
      await api.call('DELETE', `/delegations/${d.body.id}`, { key: ann });
    }
  });
});

describe('standard and emergency changes', () => {
  it('schedules a standard change from its template without the CAB', async () => {
    const n = await raise(rfc({ type: 'standard', template: 'restart-app-server', configurationItems: ['app-7'], plannedStart: day(12), plannedEnd: day(12, 23) }));
    expect((await cmd(n, 'submit', mgr)).body.state).toBe('scheduled');
    expect((await api.call('GET', `/changes/${n}`, { key: mgr })).body.approvals).toEqual([]);
    const unknown = await api.call('POST', '/changes', { key: mgr, body: rfc({ type: 'standard', template: 'do-anything' }) });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].path).toBe('template');
  });

  it('sends an emergency change to the emergency CAB', async () => {
    const n = await raise(rfc({ type: 'emergency', configurationItems: ['fw-1'], plannedStart: day(13), plannedEnd: day(13, 23) }));
    await cmd(n, 'submit', mgr);
    await cmd(n, 'assess', ops, { risk: 'high', impact: 'high', assessment: 'actively exploited' });
    const a = await pendingApproval(n, eve);
    expect(a.approvers).toEqual(['eve']);
    await api.call('POST', `/approvals/${a.id}/approve`, { key: eve, body: { comment: 'go' } });
    const s = await state(n, 'scheduled');
    expect(s.authorization.reason).toMatch(/Emergency CAB/);
  });
});

describe('scheduling', () => {
  it('refuses a window in a blackout or colliding with a scheduled change on the same CI, naming the conflict', async () => {
    const read = await api.call('GET', '/policies/change', { key: owner });
    await api.call('PUT', '/policies/change', { key: owner, body: { ...read.body, blackouts: [{ name: 'year-end freeze', start: day(20, 0), end: day(22, 0), services: [] }] } });
    const before = await api.models.Change.countDocuments();
    const frozen = await api.call('POST', '/changes', { key: mgr, body: rfc({ plannedStart: day(21), plannedEnd: day(21, 23) }) });
    expect(frozen.status).toBe(409);
    expect(frozen.body.conflicts).toEqual([expect.objectContaining({ kind: 'blackout', with: 'year-end freeze' })]);

    const std = await raise(rfc({ type: 'standard', template: 'restart-app-server', configurationItems: ['app-9'], plannedStart: day(15), plannedEnd: day(15, 23) }));
    await cmd(std, 'submit', mgr);
    await state(std, 'scheduled');
    const collide = await api.call('POST', '/changes', { key: mgr, body: rfc({ configurationItems: ['app-9'], plannedStart: day(15, 21), plannedEnd: day(16, 1) }) });
    expect(collide.status).toBe(409);
    expect(collide.body.conflicts).toEqual([expect.objectContaining({ kind: 'collision', with: std, configurationItem: 'app-9' })]);
    expect(await api.models.Change.countDocuments()).toBe(before + 1);
    await api.call('PUT', '/policies/change', { key: owner, body: { ...read.body, blackouts: [] } });
  });
});

describe('a conflict the change policy routes to an extra approval', () => {
  it('raises the change, and asks the extra policy before the CAB', async () => {
    const extra = await api.call('POST', '/approval-policies', {
      key: owner,
      body: { name: 'Conflict review', process: 'change', enabled: false, stages: [{ name: 'Conflict review', approvers: { users: ['cat'], groups: [] }, mode: 'any', deadline: { businessMinutes: 480, calendarId: 'business-hours' }, onDeadline: { action: 'reject' } }] },
    });
    const read = await api.call('GET', '/policies/change', { key: owner });
    await api.call('PUT', '/policies/change', { key: owner, body: { ...read.body, blackouts: [{ name: 'payroll run', start: day(25, 0), end: day(26, 0), services: ['Payroll'] }], onConflict: { action: 'approve', approvalPolicy: extra.body.id } } });
    try {
      const r = await api.call('POST', '/changes', { key: mgr, body: rfc({ services: ['Payroll'], configurationItems: ['pay-1'], plannedStart: day(25, 10), plannedEnd: day(25, 11) }) });
      expect(r.status).toBe(201);
      expect(r.body.conflicts).toEqual([expect.objectContaining({ kind: 'blackout', with: 'payroll run' })]);
      const n = r.body.number;
      await cmd(n, 'submit', mgr);
      await cmd(n, 'assess', ops, { risk: 'medium', impact: 'medium', assessment: 'must run in the payroll window' });
      const first = await pendingApproval(n, cat);
      expect(first).toMatchObject({ stageName: 'Schedule conflict: Conflict review', approvers: ['cat'] });
      await api.call('POST', `/approvals/${first.id}/approve`, { key: cat, body: { comment: 'payroll team agrees' } });
      const cab = await eventually(async () => {
        const a = (await api.call('GET', `/changes/${n}`, { key: mgr })).body.approvals;
        expect(a).toHaveLength(2);
        return a[1];
      });
      expect(cab).toMatchObject({ stageName: 'CAB', state: 'pending' });
      await api.call('POST', `/approvals/${cab.id}/approve`, { key: ann, body: { comment: 'ok' } });
      await api.call('POST', `/approvals/${cab.id}/approve`, { key: ben, body: { comment: 'ok' } });
      await state(n, 'scheduled');
    } finally {
      await api.call('PUT', '/policies/change', { key: owner, body: { ...read.body } });
    }
  });
});

describe('a failed change', () => {
  it('opens a back-out task for the implementers, then the review closes it backed out', async () => {
    const n = await raise(rfc({ type: 'standard', template: 'restart-app-server', configurationItems: ['app-3'], plannedStart: day(17), plannedEnd: day(17, 23) }));
    await cmd(n, 'submit', mgr);
    await cmd(n, 'implement', ops);
    expect((await cmd(n, 'complete', ops, { result: 'failed', notes: 'service did not come back' })).body).toMatchObject({ state: 'implementing', backingOut: true });
    const backout = await task(n, 'backout', ops);
    expect(backout.group).toBe('network');
    // only the implementing group acts on it, and completion needs the fields its type requires
    expect((await api.call('POST', `/tasks/${backout.id}/claim`, { key: stranger })).status).toBe(403);
    const noNotes = await api.call('POST', `/tasks/${backout.id}/complete`, { key: ops, body: { outcome: 'backed_out', fields: {} } });
    expect(noNotes.status).toBe(400);
    expect(noNotes.body.detail).toMatch(/fields.notes/);
    expect((await api.call('POST', `/tasks/${backout.id}/complete`, { key: ops, body: { outcome: 'exploded', fields: { notes: 'x' } } })).status).toBe(400);
    await api.call('POST', `/tasks/${backout.id}/complete`, { key: ops, body: { outcome: 'backed_out', fields: { notes: 'restored the snapshot' } } });
    await state(n, 'review');
    const pir = await task(n, 'pir', ops);
    await api.call('POST', `/tasks/${pir.id}/complete`, { key: ops, body: { outcome: 'backed_out', fields: { findings: 'the patch needs a newer kernel' } } });
    expect((await state(n, 'closed')).outcome).toBe('backed_out');
    expect((await api.call('POST', `/tasks/${pir.id}/complete`, { key: ops, body: { outcome: 'successful', fields: { findings: 'x' } } })).status).toBe(409);
  });
});

describe('refusals', () => {
  it('refuses bad RFCs, wrong roles and illegal transitions, and changes nothing', async () => {
    const bad = await api.call('POST', '/changes', { key: mgr, body: rfc({ plannedEnd: day(1) }) });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('plannedEnd');
    expect((await api.call('POST', '/changes', { key: ben, body: rfc() })).status).toBe(403);
    const n = await raise(rfc({ configurationItems: ['lb-1'] }));
    const before = (await api.call('GET', `/changes/${n}/history`, { key: mgr })).body.items.length;
    expect((await cmd(n, 'implement', ops)).status).toBe(409);
    expect((await cmd(n, 'assess', ops, { risk: 'low', impact: 'low', assessment: 'x' })).status).toBe(409);
    expect((await cmd(n, 'submit', ben)).status).toBe(403);
    expect((await cmd(n, 'cancel', mgr, {})).status).toBe(400);
    expect((await api.call('POST', '/changes/CHG9999999/submit', { key: mgr })).status).toBe(404);
    expect((await api.call('POST', '/tasks/CHG9999999-T1/claim', { key: ops })).status).toBe(404);
    expect((await api.call('POST', '/approvals/CHG9999999-A1/approve', { key: ann, body: { comment: 'x' } })).status).toBe(404);
    expect((await api.call('GET', `/changes/${n}/history`, { key: mgr })).body.items.length).toBe(before);
    expect((await cmd(n, 'cancel', mgr, { reason: 'superseded' })).body.state).toBe('cancelled');
  });
});
