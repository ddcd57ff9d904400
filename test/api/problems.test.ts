/** Problem management over HTTP: from incidents to a known error, resolved through a change. */
import { randomUUID } from 'node:crypto';
import { problemTrendScan } from '../../workflows/problem-trend';
import { startApi, type RunningApi } from '../support/harness';
import { eventually } from '../support/incidents';

let api: RunningApi;
let pm: string, ops: string, other: string, requester: string;

const incident = { title: 'VPN drops every hour', description: 'connections reset', caller: 'bob', service: 'VPN', configurationItem: 'vpn-gw-9', category: 'network', impact: 2, urgency: 2 };
const day = (d: number, h = 22) => new Date(Date.UTC(2027, 2, d, h)).toISOString();

beforeAll(async () => {
  api = await startApi('api_problems');
  [pm, ops, other, requester] = await Promise.all([
    api.key('pam', ['agent'], ['problem-team', 'change-managers']),
    api.key('nina', ['agent'], ['network']),
    api.key('sam', ['agent'], ['desktop']),
    api.key('bob', ['requester']),
  ]);
});
afterAll(async () => api?.stop());

const post = (path: string, key: string, body?: unknown) => api.call('POST', path, { key, body });
async function stateOf(path: string, expected: string) {
  return eventually(async () => {
    const r = await api.call('GET', path, { key: pm });
    expect(r.body.state).toBe(expected);
    return r.body;
  });
}

