/** Nonconformity and corrective action over HTTP: the correction runs as a PDCA improvement. */
import { startApi, type RunningApi } from '../support/harness';
import { eventually } from '../support/incidents';

let api: RunningApi;
let auditor: string, imp: string, desk: string, requester: string;

beforeAll(async () => {
  api = await startApi('api_nonconformities');
  [auditor, imp, desk, requester] = await Promise.all([
    api.key('ida', ['auditor']),
    api.key('ian', ['improvement_manager']),
    api.key('dora', ['agent'], ['service-desk']),
    api.key('bob', ['requester']),
  ]);
});
afterAll(async () => api?.stop());

const post = (path: string, key: string, body?: unknown) => api.call('POST', path, { key, body });
const stateOf = (path: string, s: string) =>
  eventually(async () => {
    const r = await api.call('GET', path, { key: auditor });
    expect(r.body.state).toBe(s);
    return r.body;
  });

it('runs from detection through containment and root cause to a corrective PDCA cycle, reviewed for effectiveness', async () => {
  expect((await post('/nonconformities', requester, {})).status).toBe(403);
  const raised = await post('/nonconformities', auditor, {
    title: 'Major incidents not reviewed', detectedIn: 'internal audit 2026-Q4', requirement: 'ISO/IEC 20000-1 8.6.1 e)', evidence: '3 of 5 P1s had no review', severity: 'major', service: 'Service desk', owner: 'ian',
  });
  expect(raised.status).toBe(201);
  const n = raised.body.number;
  expect(raised.body).toMatchObject({ number: expect.stringMatching(/^NCR\d{7}$/), state: 'containment' });
  expect((await post(`/nonconformities/${n}/record_root_cause`, imp, { rootCause: 'x' })).status).toBe(409);
  expect((await post(`/nonconformities/${n}/contain`, desk, { actions: 'x' })).status).toBe(403);
  expect((await post(`/nonconformities/${n}/contain`, imp, { actions: 'reviewed the 3 P1s this week' })).body.state).toBe('root_cause');
  expect((await post(`/nonconformities/${n}/record_root_cause`, imp, { rootCause: 'no one owns the major-incident review' })).body.state).toBe('corrective_action');

  const ca = await eventually(async () => {
    const r = await api.call('GET', `/nonconformities/${n}`, { key: auditor });
    expect(r.body.correctiveActions).toHaveLength(1);
    return r.body.correctiveActions[0];
  });
  const improvement = await stateOf(`/improvements/${ca.improvement}`, 'plan');
  expect(improvement).toMatchObject({ source: 'nonconformity', sourceRef: n, owner: 'ian' });

  // the corrective action's own PDCA cycle (no approval policy applies here)
  await post(`/improvements/${ca.improvement}/plan`, imp, {
    objective: 'Every P1 gets a review within 5 days',
    targets: [{ name: 'reviewedPercent', description: 'P1s reviewed within 5 days', baseline: 40, target: 100, unit: '%' }],
    actions: [{ title: 'Name a major-incident manager on the rota', group: 'service-desk', due: new Date(Date.now() + 7 * 86_400_000).toISOString() }],
  });
  const task = await eventually(async () => {
    const t = (await api.call('GET', '/tasks?process=improvement', { key: desk })).body.items.find((x: { caseId: string }) => x.caseId === ca.improvement);
    expect(t).toBeDefined();
    return t;
  });
  await post(`/tasks/${task.id}/complete`, desk, { outcome: 'done', fields: {} });
  await stateOf(`/improvements/${ca.improvement}`, 'check');
  await post(`/improvements/${ca.improvement}/measure`, imp, { target: 'reviewedPercent', value: 100 });
  await post(`/improvements/${ca.improvement}/review`, imp, { decision: 'met', notes: 'all P1s reviewed', lessons: 'ownership first', standardisation: 'the rota names the review owner' });

  await stateOf(`/nonconformities/${n}`, 'effectiveness_review');
  const closed = await post(`/nonconformities/${n}/review_effectiveness`, auditor, { effective: true, notes: 'sampled 4 P1s since: all reviewed' });
  expect(closed.body).toMatchObject({ state: 'closed', effectiveness: { effective: true, by: 'ida' } });
  const h = (await api.call('GET', `/nonconformities/${n}/history`, { key: auditor })).body.items.map((e: { action: string }) => e.action);
  expect(h).toEqual(['raise', 'contain', 'record_root_cause', 'corrective_action', 'corrective_action_done', 'review_effectiveness']);
  expect((await post(`/nonconformities/${n}/comment`, imp, { text: 'late' })).status).toBe(409);
});

it('waits for its root cause after containment: a case in flight', async () => {
  const n = (await post('/nonconformities', auditor, { title: 'Changes without a review', detectedIn: 'audit', requirement: 'ISO/IEC 20000-1 8.5.1.3', evidence: '2 of 10', severity: 'minor', service: 'Changes', owner: 'ian' })).body.number;
  expect((await post(`/nonconformities/${n}/contain`, imp, { actions: 'reviewed both' })).body.state).toBe('root_cause');
  await stateOf(`/nonconformities/${n}`, 'root_cause');
});
