/** Incident management over HTTP against the running stack (real worker, dev server, database). */
import { startApi, type RunningApi } from '../support/harness';
import { eventually } from '../support/incidents';

let api: RunningApi;
let admin: string, alice: string, dina: string, bob: string, carol: string, auditor: string;

const vpn = { title: 'VPN down', description: 'no one can connect', caller: 'bob', service: 'VPN', configurationItem: 'vpn-gw-1', category: 'network', impact: 2, urgency: 2 };

beforeAll(async () => {
  api = await startApi('api_incidents');
  admin = api.adminKey;
  [alice, dina, bob, carol, auditor] = await Promise.all([
    api.key('alice', ['agent'], ['network']),
    api.key('dina', ['agent'], ['desktop']),
    api.key('bob', ['requester']),
    api.key('carol', ['requester']),
    api.key('ida', ['auditor']),
  ]);
});
afterAll(async () => api?.stop());

async function open(body: Record<string, unknown> = vpn, key = alice) {
  const r = await api.call('POST', '/incidents', { key, body });
  expect(r.status).toBe(201);
  return r.body.number as string;
}

/** The record and history as they are now, to prove a refused request changed nothing. */
async function snapshot(number: string) {
  const [rec, hist] = await Promise.all([api.call('GET', `/incidents/${number}`, { key: admin }), api.call('GET', `/incidents/${number}/history`, { key: admin })]);
  const { sla, ...rest } = rec.body;
  // an open assignment's time runs until the read: not a change
  rest.assignments = rest.assignments.map((a: { to: string | null; businessMinutes: number }) => (a.to ? a : { ...a, businessMinutes: 'running' }));
  return { rest, clocks: [sla.response.status, sla.resolution.status, sla.response.startedAt], history: hist.body.items };
}

