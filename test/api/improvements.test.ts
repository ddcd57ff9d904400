/** Continual improvement as PDCA cycles over HTTP: plan, approval, actions, measurements, review, next cycle. */
import { startApi, type RunningApi } from '../support/harness';
import { eventually } from '../support/incidents';

let api: RunningApi;
let imp: string, owner: string, bea: string, desk: string, someone: string, auditor: string;

beforeAll(async () => {
  api = await startApi('api_improvements');
  [imp, owner, bea, desk, someone, auditor] = await Promise.all([
    api.key('ian', ['improvement_manager']),
    api.key('olga', ['process_owner']),
    api.key('bea', ['approver']),
    api.key('dora', ['agent'], ['service-desk']),
    api.key('sam', ['agent'], ['desktop']),
    api.key('ida', ['auditor']),
  ]);
  await api.call('POST', '/approval-policies', {
    key: owner,
    body: { name: 'Improvement plans', process: 'improvement', stages: [{ name: 'Sponsor', approvers: { users: ['bea'], groups: [] }, mode: 'any', deadline: { businessMinutes: 2400, calendarId: 'business-hours' }, onDeadline: { action: 'reject' } }] },
  });
});
afterAll(async () => api?.stop());

const due = new Date(Date.now() + 30 * 86_400_000).toISOString();
const plan = (baseline: number) => ({
  objective: 'Resolve more calls at the first contact',
  targets: [{ name: 'firstCallResolution', description: 'calls resolved at first contact', baseline, target: 75, unit: '%' }],
  actions: [{ title: 'Publish the top 20 known errors to the desk', group: 'service-desk', due }],
});
const post = (path: string, key: string, body?: unknown) => api.call('POST', path, { key, body });

async function approveAndDo(n: string) {
  const a = await eventually(async () => {
    const x = (await api.call('GET', '/approvals?process=improvement', { key: bea })).body.items.find((y: { caseId: string }) => y.caseId === n);
    expect(x).toBeDefined();
    return x;
  });
  await post(`/approvals/${a.id}/approve`, bea, { comment: 'worth doing' });
  const t = await eventually(async () => {
    const x = (await api.call('GET', '/tasks?process=improvement', { key: desk })).body.items.find((y: { caseId: string }) => y.caseId === n);
    expect(x).toBeDefined();
    return x;
  });
  expect((await api.call('GET', `/improvements/${n}`, { key: auditor })).body).toMatchObject({ state: 'do', phase: 'do' });
  await post(`/tasks/${t.id}/complete`, desk, { outcome: 'done', fields: { notes: 'published' } });
  return eventually(async () => {
    const r = await api.call('GET', `/improvements/${n}`, { key: auditor });
    expect(r.body.state).toBe('check');
    return r.body;
  });
}