describe('a problem', () => {
  it('runs from its incidents to a known error, a change, and resolution, telling its incidents', async () => {
    const incs: string[] = [];
    for (let i = 0; i < 2; i++) incs.push((await post('/incidents', ops, incident)).body.number);
    await post(`/incidents/${incs[0]}/assign`, ops, { group: 'network' });
    await post(`/incidents/${incs[0]}/start`, ops);

    const raised = await post('/problems', pm, { title: 'VPN gateway resets sessions', description: 'hourly resets', service: 'VPN', configurationItem: 'vpn-gw-9', category: 'network', impact: 'high', group: 'problem-team', incidents: incs });
    expect(raised.status).toBe(201);
    const prb = raised.body.number;
    expect(raised.body).toMatchObject({ number: expect.stringMatching(/^PRB\d{7}$/), state: 'new' });
    // each link is in both histories
    await eventually(async () => {
      for (const i of incs) {
        const h = (await api.call('GET', `/incidents/${i}/history`, { key: pm })).body.items;
        expect(h.map((e: { action: string }) => e.action)).toContain('problem_linked');
        expect((await api.call('GET', `/incidents/${i}`, { key: pm })).body.problems).toEqual([prb]);
      }
    });

    expect((await post(`/problems/${prb}/investigate`, pm)).body.state).toBe('investigation');
    const task = await eventually(async () => {
      const t = (await api.call('GET', '/tasks?process=problem', { key: pm })).body.items.find((x: { caseId: string }) => x.caseId === prb);
      expect(t).toMatchObject({ type: 'investigate', group: 'problem-team' });
      return t;
    });
    expect((await post(`/problems/${prb}/record_known_error`, other, { symptoms: 's', rootCause: 'r', workaround: 'w' })).status).toBe(403);
    const ke = await post(`/problems/${prb}/record_known_error`, pm, { symptoms: 'VPN sessions reset on the hour', rootCause: 'the gateway firmware leaks session memory', workaround: 'reconnect; sessions survive until the next hour' });
    expect(ke.body).toMatchObject({ state: 'known_error', knownError: { rootCause: 'the gateway firmware leaks session memory' } });
    await eventually(async () => expect((await api.call('GET', '/tasks?process=problem&state=cancelled', { key: pm })).body.items.map((t: { id: string }) => t.id)).toContain(task.id));

    // the known error database
    const found = await api.call('GET', '/known-errors?q=firmware', { key: requester });
    expect(found.body.items).toEqual([expect.objectContaining({ id: prb, workaround: 'reconnect; sessions survive until the next hour' })]);
    expect((await api.call('GET', '/known-errors?q=printer', { key: requester })).body.items).toEqual([]);
    expect((await api.call('GET', '/known-errors?configurationItem=vpn-gw-9', { key: requester })).body.total).toBe(1);
    expect((await api.call('GET', `/known-errors/${prb}`, { key: requester })).body.symptoms).toBe('VPN sessions reset on the hour');

    // a new incident on that CI shows the workaround when it is logged
    const later = await post('/incidents', ops, incident);
    expect(later.body.knownErrors).toEqual([{ problem: prb, symptoms: 'VPN sessions reset on the hour', workaround: 'reconnect; sessions survive until the next hour' }]);
    expect((await post('/incidents', ops, { ...incident, configurationItem: 'printer-1', category: 'printing' })).body.knownErrors).toEqual([]);

    // the RFC that removes the root cause
    const chg = (await post('/changes', pm, {
      title: 'Upgrade the VPN gateway firmware', description: 'fixes the leak', justification: prb, type: 'standard', template: 'restart-app-server',
      configurationItems: ['vpn-gw-9'], services: ['VPN'], risk: 'low', impact: 'low', plannedStart: day(3), plannedEnd: day(3, 23),
      implementationPlan: 'upgrade', backoutPlan: 'downgrade', implementationGroup: 'network',
    })).body.number;
    expect((await post(`/problems/${prb}/link_change`, pm, { change: chg })).body).toMatchObject({ state: 'awaiting_change', change: chg });
    await eventually(async () => expect((await api.call('GET', `/changes/${chg}`, { key: pm })).body.problems).toEqual([prb]));
    await post(`/changes/${chg}/submit`, pm);
    await post(`/changes/${chg}/implement`, ops);
    await post(`/changes/${chg}/complete`, ops, { result: 'successful', notes: 'upgraded' });
    const pir = await eventually(async () => {
      const t = (await api.call('GET', '/tasks?process=change', { key: ops })).body.items.find((x: { caseId: string }) => x.caseId === chg);
      expect(t).toBeDefined();
      return t;
    });
    await post(`/tasks/${pir.id}/complete`, ops, { outcome: 'successful', fields: { findings: 'no resets since' } });

    const resolved = await stateOf(`/problems/${prb}`, 'resolved');
    expect(resolved.verifyUntil - resolved.resolvedAt).toBe(14 * 86_400_000);
    for (const i of incs) {
      const inc = await stateOf(`/incidents/${i}`, 'resolved');
      expect(inc.resolution).toMatch(new RegExp(`^Resolved by ${prb} through ${chg}`));
    }
    const h = (await api.call('GET', `/problems/${prb}/history`, { key: pm })).body.items.map((e: { action: string }) => e.action);
    expect(h).toEqual(expect.arrayContaining(['raise', 'link_incidents', 'investigate', 'task_opened', 'record_known_error', 'task_cancelled', 'link_change', 'resolve', 'incident_resolved']));

    // an incident opened before the resolution, linked during verification, is not a recurrence
    const late = await post(`/problems/${prb}/link_incidents`, pm, { incidents: [later.body.number] });
    expect(late.body).toMatchObject({ state: 'resolved', recurrences: 0 });
    const lateEntry = (await api.call('GET', `/problems/${prb}/history`, { key: pm })).body.items.at(-1);
    expect(lateEntry).toMatchObject({ action: 'link_incidents', note: 'opened before the resolution: not a recurrence' });
    // incidents that do not exist are a 404 naming them, and link nothing
    const unknown = await post(`/problems/${prb}/link_incidents`, pm, { incidents: ['INC9999999', later.body.number] });
    expect([unknown.status, unknown.body.detail]).toEqual([404, 'there is no incident INC9999999']);

    // an incident opened after the resolution, linked during verification, is a recurrence: back to investigation
    const again = (await post('/incidents', ops, incident)).body.number;
    const reopened = await post(`/problems/${prb}/link_incidents`, pm, { incidents: [again] });
    expect(reopened.body).toMatchObject({ state: 'investigation', recurrences: 1, verifyUntil: null });
  });

  it('returns to known error when its change fails, and refuses what its state does not allow', async () => {
    const prb = (await post('/problems', pm, { title: 'Disk fills', description: 'logs', service: 'Mail', category: 'storage', impact: 'low', group: 'problem-team' })).body.number;
    const nowhere = await post(`/problems/${prb}/link_change`, pm, { change: 'CHG0000001' });
    expect([nowhere.status, nowhere.body.detail]).toEqual([404, 'there is no change CHG0000001']);
    expect((await post(`/problems/${prb}/investigate`, requester)).status).toBe(403);
    expect((await post(`/problems/${prb}/record_known_error`, pm, { symptoms: 's' })).status).toBe(400);
    await post(`/problems/${prb}/investigate`, pm);
    await post(`/problems/${prb}/record_known_error`, pm, { symptoms: 'disk full', rootCause: 'no log rotation', workaround: 'delete old logs' });
    const chg = (await post('/changes', pm, {
      title: 'Rotate logs', description: 'd', justification: prb, type: 'standard', template: 'restart-app-server', configurationItems: ['mail-1'], services: ['Mail'],
      risk: 'low', impact: 'low', plannedStart: day(5), plannedEnd: day(5, 23), implementationPlan: 'p', backoutPlan: 'b', implementationGroup: 'network', problems: [prb],
    })).body.number;
    await post(`/problems/${prb}/link_change`, pm, { change: chg });
    await post(`/changes/${chg}/submit`, pm);
    await post(`/changes/${chg}/implement`, ops);
    await post(`/changes/${chg}/complete`, ops, { result: 'failed', notes: 'rotation broke the mailer' });
    const backout = await eventually(async () => {
      const t = (await api.call('GET', '/tasks?process=change', { key: ops })).body.items.find((x: { caseId: string; type: string }) => x.caseId === chg && x.type === 'backout');
      expect(t).toBeDefined();
      return t;
    });
    await post(`/tasks/${backout.id}/complete`, ops, { outcome: 'backed_out', fields: { notes: 'restored' } });
    const pir = await eventually(async () => {
      const t = (await api.call('GET', '/tasks?process=change', { key: ops })).body.items.find((x: { caseId: string; type: string }) => x.caseId === chg && x.type === 'pir');
      expect(t).toBeDefined();
      return t;
    });
    await post(`/tasks/${pir.id}/complete`, ops, { outcome: 'backed_out', fields: { findings: 'needs a different rotation tool' } });
    const back = await stateOf(`/problems/${prb}`, 'known_error');
    expect(back.change).toBeNull();
    expect((await post(`/problems/${prb}/cancel`, pm, { reason: 'the mail service is being retired' })).body.state).toBe('cancelled');
    expect((await post(`/problems/${prb}/comment`, pm, { text: 'late' })).status).toBe(409);
  });

  it('goes back to known error when its change is cancelled or rejected, and takes a new one', async () => {
    const prb = (await post('/problems', pm, { title: 'Queue stalls', description: 'nightly', service: 'Batch', category: 'software', impact: 'medium', group: 'problem-team' })).body.number;
    await post(`/problems/${prb}/investigate`, pm);
    await post(`/problems/${prb}/record_known_error`, pm, { symptoms: 'queue stalls', rootCause: 'lock leak', workaround: 'restart the queue' });
    const rfc = (title: string, d: number) => ({
      title, description: 'd', justification: prb, type: 'normal', configurationItems: ['batch-1'], services: ['Batch'],
      risk: 'low', impact: 'low', plannedStart: day(d), plannedEnd: day(d, 23), implementationPlan: 'p', backoutPlan: 'b', implementationGroup: 'network',
    });
    const first = (await post('/changes', pm, rfc('Patch the lock', 10))).body.number;
    expect((await post(`/problems/${prb}/link_change`, pm, { change: first })).body.state).toBe('awaiting_change');
    await eventually(async () => expect((await api.call('GET', `/changes/${first}`, { key: pm })).body.problems).toEqual([prb]));
    expect((await post(`/changes/${first}/cancel`, pm, { reason: 'wrong approach' })).body.state).toBe('cancelled');
    const back = await stateOf(`/problems/${prb}`, 'known_error');
    expect(back.change).toBeNull();
    const entry = (await api.call('GET', `/problems/${prb}/history`, { key: pm })).body.items.at(-1);
    expect(entry).toMatchObject({ action: 'change_failed', from: 'awaiting_change', to: 'known_error', note: `${first} was cancelled: a new change is needed` });
    // the cancelled change cannot be linked again; a new one can
    const stale = await post(`/problems/${prb}/link_change`, pm, { change: first });
    expect([stale.status, stale.body.detail]).toEqual([409, `${first} is cancelled: link a change that can still be implemented`]);
    const second = (await post('/changes', pm, rfc('Replace the lock library', 12))).body.number;
    expect((await post(`/problems/${prb}/link_change`, pm, { change: second })).body).toMatchObject({ state: 'awaiting_change', change: second });
    // no approval policy matches this normal change: it is rejected, and the problem waits for another again
    await post(`/changes/${second}/submit`, pm);
    await post(`/changes/${second}/assess`, ops, { risk: 'low', impact: 'low', assessment: 'a' });
    await stateOf(`/changes/${second}`, 'rejected');
    await stateOf(`/problems/${prb}`, 'known_error');
  });
});

