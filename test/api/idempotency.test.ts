/**
 * `Idempotency-Key` on creates and commands: a request sent again after a lost answer is answered
 * with what the first one did, never done twice — also when the worker was down while the first
 * was in flight, and when the command closed its case.
 */
import { startApi, type RunningApi } from '../support/harness';

let api: RunningApi;
let alice: string, bob: string;

beforeAll(async () => {
  api = await startApi('api_idempotency');
  [alice, bob] = await Promise.all([api.key('alice', ['agent'], ['network']), api.key('bob', ['requester'])]);
});
afterAll(async () => api?.stop());

const incident = (caller: string) => ({ title: 'VPN down', description: 'no one can connect', caller, service: 'VPN', configurationItem: 'vpn-gw-1', category: 'network', impact: 3, urgency: 3 });
const post = (path: string, body: unknown, key: string | undefined, who = alice) =>
  api.call('POST', path, { key: who, body, headers: key === undefined ? {} : { 'idempotency-key': key } });
const total = async (caller: string) => (await api.call('GET', `/incidents?caller=${caller}&limit=10`, { key: alice })).body.total as number;
const actions = async (n: string) => (await api.call('GET', `/incidents/${n}/history`, { key: alice })).body.items.map((e: { action: string }) => e.action) as string[];

describe('a create sent twice with one Idempotency-Key', () => {
  it('opens one case and answers it both times', async () => {
    const first = await post('/incidents', incident('cid-1'), 'create-1');
    const again = await post('/incidents', incident('cid-1'), 'create-1');
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.number).toBe(first.body.number);
    expect(again.headers.get('location')).toBe(`/incidents/${first.body.number}`);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await total('cid-1')).toBe(1);
    // without a key, the same body is a second incident, as before
    expect((await post('/incidents', incident('cid-1'), undefined)).body.number).not.toBe(first.body.number);
    expect(await total('cid-1')).toBe(2);
  });

  it('refuses the key on another request (422) and a malformed key (400), and opens nothing', async () => {
    await post('/incidents', incident('cid-2'), 'create-2');
    const other = await post('/incidents', { ...incident('cid-2'), title: 'another' }, 'create-2');
    expect(other.status).toBe(422);
    expect(other.body.type).toBe('urn:iso20k-flow:problem:idempotency-key-reused');
    const bad = await post('/incidents', incident('cid-2'), 'with space');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ in: 'header', path: 'Idempotency-Key' });
    expect(await total('cid-2')).toBe(1);
  });

  it('is a key of its caller: another caller with the same key opens a case of their own', async () => {
    const a = await post('/incidents', incident('bob'), 'shared-key', alice);
    const b = await post('/incidents', incident('bob'), 'shared-key', bob);
    expect(b.status).toBe(201);
    expect(b.body.number).not.toBe(a.body.number);
  });

  it('opens one case when the worker was down while the first was in flight', async () => {
    await api.stopWorker();
    const first = post('/incidents', incident('cid-3'), 'create-3');
    await new Promise((r) => setTimeout(r, 1000));
    const again = post('/incidents', incident('cid-3'), 'create-3');
    await new Promise((r) => setTimeout(r, 500));
    await api.startWorker();
    const [a, b] = await Promise.all([first, again]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.number).toBe(a.body.number);
    expect(await total('cid-3')).toBe(1);
    expect(await actions(a.body.number)).toEqual(['open']);
  });
});

describe('a command sent twice with one Idempotency-Key', () => {
  /** the case at one step: its answers' live SLA figures (business minutes so far) are as of each answer */
  const step = (x: { number: string; state: string; seq: number; assignee: string; assignmentGroup: string }) => [x.number, x.state, x.seq, x.assignee, x.assignmentGroup];
  it('is applied once and answered with the first outcome both times', async () => {
    const n = (await post('/incidents', incident('cmd-1'), undefined)).body.number;
    const first = await post(`/incidents/${n}/assign`, { group: 'network', assignee: 'alice' }, 'assign-1');
    const again = await post(`/incidents/${n}/assign`, { group: 'network', assignee: 'alice' }, 'assign-1');
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(step(again.body)).toEqual(step(first.body));
    await post(`/incidents/${n}/start`, {}, undefined);
    expect((await post(`/incidents/${n}/hold`, { reason: 'waiting for the caller' }, 'hold-1')).status).toBe(200);
    // the second hold would be a 409 (already on hold) if it were applied again
    expect((await post(`/incidents/${n}/hold`, { reason: 'waiting for the caller' }, 'hold-1')).status).toBe(200);
    expect(await actions(n)).toEqual(['open', 'assign', 'start', 'hold']);
    // the key on another command is refused and changes nothing
    expect((await post(`/incidents/${n}/resume`, {}, 'hold-1')).status).toBe(422);
    expect(await actions(n)).toEqual(['open', 'assign', 'start', 'hold']);
  });

  it('answers the first outcome after the command closed the case, not 409', async () => {
    const n = (await post('/incidents', incident('bob'), undefined)).body.number;
    await post(`/incidents/${n}/assign`, { group: 'network', assignee: 'alice' }, undefined);
    await post(`/incidents/${n}/start`, {}, undefined);
    await post(`/incidents/${n}/resolve`, { resolutionCode: 'fixed', resolution: 'restarted the gateway' }, undefined);
    const first = await post(`/incidents/${n}/confirm`, {}, 'confirm-1', bob);
    expect(first.status).toBe(200);
    expect(first.body.state).toBe('closed');
    const again = await post(`/incidents/${n}/confirm`, {}, 'confirm-1', bob);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    // without the key, the same command is refused as before
    expect((await post(`/incidents/${n}/confirm`, {}, undefined, bob)).status).toBe(409);
  });

  it('is applied once when the worker was down while the first was in flight', async () => {
    const n = (await post('/incidents', incident('cmd-3'), undefined)).body.number;
    await api.stopWorker();
    const first = post(`/incidents/${n}/assign`, { group: 'network', assignee: 'alice' }, 'assign-3');
    await new Promise((r) => setTimeout(r, 1000));
    const again = post(`/incidents/${n}/assign`, { group: 'network', assignee: 'alice' }, 'assign-3');
    await new Promise((r) => setTimeout(r, 500));
    await api.startWorker();
    const [a, b] = await Promise.all([first, again]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(step(b.body)).toEqual(step(a.body));
    expect(await actions(n)).toEqual(['open', 'assign']);
  });
});