describe('POST /incidents', () => {
  it('logs an incident and answers with its number, state, priority and SLA', async () => {
    const r = await api.call('POST', '/incidents', { key: alice, body: vpn });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ number: expect.stringMatching(/^INC\d{7}$/), state: 'new', priority: 'P3', major: false, openedBy: 'alice' });
    expect(r.body.sla.response).toMatchObject({ status: 'running', targetMinutes: 240 });
    expect(r.body.sla.resolution).toMatchObject({ status: 'running', targetMinutes: 1440 });
    expect(r.headers.get('location')).toBe(`/incidents/${r.body.number}`);
  });

  it('numbers incidents from a counter', async () => {
    const a = await open();
    const b = await open();
    expect(Number(b.slice(3))).toBe(Number(a.slice(3)) + 1);
  });

  it('never gives a closed incident’s number to a new one', async () => {
    const a = await open();
    await api.call('POST', `/incidents/${a}/assign`, { key: alice, body: { group: 'network' } });
    await api.call('POST', `/incidents/${a}/start`, { key: alice });
    await api.call('POST', `/incidents/${a}/resolve`, { key: alice, body: { resolutionCode: 'fixed', resolution: 'x' } });
    await api.call('POST', `/incidents/${a}/confirm`, { key: bob });
    await api.client.workflow.getHandle(a).result();
    await api.models.Counter.updateOne({ _id: 'INC' }, { $inc: { value: -1 } });
    const b = await open();
    expect(Number(b.slice(3))).toBe(Number(a.slice(3)) + 1);
  });

  it('skips a number Temporal already holds (a database restored behind its back)', async () => {
    const a = await open();
    await api.models.Counter.updateOne({ _id: 'INC' }, { $inc: { value: -1 } });
    const b = await open();
    expect(Number(b.slice(3))).toBe(Number(a.slice(3)) + 1);
    expect((await api.call('GET', `/incidents/${a}`, { key: alice })).body.number).toBe(a);
  });

  it('opens the major-incident path for a P1', async () => {
    const r = await api.call('POST', '/incidents', { key: alice, body: { ...vpn, impact: 1, urgency: 1 } });
    expect(r.body).toMatchObject({ priority: 'P1', major: true });
    await eventually(async () => expect(await api.models.Notification.countDocuments({ caseId: r.body.number, type: 'major_incident' })).toBe(1));
  });

  it('refuses bad input with a problem naming each field, and opens nothing', async () => {
    const before = await api.models.Incident.countDocuments();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...vpn, impact: 4 }, 'impact'],
      [{ ...vpn, urgency: '2' }, 'urgency'],
      [{ ...vpn, title: '' }, 'title'],
      [{ ...vpn, colour: 'red' }, '(body)'],
      [{ ...vpn, caller: undefined }, 'caller'],
    ];
    for (const [body, field] of cases) {
      const r = await api.call('POST', '/incidents', { key: alice, body });
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.body).toMatchObject({ type: 'urn:iso20k-flow:problem:validation-error', status: 400 });
      expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(field);
    }
    const unknown = await api.call('POST', '/incidents', { key: alice, body: { ...vpn, colour: 'red' } });
    expect(unknown.body.errors[0].message).toBe('unknown field: colour');
    expect(await api.models.Incident.countDocuments()).toBe(before);
  });

  it('refuses malformed JSON (400), an oversized body (413) and a body that is not JSON (415)', async () => {
    const before = await api.models.Incident.countDocuments();
    const malformed = await api.call('POST', '/incidents', { key: alice, raw: '{"title": "VPN', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.type).toBe('urn:iso20k-flow:problem:malformed-json');
    const big = await api.call('POST', '/incidents', { key: alice, body: { ...vpn, description: 'x'.repeat(200_000) } });
    expect(big.status).toBe(413);
    expect(big.body.type).toBe('urn:iso20k-flow:problem:body-too-large');
    const text = await api.call('POST', '/incidents', { key: alice, raw: 'title=VPN', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(text.status).toBe(415);
    expect(await api.models.Incident.countDocuments()).toBe(before);
  });

  it('refuses without a key (401), with a bad key (401) and for a role that may not log (403)', async () => {
    expect((await api.call('POST', '/incidents', { body: vpn })).status).toBe(401);
    expect((await api.call('POST', '/incidents', { key: 'isk_nope', body: vpn })).status).toBe(401);
    const r = await api.call('POST', '/incidents', { key: auditor, body: vpn });
    expect(r.status).toBe(403);
    expect(r.body.detail).toMatch(/needs one of the roles/);
  });

  it('lets a requester log incidents only as their own caller', async () => {
    expect((await api.call('POST', '/incidents', { key: bob, body: vpn })).status).toBe(201);
    expect((await api.call('POST', '/incidents', { key: carol, body: vpn })).status).toBe(403);
  });
});

describe('incident commands', () => {
  it('open → assign → start → hold → resume → resolve → confirm, each answering with the new state', async () => {
    const n = await open();
    const step = async (cmd: string, key: string, body: unknown, state: string) => {
      const r = await api.call('POST', `/incidents/${n}/${cmd}`, { key, body });
      expect([cmd, r.status, r.body.state]).toEqual([cmd, 200, state]);
      expect(r.body).toHaveProperty('priority');
      expect(r.body).toHaveProperty('sla');
      return r.body;
    };
    await step('assign', alice, { group: 'network', assignee: 'alice' }, 'assigned');
    await step('start', alice, undefined, 'in_progress');
    const held = await step('hold', alice, { reason: 'waiting for the caller' }, 'on_hold');
    expect(held.sla.resolution.status).toBe('paused');
    await step('resume', alice, {}, 'in_progress');
    await step('comment', bob, { text: 'thanks for the update' }, 'in_progress');
    await step('resolve', alice, { resolutionCode: 'fixed', resolution: 'replaced the certificate' }, 'resolved');
    await step('reopen', bob, { reason: 'broken again' }, 'in_progress');
    await step('resolve', alice, { resolutionCode: 'fixed', resolution: 'replaced the chain' }, 'resolved');
    await step('confirm', bob, { note: 'all good' }, 'closed');

    const h = await api.call('GET', `/incidents/${n}/history`, { key: auditor });
    expect(h.status).toBe(200);
    expect(h.body.items.map((e: { action: string }) => e.action)).toEqual(['open', 'assign', 'start', 'hold', 'resume', 'comment', 'resolve', 'reopen', 'resolve', 'confirm']);
    expect(h.body.items[3]).toMatchObject({ from: 'in_progress', to: 'on_hold', by: 'alice', note: 'waiting for the caller' });
    expect(h.body.items[3].at).toEqual(expect.any(String));

    const closedCmd = await api.call('POST', `/incidents/${n}/comment`, { key: alice, body: { text: 'late note' } });
    expect(closedCmd.status).toBe(409);
    expect(closedCmd.body).toMatchObject({ state: 'closed', type: 'urn:iso20k-flow:problem:illegal-transition' });
  });

  it('lets an agent close a resolved incident without the caller, with a note', async () => {
    const n = await open();
    await api.call('POST', `/incidents/${n}/assign`, { key: alice, body: { group: 'network' } });
    await api.call('POST', `/incidents/${n}/start`, { key: alice });
    await api.call('POST', `/incidents/${n}/resolve`, { key: alice, body: { resolutionCode: 'fixed', resolution: 'rebooted' } });
    expect((await api.call('POST', `/incidents/${n}/close`, { key: alice, body: {} })).status).toBe(400);
    const r = await api.call('POST', `/incidents/${n}/close`, { key: alice, body: { note: 'caller unreachable for a week' } });
    expect(r.body.state).toBe('closed');
  });

  it('refuses an illegal transition with 409 and the current state, and changes nothing', async () => {
    const n = await open();
    await api.call('POST', `/incidents/${n}/assign`, { key: alice, body: { group: 'network' } });
    const before = await snapshot(n);
    const r = await api.call('POST', `/incidents/${n}/resolve`, { key: alice, body: { resolutionCode: 'fixed', resolution: 'x' } });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ status: 409, state: 'assigned', detail: 'cannot resolve an incident that is assigned' });
    for (const cmd of ['resume', 'confirm', 'reopen', 'close']) {
      expect((await api.call('POST', `/incidents/${n}/${cmd}`, { key: alice, body: cmd === 'reopen' ? { reason: 'r' } : cmd === 'close' ? { note: 'n' } : {} })).status).toBe(409);
    }
    expect(await snapshot(n)).toEqual(before);
  });

  it('refuses an agent of another group (403) and a role that may not act (403), and changes nothing', async () => {
    const n = await open();
    await api.call('POST', `/incidents/${n}/assign`, { key: alice, body: { group: 'network' } });
    const before = await snapshot(n);
    const stranger = await api.call('POST', `/incidents/${n}/start`, { key: dina });
    expect(stranger.status).toBe(403);
    expect(stranger.body.detail).toMatch(/network/);
    expect((await api.call('POST', `/incidents/${n}/start`, { key: auditor })).status).toBe(403);
    expect((await api.call('POST', `/incidents/${n}/start`, { key: bob })).status).toBe(403);
    expect((await api.call('POST', `/incidents/${n}/comment`, { key: carol, body: { text: 'me too' } })).status).toBe(403);
    expect(await snapshot(n)).toEqual(before);
  });

  it('refuses bad command input (400) and an unknown incident (404), and changes nothing', async () => {
    const n = await open();
    await api.call('POST', `/incidents/${n}/assign`, { key: alice, body: { group: 'network' } });
    await api.call('POST', `/incidents/${n}/start`, { key: alice });
    const before = await snapshot(n);
    const noReason = await api.call('POST', `/incidents/${n}/hold`, { key: alice, body: {} });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors).toEqual([{ in: 'body', path: 'reason', message: expect.any(String) }]);
    expect((await api.call('POST', `/incidents/${n}/resolve`, { key: alice, body: { resolutionCode: 'magic', resolution: 'x' } })).status).toBe(400);
    expect((await api.call('POST', `/incidents/${n}/hold`, { key: alice, body: { reason: 'x', extra: 1 } })).status).toBe(400);
    expect(await snapshot(n)).toEqual(before);

    const missing = await api.call('POST', '/incidents/INC9999999/start', { key: alice });
    expect(missing.status).toBe(404);
    expect(missing.body.type).toBe('urn:iso20k-flow:problem:not-found');
    expect((await api.call('GET', '/incidents/INC9999999', { key: alice })).status).toBe(404);
    expect((await api.call('GET', '/incidents/not-a-number', { key: alice })).status).toBe(400);
    expect((await api.call('POST', `/incidents/${n}/teleport`, { key: alice })).status).toBe(404);
    const valid: Record<string, unknown> = {
      assign: { group: 'network' }, start: {}, hold: { reason: 'r' }, resume: {}, resolve: { resolutionCode: 'fixed', resolution: 'r' },
      confirm: {}, reopen: { reason: 'r' }, close: { note: 'n' }, comment: { text: 't' },
    };
    for (const [cmd, body] of Object.entries(valid)) {
      expect([cmd, (await api.call('POST', `/incidents/INC9999999/${cmd}`, { key: api.adminKey, body })).status]).toEqual([cmd, 404]);
    }
    const unknownQuery = await api.call('GET', `/incidents/${n}?verbose=1`, { key: alice });
    expect(unknownQuery.status).toBe(400);
    expect(unknownQuery.body.errors[0]).toMatchObject({ in: 'query', message: 'unknown field: verbose' });
  });

  it('answers 409, not 404, for a command that meets an incident whose process has just ended', async () => {
    const n = await open();
    await api.call('POST', `/incidents/${n}/assign`, { key: alice, body: { group: 'network' } });
    await api.call('POST', `/incidents/${n}/start`, { key: alice });
    await api.call('POST', `/incidents/${n}/resolve`, { key: alice, body: { resolutionCode: 'fixed', resolution: 'x' } });
    await api.call('POST', `/incidents/${n}/confirm`, { key: bob });
    await api.client.workflow.getHandle(n).result();
    // the API read the record a moment before the workflow closed: it still says resolved
    await api.models.Incident.updateOne({ number: n }, { $set: { state: 'resolved' } });
    const r = await api.call('POST', `/incidents/${n}/reopen`, { key: bob, body: { reason: 'again' } });
    expect(r.status).toBe(409);
    expect(r.body.type).toBe('urn:iso20k-flow:problem:illegal-transition');
  });

  it('refuses every route without a valid key (401)', async () => {
    const n = await open();
    const routes: Array<[string, string]> = [
      ['GET', '/incidents'], ['GET', `/incidents/${n}`], ['GET', `/incidents/${n}/history`], ['POST', '/incidents'], ['POST', `/incidents/${n}/assign`],
      ['POST', `/incidents/${n}/confirm`], ['GET', '/policies/priority-matrix'], ['PUT', '/policies/incident-sla'], ['GET', '/calendars'],
      ['PUT', '/calendars/x'], ['GET', '/api-keys'], ['POST', '/api-keys'],
    ];
    const before = await snapshot(n);
    for (const [method, path] of routes) {
      const body = method === 'GET' ? undefined : {};
      expect([method, path, (await api.call(method, path, { body })).status]).toEqual([method, path, 401]);
      expect([method, path, (await api.call(method, path, { key: 'isk_revoked_or_never_was', body })).status]).toEqual([method, path, 401]);
    }
    expect(await snapshot(n)).toEqual(before);
  });
});