describe('problems from incident trends', () => {
  it('opens exactly one problem when incidents on one CI reach the threshold, and links later ones', async () => {
    const owner = await api.key('olga', ['process_owner']);
    const policy = { enabled: true, groupBy: 'configurationItem', threshold: 5, windowMinutes: 60, scanIntervalMinutes: 10, group: 'problem-team', impact: 'high' };
    const put = await api.call('PUT', '/policies/problem-trend', { key: owner, body: policy });
    expect(put.status).toBe(200);
    const schedule = await api.client.schedule.getHandle(`trend-scan-${api.taskQueue}`).describe();
    expect(schedule.spec.intervals?.[0].every).toBe(10 * 60_000);
    expect(schedule.state.paused).toBe(false);
    expect((await api.call('PUT', '/policies/problem-trend', { key: owner, body: { ...policy, threshold: 1 } })).status).toBe(400);

    const on = (ci: string) => post('/incidents', ops, { ...incident, configurationItem: ci, service: 'Billing', category: 'database' });
    const five: string[] = [];
    for (let i = 0; i < 5; i++) five.push((await on('db-trend')).body.number);
    await on('db-elsewhere');
    const scan = () => api.client.workflow.execute(problemTrendScan, { taskQueue: api.taskQueue, workflowId: `scan-${randomUUID()}` });

    const first = await scan();
    expect(first.opened).toHaveLength(1);
    const prb = first.opened[0];
    const p = (await api.call('GET', `/problems/${prb}`, { key: pm })).body;
    expect(p).toMatchObject({ state: 'new', configurationItem: 'db-trend', service: 'Billing', group: 'problem-team', impact: 'high', trend: { groupBy: 'configurationItem', key: 'db-trend' } });
    expect([...p.incidents].sort()).toEqual([...five].sort());

    expect(await scan()).toEqual({ opened: [], linked: {} }); // run again: nothing twice
    const sixth = (await on('db-trend')).body.number;
    expect(await scan()).toEqual({ opened: [], linked: { [prb]: [sixth] } });
    await eventually(async () => {
      const h = (await api.call('GET', `/incidents/${sixth}/history`, { key: pm })).body.items;
      expect(h.map((e: { action: string }) => e.action)).toContain('problem_linked');
    });
    expect((await api.call('GET', `/problems?incident=${sixth}`, { key: pm })).body.items.map((x: { number: string }) => x.number)).toEqual([prb]);
    await api.call('PUT', '/policies/problem-trend', { key: owner, body: { ...policy, enabled: false } });
    expect((await api.client.schedule.getHandle(`trend-scan-${api.taskQueue}`).describe()).state.paused).toBe(true);
  });
});
