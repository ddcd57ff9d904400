/**
 * Policies that cannot be computed: a calendar without the working time for the targets and
 * deadlines that run on it is refused, whichever of them is written last; and a case opened under
 * such a policy written before (or behind the API's back) runs on, visibly without its alarms.
 */
import { DEFAULT_INCIDENT_SLA } from '../../domain/sla';
import { putPolicy } from '../../models/policies';
import { startApi, type RunningApi } from '../support/harness';
import { eventually } from '../support/incidents';

let api: RunningApi;
let owner: string, agent: string;

beforeAll(async () => {
  api = await startApi('api_policy_limits');
  [owner, agent] = await Promise.all([api.key('olga', ['process_owner']), api.key('alice', ['agent'], ['network'])]);
});
afterAll(async () => api?.stop());

const closed = { sun: [], mon: [], tue: [], wed: [], thu: [], fri: [], sat: [] };
/** one working minute a week, on Mondays */
const sparse = { name: 'One minute a week', timeZone: 'America/New_York', workingHours: { ...closed, mon: [{ start: '09:00', end: '09:01' }] }, holidays: [] as Array<{ date: string; name: string }> };
const slaWithP4On = (calendarId: string, resolutionMinutes: number) => ({ ...DEFAULT_INCIDENT_SLA, targets: { ...DEFAULT_INCIDENT_SLA.targets, P4: { responseMinutes: 10, resolutionMinutes, calendarId } } });

it('refuses an SLA target, an approval deadline or a calendar that would leave a target more than a year of working time away, naming it, and stores nothing', async () => {
  expect((await api.call('PUT', '/calendars/sparse', { key: owner, body: sparse })).status).toBe(200);

  const sla = await api.call('PUT', '/policies/incident-sla', { key: owner, body: slaWithP4On('sparse', 600) });
  expect(sla.status).toBe(400);
  expect(sla.body.errors).toEqual([{ in: 'body', path: 'targets.P4.resolutionMinutes', message: '600 business minutes take more than a year on calendar One minute a week (1 working minute a week, less its holidays)' }]);
  expect((await api.call('GET', '/policies/incident-sla', { key: owner })).body.version).toBe(1);

  const approval = await api.call('POST', '/approval-policies', {
    key: owner,
    body: { name: 'Slow CAB', process: 'change', stages: [{ name: 'CAB', approvers: { users: ['ann'], groups: [] }, mode: 'any', deadline: { businessMinutes: 600, calendarId: 'sparse' }, onDeadline: { action: 'reject' } }] },
  });
  expect([approval.status, approval.body.errors?.[0]?.path]).toEqual([400, 'stages.0.deadline.businessMinutes']);

  // 50 minutes fit in a year of Mondays: accepted
  const fits = await api.call('PUT', '/policies/incident-sla', { key: owner, body: slaWithP4On('sparse', 50) });
  expect(fits.status).toBe(200);
  // a calendar edit that takes ten of those Mondays away is refused, naming the target that would no longer fit
  const mondays = Array.from({ length: 10 }, (_, i) => {
    const d = new Date(Date.now() + i * 7 * 86_400_000);
    d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7));
    return { date: d.toISOString().slice(0, 10), name: 'closed' };
  });
  const edit = await api.call('PUT', '/calendars/sparse', { key: owner, body: { ...sparse, holidays: mondays } });
  expect(edit.status).toBe(400);
  expect(edit.body.errors).toEqual([{ in: 'body', path: 'workingHours', message: expect.stringMatching(/^the incident SLA policy's P4 resolution target: 50 business minutes take more than a year/) }]);
  expect((await api.call('GET', '/calendars/sparse', { key: owner })).body).toMatchObject({ version: 1, holidays: [] });
  await api.call('PUT', '/policies/incident-sla', { key: owner, body: DEFAULT_INCIDENT_SLA });
});

it('opens an incident under a calendar that cannot count its targets, records and tells that no SLA alarm will come, and takes its commands', async () => {
  // written behind the API's back, as a policy stored before such writes were refused
  await putPolicy(api.models, 'calendar', 'legacy-sparse', sparse, 'system');
  await putPolicy(api.models, 'incident-sla', 'default', slaWithP4On('legacy-sparse', 600), 'system');
  try {
    const opened = await api.call('POST', '/incidents', { key: agent, body: { title: 'Slow printer', description: 'third floor', caller: 'bob', service: 'Printing', configurationItem: 'prn-3f', category: 'hardware', impact: 3, urgency: 3 } });
    expect([opened.status, opened.body.priority]).toEqual([201, 'P4']);
    const n = opened.body.number as string;
    const history = await eventually(async () => {
      const h = await api.call('GET', `/incidents/${n}/history`, { key: agent });
      expect(h.body.items.map((e: { action: string }) => e.action)).toContain('sla_not_computable');
      return h.body.items;
    });
    expect(history.find((e: { action: string }) => e.action === 'sla_not_computable').note).toMatch(/^the resolution target cannot fall due on calendar legacy-sparse v1 within ten years/);
    // the notification is sent without holding the incident up: it may land a moment after the history entry
    await eventually(async () => expect(await api.models.Notification.countDocuments({ type: 'sla_not_computable', caseId: n })).toBe(1));
    const incident = (await api.call('GET', `/incidents/${n}`, { key: agent })).body;
    expect(incident.sla.resolution).toMatchObject({ status: 'running', dueAt: null });
    expect((await api.call('POST', `/incidents/${n}/assign`, { key: agent, body: { group: 'network' } })).status).toBe(200);
    expect((await api.call('POST', `/incidents/${n}/start`, { key: agent, body: {} })).body.state).toBe('in_progress');
  } finally {
    await putPolicy(api.models, 'incident-sla', 'default', DEFAULT_INCIDENT_SLA, 'system');
  }
});
