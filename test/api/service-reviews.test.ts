/** Service reviews: opened for an SLA and its period (on demand, and by the monthly schedule), the report attached, the owner's review task, actions that open improvements. */
import { DEFAULT_INCIDENT_SLA } from '../../domain/sla';
import { serviceReportRun } from '../../workflows/service-reports';
import { startApi, type RunningApi } from '../support/harness';
import { eventually } from '../support/incidents';

let api: RunningApi;
let owner: string, sam: string, agent: string;
let svc: string, sla: string;

beforeAll(async () => {
  api = await startApi('api_service_reviews');
  [owner, sam, agent] = await Promise.all([api.key('olga', ['process_owner']), api.key('sam', ['agent']), api.key('alice', ['agent'], ['network'])]);
  svc = (await api.call('POST', '/services', { key: owner, body: { name: 'Intranet', owner: 'sam', customers: ['Staff'], status: 'live' } })).body.id;
  const body = { name: 'Intranet for staff', service: svc, availabilityPercent: 99.5, review: { everyMonths: 1, dueDays: 10 }, incidents: { ...DEFAULT_INCIDENT_SLA, calendarId: '24x7' } };
  const made = await api.call('POST', '/slas', { key: owner, body });
  expect([made.status, made.body.review]).toEqual([201, { everyMonths: 1, group: 'service-level', dueDays: 10 }]);
  sla = made.body.id;
});
afterAll(async () => api?.stop());

const month = new Date().toISOString().slice(0, 7);
/** the month n months before this one */
const before = (n: number) => { const d = new Date(); return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - n, 1)).toISOString().slice(0, 7); };

it('opens a review of an SLA for a period: the report attached, a review task claimed by the service owner, due in the SLA’s days', async () => {
  const r = await api.call('POST', '/reviews', { key: owner, body: { sla, month } });
  expect(r.status).toBe(201);
  expect(r.body.tasks).toMatchObject([{ type: 'review', assignee: 'sam' }]); // the answer shows the owner's task at once
  expect(r.body).toMatchObject({ number: expect.stringMatching(/^REV\d{7}$/), state: 'reviewing', sla: { id: sla, version: 1, name: 'Intranet for staff' }, service: { id: svc, name: 'Intranet', owner: 'sam' }, customer: null, group: 'service-level', period: { months: [month] }, openedBy: 'olga' });
  expect(r.body.dueAt - r.body.openedAt).toBe(10 * 86_400_000);
  const review = await eventually(async () => {
    const one = await api.call('GET', `/reviews/${r.body.number}`, { key: agent });
    expect(one.body.report).not.toBeNull();
    expect(one.body.tasks).toHaveLength(1);
    return one.body;
  });
  expect(review.report).toMatchObject({ service: { id: svc, name: 'Intranet' }, availability: { target: 99.5 } });
  expect(review.tasks[0]).toMatchObject({ type: 'review', group: 'service-level', assignee: 'sam', state: 'claimed' });
  expect((await api.call('GET', `/reviews?service=${svc}`, { key: agent })).body.items.map((x: { number: string }) => x.number)).toContain(r.body.number);
  await eventually(async () => expect((await api.call('GET', `/notifications?case=${r.body.number}`, { key: agent })).body.items.map((n: { type: string }) => n.type)).toEqual(['service_review_due']));

  // what cannot be opened, and who cannot open one
  const unknown = await api.call('POST', '/reviews', { key: owner, body: { sla: 'sla-999999', month } });
  expect([unknown.status, unknown.body.errors[0].path]).toEqual([400, 'sla']);
  const future = await api.call('POST', '/reviews', { key: owner, body: { sla, month: '2099-01' } });
  expect([future.status, future.body.errors[0].path]).toEqual([400, 'month']);
  // one review per SLA and period
  const twice = await api.call('POST', '/reviews', { key: owner, body: { sla, month } });
  expect([twice.status, twice.body.detail]).toEqual([409, `${r.body.number} reviews ${sla} for the period ending ${month} already`]);
  // a keyed POST sent again (its answer lost) answers the same review, not a 409
  const keyed = { key: owner, body: { sla, month: '2025-01' }, headers: { 'idempotency-key': `review-${Date.now()}` } };
  const first = await api.call('POST', '/reviews', keyed);
  const repeat = await api.call('POST', '/reviews', keyed);
  expect([first.status, repeat.status, repeat.body.number, repeat.headers.get('idempotent-replayed')]).toEqual([201, 201, first.body.number, 'true']);
  expect((await api.call('POST', '/reviews', { key: owner, body: { sla, month: '2026-13' } })).status).toBe(400);
  expect((await api.call('POST', '/reviews', { key: agent, body: { sla, month } })).status).toBe(403);
  expect((await api.call('GET', `/reviews/${r.body.number}`, { key: await api.key('rob', ['requester']) })).status).toBe(403);
});

