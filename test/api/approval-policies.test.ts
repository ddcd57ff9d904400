/** Approval policies and delegations over HTTP. */
import { startApi, type RunningApi } from '../support/harness';

let api: RunningApi;
let owner: string, approver: string, agent: string;

const cab = {
  name: 'CAB for normal changes',
  process: 'change',
  rank: 50,
  match: [{ field: 'type', op: 'eq', value: 'normal' }],
  stages: [
    {
      name: 'CAB',
      approvers: { users: ['ann', 'ben', 'cat'], groups: [] },
      mode: 'quorum',
      quorum: 2,
      deadline: { businessMinutes: 480, calendarId: 'business-hours' },
      onDeadline: { action: 'escalate', group: 'change-managers' },
    },
  ],
};

beforeAll(async () => {
  api = await startApi('api_approval_policies');
  [owner, approver, agent] = await Promise.all([api.key('olga', ['process_owner']), api.key('ben', ['approver']), api.key('alice', ['agent'])]);
});
afterAll(async () => api?.stop());

describe('approval policies', () => {
  it('are defined by a process owner, versioned, and listed', async () => {
    const created = await api.call('POST', '/approval-policies', { key: owner, body: cab });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^ap-\d+$/), version: 1, enabled: true, description: '', ...cab });
    const id = created.body.id;
    expect(created.headers.get('location')).toBe(`/approval-policies/${id}`);

    const edited = { ...created.body, stages: [{ ...cab.stages[0], quorum: 3 }] };
    const v2 = await api.call('PUT', `/approval-policies/${id}`, { key: owner, body: edited });
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ version: 2, stages: [{ quorum: 3 }] });
    expect((await api.call('PUT', `/approval-policies/${id}`, { key: owner, body: edited })).status).toBe(412); // stale
    expect((await api.call('GET', `/approval-policies/${id}?version=1`, { key: agent })).body.stages[0].quorum).toBe(2);

    const list = await api.call('GET', '/approval-policies?process=change', { key: agent });
    expect(list.body.items.map((p: { id: string; version: number }) => [p.id, p.version])).toEqual([[id, 2]]);
    expect((await api.call('GET', '/approval-policies?process=request', { key: agent })).body.items).toEqual([]);
  });

  it('refuses a bad policy naming the field, a non-owner, and an unknown id, and changes nothing', async () => {
    const before = (await api.call('GET', '/approval-policies', { key: owner })).body;
    const cases: Array<[unknown, string]> = [
      [{ ...cab, stages: [] }, 'stages'],
      [{ ...cab, process: 'lunch' }, 'process'],
      [{ ...cab, stages: [{ ...cab.stages[0], mode: 'quorum', quorum: undefined }] }, 'stages.0.quorum'],
      [{ ...cab, stages: [{ ...cab.stages[0], onDeadline: { action: 'shrug' } }] }, 'stages.0.onDeadline.action'],
      [{ ...cab, stages: [{ ...cab.stages[0], deadline: { businessMinutes: 60, calendarId: 'mars' } }] }, 'stages.0.deadline.calendarId'],
      [{ ...cab, match: [{ field: 'risk', op: 'like', value: 'x' }] }, 'match.0.op'],
    ];
    for (const [body, path] of cases) {
      const r = await api.call('POST', '/approval-policies', { key: owner, body });
      expect([path, r.status]).toEqual([path, 400]);
      expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect((await api.call('POST', '/approval-policies', { key: approver, body: cab })).status).toBe(403);
    expect((await api.call('PUT', '/approval-policies/ap-999', { key: owner, body: cab })).status).toBe(404);
    expect((await api.call('GET', '/approval-policies/nope', { key: owner })).status).toBe(400);
    expect((await api.call('GET', '/approval-policies', { key: owner })).body).toEqual(before);
  });
});

describe('delegations', () => {
  const period = { start: '2026-12-21T00:00:00Z', end: '2027-01-04T00:00:00Z' };
  it('let an approver hand their approvals to a delegate for a period, and withdraw it', async () => {
    const r = await api.call('POST', '/delegations', { key: approver, body: { from: 'ben', to: 'dan', ...period, reason: 'holiday' } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ from: 'ben', to: 'dan', reason: 'holiday', revokedAt: null });
    expect((await api.call('GET', '/delegations', { key: approver })).body.items).toHaveLength(1);
    expect((await api.call('POST', '/delegations', { key: approver, body: { from: 'ben', to: 'eve', ...period } })).status).toBe(409);
    const withdrawn = await api.call('DELETE', `/delegations/${r.body.id}`, { key: approver });
    expect(withdrawn.body.revokedAt).toEqual(expect.any(String));
  });

  it('refuses someone else’s approvals, a backwards period and a self-delegation', async () => {
    expect((await api.call('POST', '/delegations', { key: approver, body: { from: 'ann', to: 'dan', ...period } })).status).toBe(403);
    expect((await api.call('POST', '/delegations', { key: agent, body: { from: 'alice', to: 'dan', ...period } })).status).toBe(403);
    const backwards = await api.call('POST', '/delegations', { key: approver, body: { from: 'ben', to: 'dan', start: period.end, end: period.start } });
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors[0].path).toBe('end');
    expect((await api.call('POST', '/delegations', { key: approver, body: { from: 'ben', to: 'ben', ...period } })).status).toBe(400);
    expect((await api.call('POST', '/delegations', { key: approver, body: { from: 'ben', to: 'dan', start: 'soon', end: period.end } })).status).toBe(400);
  });
});