describe('a PDCA cycle', () => {
  it('whose targets are missed starts a second cycle that carries them over, and closes when they are met', async () => {
    const r = await post('/improvements', desk, { title: 'Raise first-call resolution', description: 'too many escalations', source: 'incident_trend', sourceRef: 'PRB0000001', service: 'Service desk', owner: 'ian', benefit: 'fewer handoffs' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ number: expect.stringMatching(/^IMP\d{7}$/), state: 'plan', phase: 'plan', cycle: 1 });
    const n = r.body.number;

    expect((await post(`/improvements/${n}/plan`, someone, plan(60))).status).toBe(403);
    const bad = await post(`/improvements/${n}/plan`, imp, { ...plan(60), targets: [{ ...plan(60).targets[0], target: 60 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('targets.0.target');
    expect((await post(`/improvements/${n}/plan`, imp, plan(60))).body.state).toBe('approval');

    const checking = await approveAndDo(n);
    expect(checking.current.approval).toMatchObject({ outcome: 'approved' });
    expect((await post(`/improvements/${n}/measure`, imp, { target: 'speed', value: 1 })).status).toBe(400);
    const measured = await post(`/improvements/${n}/measure`, imp, { target: 'firstCallResolution', value: 68, note: 'March' });
    expect(measured.body.current.targets[0]).toMatchObject({ baseline: 60, target: 75, latest: { value: 68 }, met: false });
    const review1 = await post(`/improvements/${n}/review`, imp, { decision: 'partly_met', notes: '68% against 75%', lessons: 'the desk needs the workarounds in the ticket form' });
    expect(review1.body).toMatchObject({ state: 'plan', cycle: 2, lessons: ['the desk needs the workarounds in the ticket form'] });
    expect(review1.body.current.targets).toEqual([expect.objectContaining({ name: 'firstCallResolution', baseline: 68, target: 75 })]);
    expect(review1.body.cycles[0]).toMatchObject({ n: 1, review: { decision: 'partly_met' } });

    await post(`/improvements/${n}/plan`, imp, { ...plan(68), objective: 'Show workarounds in the ticket form' });
    await approveAndDo(n);
    await post(`/improvements/${n}/measure`, imp, { target: 'firstCallResolution', value: 77 });
    expect((await post(`/improvements/${n}/review`, imp, { decision: 'met', notes: '77%', lessons: 'put knowledge where people work' })).status).toBe(400); // met needs standardisation
    const closed = await post(`/improvements/${n}/review`, imp, { decision: 'met', notes: '77%', lessons: 'put knowledge where people work', standardisation: 'the ticket form shows known errors for every CI' });
    expect(closed.body).toMatchObject({ state: 'closed', phase: 'closed' });
    expect((await post(`/improvements/${n}/measure`, imp, { target: 'firstCallResolution', value: 80 })).status).toBe(409);

    const h = (await api.call('GET', `/improvements/${n}/history`, { key: auditor })).body.items.map((e: { action: string }) => e.action);
    expect(h.filter((a: string) => ['register', 'plan', 'do', 'check', 'measure', 'act_next_cycle', 'act_standardise'].includes(a))).toEqual([
      'register', 'plan', 'do', 'check', 'measure', 'act_next_cycle', 'plan', 'do', 'check', 'measure', 'act_standardise',
    ]);
    const summary = (await api.call('GET', '/improvements/summary', { key: auditor })).body;
    expect(summary).toMatchObject({ improvements: 1, byState: { closed: 1 }, byPhase: { closed: 1 }, cyclesEnded: 2, cyclesClosedWithTargetsMet: 1 });
    expect(summary.meanCycleTimeDays).toEqual(expect.any(Number));
    const list = await api.call('GET', '/improvements?source=incident_trend&owner=ian', { key: auditor });
    expect(list.body.items.map((i: { number: string }) => i.number)).toEqual([n]);
  });

  it('returns a rejected plan for revision, and refuses what the phase does not allow', async () => {
    const n = (await post('/improvements', imp, { title: 'Shorter change lead time', description: 'd', source: 'suggestion', service: 'Changes', owner: 'ian', benefit: 'b' })).body.number;
    expect((await post(`/improvements/${n}/review`, imp, { decision: 'met', notes: 'n', lessons: 'l', standardisation: 's' })).status).toBe(409);
    await post(`/improvements/${n}/plan`, imp, plan(10));
    const a = await eventually(async () => {
      const x = (await api.call('GET', '/approvals?process=improvement', { key: bea })).body.items.find((y: { caseId: string }) => y.caseId === n);
      expect(x).toBeDefined();
      return x;
    });
    await post(`/approvals/${a.id}/reject`, bea, { comment: 'targets too vague' });
    await eventually(async () => expect((await api.call('GET', `/improvements/${n}`, { key: imp })).body.state).toBe('plan'));
    expect((await post(`/improvements/${n}/cancel`, imp, { reason: 'superseded' })).body.state).toBe('cancelled');
    expect((await post('/improvements', auditor, { title: 't', description: 'd', source: 'suggestion', service: 's', owner: 'o', benefit: 'b' })).status).toBe(403);
  });

  it('waits in do while its action is open: a case in flight, answering reads and refusing what the phase does not allow', async () => {
    const n = (await post('/improvements', imp, { title: 'Fewer repeat calls', description: 'd', source: 'suggestion', service: 'Service desk', owner: 'ian', benefit: 'b' })).body.number;
    await post(`/improvements/${n}/plan`, imp, plan(40));
    const a = await eventually(async () => {
      const x = (await api.call('GET', '/approvals?process=improvement', { key: bea })).body.items.find((y: { caseId: string }) => y.caseId === n);
      expect(x).toBeDefined();
      return x;
    });
    await post(`/approvals/${a.id}/approve`, bea, { comment: 'go' });
    await eventually(async () => expect((await api.call('GET', `/improvements/${n}`, { key: auditor })).body).toMatchObject({ state: 'do', phase: 'do' }));
    expect((await post(`/improvements/${n}/review`, imp, { decision: 'met', notes: 'n', lessons: 'l', standardisation: 's' })).status).toBe(409);
    expect((await api.call('GET', `/improvements/${n}/history`, { key: auditor })).body.items.map((e: { action: string }) => e.action)).toContain('do');
  });
});
