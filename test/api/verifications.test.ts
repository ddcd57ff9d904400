/** CI verification: the CIs due by the policy, a task per CI for its owner group, and a difference opening an incident or a change as the policy says. */
import { ciVerificationAudit } from '../../workflows/verification';
import { startApi, type RunningApi } from '../support/harness';
import { eventually } from '../support/incidents';

let api: RunningApi;
let owner: string, ops: string, net: string;

beforeAll(async () => {
  api = await startApi('api_verifications');
  [owner, ops, net] = await Promise.all([api.key('olga', ['process_owner']), api.key('oscar', ['agent'], ['ops']), api.key('nils', ['agent'], ['network'])]);
  expect((await api.call('PUT', '/ci-classes/server', { key: owner, body: {} })).status).toBe(200);
  expect((await api.call('PUT', '/ci-classes/network_device', { key: owner, body: {} })).status).toBe(200);
  for (const ci of [{ name: 'web-1', class: 'server', owner: 'ops' }, { name: 'sw-1', class: 'network_device', owner: 'network' }, { name: 'old-1', class: 'server', owner: 'ops', status: 'retired' }]) {
    expect((await api.call('POST', '/cis', { key: owner, body: ci })).status).toBe(201);
  }
  expect((await api.call('POST', '/services', { key: owner, body: { name: 'Campus LAN', owner: 'nina', configurationItems: ['sw-1'], status: 'live' } })).status).toBe(201);
});
afterAll(async () => api?.stop());

const opened = async (number: string) =>
  eventually(async () => {
    const v = (await api.call('GET', `/verifications/${number}`, { key: ops })).body;
    expect(v.tasks).toHaveLength(v.items.length);
    return v;
  });
const complete = (key: string, task: string, outcome: string, findings?: string) => api.call('POST', `/tasks/${task}/complete`, { key, body: { outcome, ...(findings ? { fields: { findings } } : {}) } });

it('verifies the CIs due, each by its owner group; a difference opens an incident on the CI for its service; the CI shows when and what', async () => {
  const policy = await api.call('GET', '/policies/ci-verification', { key: ops });
  expect(policy.body).toMatchObject({ version: 1, enabled: true, everyDays: 180, onDifference: 'incident', maxPerAudit: 200 });
  expect((await api.call('PUT', '/policies/ci-verification', { key: owner, body: { everyDays: 365, classes: { network_device: 90 }, dueDays: 7 } })).status).toBe(200);

  const r = await api.call('POST', '/verifications', { key: owner, body: {} });
  expect(r.status).toBe(201);
  expect(r.body).toMatchObject({ number: expect.stringMatching(/^VER\d{7}$/), state: 'verifying', policy: { version: 2, onDifference: 'incident' }, openedBy: 'olga' });
  expect(r.body.items.map((i: { ci: string; group: string; service: string }) => [i.ci, i.group, i.service]).sort()).toEqual([['sw-1', 'network', 'Campus LAN'], ['web-1', 'ops', 'Configuration management']]); // never verified, not retired
  expect(r.body.dueAt - r.body.openedAt).toBe(7 * 86_400_000);
  expect(r.body.tasks).toHaveLength(2); // the answer shows the tasks at once
  const v = await opened(r.body.number);
  const taskOf = (ci: string) => v.tasks.find((t: { id: string }) => t.id === v.items.find((i: { ci: string }) => i.ci === ci).task);
  expect(taskOf('sw-1')).toMatchObject({ type: 'verify', group: 'network', state: 'open' });

  // under verification: not opened again; an unknown CI is named
  const again = await api.call('POST', '/verifications', { key: owner, body: {} });
  expect([again.status, again.body.detail]).toEqual([409, 'no CI is due for verification (every CI was verified within its period, or is being verified)']);
  const busy = await api.call('POST', '/verifications', { key: owner, body: { cis: ['sw-1', 'old-1'] } });
  expect([busy.status, busy.body.detail]).toEqual([409, `cannot be verified now: sw-1 is being verified in ${r.body.number}; old-1 is retired`]);
  const unknown = await api.call('POST', '/verifications', { key: owner, body: { cis: ['web-1', 'nope-9'] } });
  expect([unknown.status, unknown.body.errors]).toEqual([400, [{ in: 'body', path: 'cis.1', message: 'there is no CI nope-9' }]]);
  expect((await api.call('POST', '/verifications', { key: ops, body: {} })).status).toBe(403);

  // each group verifies its own; a difference says what differs
  expect((await complete(ops, taskOf('sw-1').id, 'verified')).status).toBe(403);
  expect((await complete(ops, taskOf('web-1').id, 'verified')).status).toBe(200);
  const bare = await complete(net, taskOf('sw-1').id, 'different');
  expect([bare.status, bare.body.detail]).toEqual([400, 'fields.findings: required when the outcome is different']);
  expect((await complete(net, taskOf('sw-1').id, 'different', 'firmware 9.2 runs, the record says 9.1')).status).toBe(200);

  const done = await eventually(async () => {
    const one = (await api.call('GET', `/verifications/${r.body.number}`, { key: ops })).body;
    expect(one.state).toBe('closed');
    return one;
  });
  const sw = done.items.find((i: { ci: string }) => i.ci === 'sw-1');
  expect(sw).toMatchObject({ result: 'different', findings: 'firmware 9.2 runs, the record says 9.1', by: 'nils', opened: expect.stringMatching(/^INC\d{7}$/) });
  expect(done.items.find((i: { ci: string }) => i.ci === 'web-1')).toMatchObject({ result: 'verified', by: 'oscar', opened: null });
  const incident = await eventually(async () => {
    const one = await api.call('GET', `/incidents/${sw.opened}`, { key: net });
    expect(one.status).toBe(200);
    return one.body;
  });
  expect(incident).toMatchObject({ title: 'Configuration difference on sw-1', service: 'Campus LAN', configurationItem: 'sw-1', category: 'configuration', caller: 'nils', priority: 'P4' });
  expect(incident.description).toContain(r.body.number);
  const ci = (await api.call('GET', '/cis/sw-1', { key: ops })).body;
  expect(ci.verification).toMatchObject({ case: r.body.number, result: 'different', by: 'nils' });
  expect(Date.parse(ci.verifiedAt)).toBeGreaterThan(r.body.openedAt);
  const steps = (await api.call('GET', `/verifications/${r.body.number}/history`, { key: ops })).body.items.map((e: { action: string }) => e.action);
  expect(steps.filter((s: string) => s.startsWith('ci_') || s === 'close' || s === 'open')).toEqual(['open', 'ci_verified', 'ci_different', 'close']);

  // verified now: nothing is due, and the daily audit opens none
  expect((await api.call('POST', '/verifications', { key: owner, body: {} })).status).toBe(409);
  expect(await api.client.workflow.execute(ciVerificationAudit, { taskQueue: api.taskQueue, workflowId: `audit-${Date.now()}`, args: [{ day: '2026-12-01' }] })).toEqual({ day: '2026-12-01', verification: null, cis: 0 });
});