it('agrees actions with owners while it is open; an action that needs an improvement opens one naming the review; the owner’s task closes it', async () => {
  const number = (await api.call('POST', '/reviews', { key: owner, body: { sla, month: before(1) } })).body.number as string;
  const task = await eventually(async () => {
    const t = (await api.call('GET', `/reviews/${number}`, { key: agent })).body.tasks[0];
    expect(t).toBeDefined();
    return t;
  });
  // only the service owner, a process owner or an improvement manager agrees actions
  const stranger = await api.call('POST', `/reviews/${number}/add_action`, { key: agent, body: { title: 'x', owner: 'alice' } });
  expect([stranger.status, stranger.body.detail]).toEqual([403, 'only the service owner (sam), a process owner or an improvement manager can agree an action']);
  const todo = await api.call('POST', `/reviews/${number}/add_action`, { key: sam, body: { title: 'Publish the outage calendar', owner: 'sam', due: '2027-01-15' } });
  expect(todo.status).toBe(200);
  const improve = await api.call('POST', `/reviews/${number}/add_action`, { key: sam, body: { title: 'Cut page load below two seconds', owner: 'wes', improvement: true, benefit: 'staff find things faster' } });
  expect(improve.status).toBe(200);
  const actions = (await api.call('GET', `/reviews/${number}`, { key: agent })).body.actions;
  expect(actions).toMatchObject([
    { n: 1, title: 'Publish the outage calendar', owner: 'sam', due: '2027-01-15', improvement: null, by: 'sam' },
    { n: 2, title: 'Cut page load below two seconds', owner: 'wes', improvement: expect.stringMatching(/^IMP\d{7}$/) },
  ]);
  const improvement = await eventually(async () => {
    const r = await api.call('GET', `/improvements/${actions[1].improvement}`, { key: agent });
    expect(r.status).toBe(200);
    return r.body;
  });
  expect(improvement).toMatchObject({ source: 'service_review', sourceRef: number, service: 'Intranet', owner: 'wes', benefit: 'staff find things faster', state: 'plan' });
  const bad = await api.call('POST', `/reviews/${number}/add_action`, { key: sam, body: { title: '', owner: 'sam' } });
  expect([bad.status, bad.body.errors[0].path]).toEqual([400, 'title']);

  // the task takes the outcome and the minutes; only its assignee (or the group) completes it
  expect((await api.call('POST', `/tasks/${task.id}/complete`, { key: agent, body: { outcome: 'satisfactory', fields: { minutes: 'm' } } })).status).toBe(403);
  expect((await api.call('POST', `/tasks/${task.id}/complete`, { key: sam, body: { outcome: 'satisfactory' } })).status).toBe(400);
  expect((await api.call('POST', `/tasks/${task.id}/complete`, { key: sam, body: { outcome: 'action_needed', fields: { minutes: 'Availability met; pages slow', decisions: 'two actions' } } })).status).toBe(200);
  const closed = await eventually(async () => {
    const r = (await api.call('GET', `/reviews/${number}`, { key: agent })).body;
    expect(r.state).toBe('closed');
    return r;
  });
  expect(closed.outcome).toMatchObject({ result: 'action_needed', minutes: 'Availability met; pages slow', decisions: 'two actions', by: 'sam' });
  const late = await api.call('POST', `/reviews/${number}/add_action`, { key: sam, body: { title: 'x', owner: 'sam' } });
  expect(late.status).toBe(409);
  const steps = (await api.call('GET', `/reviews/${number}/history`, { key: agent })).body.items.map((e: { action: string }) => e.action);
  expect(steps).toEqual(['open', 'task_opened', 'report_attached', 'add_action', 'add_action', 'task_complete', 'review_done']);
});

it('is cancelled by a process owner, its task with it', async () => {
  const number = (await api.call('POST', '/reviews', { key: owner, body: { sla, month: before(2) } })).body.number as string;
  await eventually(async () => expect((await api.call('GET', `/reviews/${number}`, { key: agent })).body.tasks).toHaveLength(1));
  expect((await api.call('POST', `/reviews/${number}/cancel`, { key: sam, body: { reason: 'opened twice' } })).status).toBe(403);
  expect((await api.call('POST', `/reviews/${number}/cancel`, { key: owner, body: { reason: 'opened twice' } })).status).toBe(200);
  const r = await eventually(async () => {
    const one = (await api.call('GET', `/reviews/${number}`, { key: agent })).body;
    expect(one.tasks[0].state).toBe('cancelled');
    return one;
  });
  expect([r.state, r.cancelReason]).toEqual(['cancelled', 'opened twice']);
});

it('is opened by the monthly schedule for each SLA whose review period ends with the month, once', async () => {
  // quarterly (the default): a period ends with September, not with August
  const quarterly = (await api.call('POST', '/slas', { key: owner, body: { name: 'Intranet for partners', service: svc, customer: 'Partners', incidents: { ...DEFAULT_INCIDENT_SLA, calendarId: '24x7' } } })).body.id as string;
  const none = (await api.call('POST', '/slas', { key: owner, body: { name: 'Intranet for guests', service: svc, customer: 'Guests', review: null, incidents: { ...DEFAULT_INCIDENT_SLA, calendarId: '24x7' } } })).body.id as string;
  const run = (m: string) => api.client.workflow.execute(serviceReportRun, { taskQueue: api.taskQueue, workflowId: `reports-${m}-${Date.now()}`, args: [{ month: m }] });
  const slaOf = async (n: string) => (await eventually(async () => {
    const r = await api.call('GET', `/reviews/${n}`, { key: agent });
    expect(r.status).toBe(200);
    return r.body;
  })).sla.id as string;

  const august = await run('2026-08');
  expect(await Promise.all(august.reviews!.map(slaOf))).toEqual([sla]); // monthly only
  const september = await run('2026-09');
  expect((await Promise.all(september.reviews!.map(slaOf))).sort()).toEqual([sla, quarterly].sort());
  expect(september.reviews).not.toContain(none);
  const q = (await api.call('GET', `/reviews?sla=${quarterly}`, { key: agent })).body.items;
  expect(q.map((r: { period: { months: string[] } }) => r.period.months)).toEqual([['2026-07', '2026-08', '2026-09']]);
  expect((await run('2026-09')).reviews).toEqual([]); // run again: none twice
});
