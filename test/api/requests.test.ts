/** Service request management over HTTP: the catalogue, requests, approval and fulfilment. */
import { startApi, type RunningApi } from '../support/harness';
import { eventually } from '../support/incidents';

let api: RunningApi;
let owner: string, bob: string, carol: string, boss: string, desk: string, fac: string, auditor: string;
let laptop: string, badge: string;

beforeAll(async () => {
  api = await startApi('api_requests');
  [owner, bob, carol, boss, desk, fac, auditor] = await Promise.all([
    api.key('olga', ['process_owner']),
    api.key('bob', ['requester']),
    api.key('carol', ['requester']),
    api.key('bea', ['approver']),
    api.key('dora', ['agent'], ['desktop']),
    api.key('fred', ['agent'], ['facilities']),
    api.key('ida', ['auditor']),
  ]);
  const managers = await api.call('POST', '/approval-policies', {
    key: owner,
    body: { name: 'Manager approval', process: 'request', match: [{ field: 'category', op: 'eq', value: 'hardware' }], stages: [{ name: 'Manager', approvers: { users: ['bea'], groups: [] }, mode: 'any', deadline: { businessMinutes: 960, calendarId: 'business-hours' }, onDeadline: { action: 'reject' } }] },
  });
  const l = await api.call('POST', '/catalog-items', {
    key: owner,
    body: {
      name: 'New laptop',
      category: 'hardware',
      approvalPolicy: managers.body.id,
      form: [
        { name: 'model', label: 'Model', type: 'choice', options: ['standard', 'developer'], required: true },
        { name: 'memoryGb', label: 'Memory (GB)', type: 'number', min: 8, max: 64 },
        { name: 'neededBy', label: 'Needed by', type: 'date', required: true },
      ],
      fulfilment: { mode: 'parallel', tasks: [{ title: 'Image and ship the laptop', group: 'desktop' }, { title: 'Add a desk dock', group: 'facilities' }] },
    },
  });
  expect(l.status).toBe(201);
  laptop = l.body.id;
  badge = (await api.call('POST', '/catalog-items', {
    key: owner,
    body: { name: 'Door badge', category: 'facilities', form: [], fulfilment: { mode: 'sequential', tasks: [{ title: 'Print the badge', group: 'facilities' }, { title: 'Enable the doors', group: 'facilities' }] } },
  })).body.id;
});
afterAll(async () => api?.stop());

const order = (fields: Record<string, unknown>, key = bob, item = laptop) => api.call('POST', '/requests', { key, body: { catalogItem: item, fields } });
async function state(n: string, s: string) {
  return eventually(async () => {
    const r = await api.call('GET', `/requests/${n}`, { key: auditor });
    expect(r.body.state).toBe(s);
    return r.body;
  });
}
async function openTasks(n: string, key: string) {
  return eventually(async () => {
    const r = await api.call('GET', '/tasks?process=request', { key });
    const mine = r.body.items.filter((t: { caseId: string }) => t.caseId === n);
    expect(mine.length).toBeGreaterThan(0);
    return mine as Array<{ id: string; title: string }>;
  });
}