it('opens a change for a difference when the policy says so; the daily audit opens one case a day; a process owner cancels a verification with its tasks', async () => {
  expect((await api.call('PUT', '/policies/ci-verification', { key: owner, body: { everyDays: 365, classes: { network_device: 90 }, dueDays: 7, onDifference: 'change', change: { leadDays: 3 } } })).status).toBe(200);
  const r = await api.call('POST', '/verifications', { key: owner, body: { cis: ['web-1'] } });
  expect(r.status).toBe(201);
  const v = await opened(r.body.number);
  expect((await complete(ops, v.tasks[0].id, 'different', 'a second disk was added')).status).toBe(200);
  const item = await eventually(async () => {
    const one = (await api.call('GET', `/verifications/${r.body.number}`, { key: ops })).body;
    expect(one.items[0].opened).toMatch(/^CHG\d{7}$/);
    return one.items[0];
  });
  const change = await eventually(async () => {
    const one = await api.call('GET', `/changes/${item.opened}`, { key: ops });
    expect(one.status).toBe(200);
    return one.body;
  });
  expect(change).toMatchObject({ type: 'normal', configurationItems: ['web-1'], implementationGroup: 'ops', risk: 'low' });
  expect(Date.parse(change.plannedStart) - Date.now()).toBeGreaterThan(2.9 * 86_400_000);

  // the daily audit: the CIs due (web-1 is verified; make sw-1 due again by a shorter period), one case for the day, once
  await api.models.ConfigurationItem.collection.updateOne({ _id: 'sw-1' } as never, { $set: { verifiedAt: new Date(Date.now() - 100 * 86_400_000) } });
  const audit = () => api.client.workflow.execute(ciVerificationAudit, { taskQueue: api.taskQueue, workflowId: `audit-${Date.now()}`, args: [{ day: '2026-12-02' }] });
  const first = await audit();
  expect(first).toMatchObject({ day: '2026-12-02', verification: expect.stringMatching(/^VER\d{7}$/), cis: 1 });
  const daily = await opened(first.verification!);
  expect(daily.items.map((i: { ci: string }) => i.ci)).toEqual(['sw-1']);
  expect(daily.openedBy).toBe('system');
  // run again the same day: sw-1 is being verified, nothing is due
  expect(await audit()).toEqual({ day: '2026-12-02', verification: null, cis: 0 });

  expect((await api.call('POST', `/verifications/${first.verification}/cancel`, { key: net, body: { reason: 'network freeze' } })).status).toBe(403);
  expect((await api.call('POST', `/verifications/${first.verification}/cancel`, { key: owner, body: { reason: 'network freeze' } })).status).toBe(200);
  await eventually(async () => {
    const one = (await api.call('GET', `/verifications/${first.verification}`, { key: ops })).body;
    expect([one.state, one.tasks[0].state, one.cancelReason]).toEqual(['cancelled', 'cancelled', 'network freeze']);
  });
  // cancelled, sw-1 is due again: a run repeated that day finds the day's case and opens no second one
  expect(await audit()).toEqual({ day: '2026-12-02', verification: first.verification, cis: 0 });
  expect(await api.models.Verification.countDocuments({ _id: first.verification })).toBe(1);
  const next = await api.client.workflow.execute(ciVerificationAudit, { taskQueue: api.taskQueue, workflowId: `audit-${Date.now()}`, args: [{ day: '2026-12-03' }] });
  expect(next).toMatchObject({ verification: expect.not.stringMatching(first.verification!), cis: 1 });
});