describe('reading incidents', () => {
  it('shows the record with its live SLA status', async () => {
    const n = await open();
    const r = await api.call('GET', `/incidents/${n}`, { key: auditor });
    expect(r.status).toBe(200);
    expect(r.body.sla.resolution).toMatchObject({ status: 'running', calendar: { id: 'business-hours', version: 1 } });
    expect(r.body.sla.resolution).toHaveProperty('dueAt');
    expect(r.body.sla.resolution).toHaveProperty('businessMinutesUsed');
    expect(r.body.sla).toHaveProperty('breached', false);
  });

  it('lists with filters, newest first, and pages by cursor', async () => {
    const n1 = await open({ ...vpn, service: 'Payroll' });
    const n2 = await open({ ...vpn, service: 'Payroll', impact: 3, urgency: 3 });
    await api.call('POST', `/incidents/${n2}/assign`, { key: alice, body: { group: 'network', assignee: 'alice' } });

    const all = await api.call('GET', '/incidents?service=Payroll', { key: alice });
    expect(all.body).toMatchObject({ total: 2, limit: 20, next: null });
    expect(all.body.items.map((i: { number: string }) => i.number)).toEqual([n2, n1]);
    const first = await api.call('GET', '/incidents?service=Payroll&limit=1', { key: alice });
    expect(first.body.items.map((i: { number: string }) => i.number)).toEqual([n2]);
    expect(first.body.next).toEqual(expect.any(String));
    const second = await api.call('GET', `/incidents?service=Payroll&limit=1&cursor=${first.body.next}`, { key: alice });
    expect(second.body.items.map((i: { number: string }) => i.number)).toEqual([n1]);
    expect(second.body).toMatchObject({ total: 2, next: null });
    expect((await api.call('GET', '/incidents?service=Payroll&cursor=bm90LWEtY3Vyc29y', { key: alice })).status).toBe(400);
    expect((await api.call('GET', '/incidents?service=Payroll&offset=1', { key: alice })).status).toBe(400);
    const openOnes = await api.call('GET', '/incidents?service=Payroll&open=true&priority=P4', { key: alice });
    expect(openOnes.body).toMatchObject({ total: 1, items: [{ number: n2 }] });
    const byState = await api.call('GET', '/incidents?service=Payroll&state=assigned&group=network&assignee=alice', { key: alice });
    expect(byState.body.items.map((i: { number: string }) => i.number)).toEqual([n2]);
    expect((await api.call('GET', '/incidents?service=Payroll&priority=P4', { key: alice })).body.total).toBe(1);
    expect((await api.call('GET', '/incidents?service=Payroll&breached=true', { key: alice })).body.total).toBe(0);
    expect((await api.call('GET', '/incidents?service=Payroll&breached=false', { key: alice })).body.total).toBe(2);
    expect((await api.call('GET', '/incidents?configurationItem=vpn-gw-1&service=Payroll', { key: alice })).body.total).toBe(2);

    expect((await api.call('GET', '/incidents?state=sleeping', { key: alice })).status).toBe(400);
    expect((await api.call('GET', '/incidents?limit=1000', { key: alice })).status).toBe(400);
    expect((await api.call('GET', '/incidents?colour=red', { key: alice })).status).toBe(400);
  });

  it('shows a requester only the incidents they called in', async () => {
    const mine = await open({ ...vpn, caller: 'carol', service: 'Mail' });
    const theirs = await open({ ...vpn, caller: 'bob', service: 'Mail' });
    const list = await api.call('GET', '/incidents?service=Mail', { key: carol });
    expect(list.body.items.map((i: { number: string }) => i.number)).toEqual([mine]);
    expect((await api.call('GET', `/incidents/${mine}`, { key: carol })).status).toBe(200);
    expect((await api.call('GET', `/incidents/${theirs}`, { key: carol })).status).toBe(403);
    expect((await api.call('GET', `/incidents/${theirs}/history`, { key: carol })).status).toBe(403);
  });
});