describe('the service catalogue', () => {
  it('offers items defined by process owners, and refuses a bad one naming the field', async () => {
    const list = await api.call('GET', '/catalog-items', { key: bob });
    expect(list.body.items.map((i: { name: string }) => i.name)).toEqual(['New laptop', 'Door badge']);
    const bad = await api.call('POST', '/catalog-items', { key: owner, body: { name: 'x', category: 'y', form: [{ name: 'size', label: 'Size', type: 'choice' }], fulfilment: { mode: 'parallel', tasks: [{ title: 't', group: 'g' }] } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('form.0.options');
    expect((await api.call('POST', '/catalog-items', { key: bob, body: {} })).status).toBe(403);
  });
});

describe('a request', () => {
  it('runs from form to approval to parallel fulfilment, and closes on the requester’s confirmation', async () => {
    const r = await order({ model: 'developer', memoryGb: 32, neededBy: '2027-01-15' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ number: expect.stringMatching(/^REQ\d{7}$/), state: 'approval', requestedBy: 'bob', requestedFor: 'bob' });
    const n = r.body.number;

    const approval = await eventually(async () => {
      const a = (await api.call('GET', '/approvals?process=request', { key: boss })).body.items.find((x: { caseId: string }) => x.caseId === n);
      expect(a).toBeDefined();
      return a;
    });
    await api.call('POST', `/approvals/${approval.id}/approve`, { key: boss, body: { comment: 'budgeted' } });
    await state(n, 'fulfilment');

    // both tasks are open at once: parallel
    const [laptopTask] = await openTasks(n, desk);
    const [dockTask] = await openTasks(n, fac);
    expect((await api.call('POST', `/tasks/${laptopTask.id}/complete`, { key: fac, body: { outcome: 'done', fields: {} } })).status).toBe(403);
    const proto = await api.call('POST', `/tasks/${dockTask.id}/complete`, { key: fac, raw: '{"outcome":"done","fields":{"notes":"n","__proto__":{"x":1}}}' });
    expect([proto.status, proto.body.errors?.[0]?.path]).toEqual([400, 'fields.__proto__']);
    await api.call('POST', `/tasks/${dockTask.id}/complete`, { key: fac, body: { outcome: 'done', fields: { notes: 'dock on desk 4.12' } } });
    expect((await api.call('GET', `/requests/${n}`, { key: bob })).body.state).toBe('fulfilment');
    await api.call('POST', `/tasks/${laptopTask.id}/complete`, { key: desk, body: { outcome: 'done', fields: {} } });
    const fulfilled = await state(n, 'fulfilled');
    expect(fulfilled.autoCloseAt).toEqual(expect.any(Number));

    expect((await api.call('POST', `/requests/${n}/confirm`, { key: carol, body: {} })).status).toBe(403);
    // the confirmation closes the request: sent again with its key (a lost answer), it answers the closed request, not 409
    const confirm = () => api.call('POST', `/requests/${n}/confirm`, { key: bob, body: { note: 'got it' }, headers: { 'idempotency-key': `confirm-${n}` } });
    expect((await confirm()).body.state).toBe('closed');
    const again = await confirm();
    expect(again.status).toBe(200);
    expect(again.body.state).toBe('closed');
    // another confirmation of a closed request is still refused
    expect((await api.call('POST', `/requests/${n}/confirm`, { key: bob, body: { note: 'again' } })).status).toBe(409);
    expect((await api.call('POST', `/requests/${n}/confirm`, { key: bob, body: { note: 'again' }, headers: { 'idempotency-key': `other-${n}` } })).status).toBe(409);
    const h = await api.call('GET', `/requests/${n}/history`, { key: bob });
    expect(h.body.items.filter((e: { action: string }) => e.action === 'confirm')).toHaveLength(1);
    expect(h.body.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['request', 'approval_requested', 'approval_approve', 'fulfil', 'task_opened', 'task_complete', 'fulfilled', 'confirm']));
  });

  it('refuses fields that do not fit the form, naming them, and makes nothing', async () => {
    const before = await api.models.Request.countDocuments();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ model: 'gaming', neededBy: '2027-01-15' }, 'fields.model'],
      [{ model: 'standard' }, 'fields.neededBy'],
      [{ model: 'standard', neededBy: '2027-01-15', memoryGb: 4 }, 'fields.memoryGb'],
      [{ model: 'standard', neededBy: 'tomorrow' }, 'fields.neededBy'],
      [{ model: 'standard', neededBy: '2027-01-15', colour: 'red' }, 'fields'],
    ];
    for (const [fields, path] of cases) {
      const r = await order(fields);
      expect([path, r.status]).toEqual([path, 400]);
      expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect((await api.call('POST', '/requests', { key: bob, body: { catalogItem: 'cat-999', fields: {} } })).status).toBe(400);
    // a field called __proto__ is refused like any field the form does not have, not dropped
    const proto = await api.call('POST', '/requests', { key: bob, raw: `{"catalogItem":"${laptop}","fields":{"model":"standard","neededBy":"2027-01-15","__proto__":{"admin":true}}}` });
    expect([proto.status, proto.body.errors]).toEqual([400, [{ in: 'body', path: 'fields.__proto__', message: 'a field may not be called __proto__' }]]);
    expect(await api.models.Request.countDocuments()).toBe(before);
  });

  it('is rejected when its approval is refused, and can be cancelled only before fulfilment starts', async () => {
    const refused = (await order({ model: 'standard', neededBy: '2027-02-01' })).body.number;
    const a = await eventually(async () => {
      const x = (await api.call('GET', '/approvals?process=request', { key: boss })).body.items.find((y: { caseId: string }) => y.caseId === refused);
      expect(x).toBeDefined();
      return x;
    });
    await api.call('POST', `/approvals/${a.id}/reject`, { key: boss, body: { comment: 'no budget this quarter' } });
    expect((await state(refused, 'rejected')).approval).toMatchObject({ outcome: 'rejected' });

    const cancelled = (await order({ model: 'standard', neededBy: '2027-02-01' })).body.number;
    expect((await api.call('POST', `/requests/${cancelled}/cancel`, { key: carol, body: { reason: 'not mine' } })).status).toBe(403);
    expect((await api.call('POST', `/requests/${cancelled}/cancel`, { key: bob, body: { reason: 'ordered twice' } })).body.state).toBe('cancelled');
    // the approval is withdrawn once the cancellation is recorded
    await eventually(async () => expect((await api.call('GET', '/approvals?process=request', { key: boss })).body.items.find((y: { caseId: string }) => y.caseId === cancelled)).toBeUndefined());

    const started = (await order({}, bob, badge)).body.number; // no approval policy: straight to fulfilment
    await state(started, 'fulfilment');
    const late = await api.call('POST', `/requests/${started}/cancel`, { key: bob, body: { reason: 'changed my mind' } });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ state: 'fulfilment', detail: 'cannot cancel a request that is fulfilment: fulfilment has started' });
  });

  it('runs sequential tasks one after another', async () => {
    const n = (await order({}, carol, badge)).body.number;
    const first = await openTasks(n, fac);
    expect(first.map((t) => t.title)).toEqual([expect.stringMatching(/^Print the badge/)]);
    await api.call('POST', `/tasks/${first[0].id}/complete`, { key: fac, body: { outcome: 'done', fields: {} } });
    const second = await eventually(async () => {
      const t = await openTasks(n, fac);
      expect(t.map((x) => x.title)).toEqual([expect.stringMatching(/^Enable the doors/)]);
      return t;
    });
    await api.call('POST', `/tasks/${second[0].id}/complete`, { key: fac, body: { outcome: 'done', fields: {} } });
    await state(n, 'fulfilled');
    expect((await api.call('GET', `/requests/${n}`, { key: bob })).status).toBe(403);
    expect((await api.call('GET', '/requests', { key: carol })).body.items.every((r: { requestedBy: string }) => r.requestedBy === 'carol')).toBe(true);
  });
});
