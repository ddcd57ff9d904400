/** Service design and transition over HTTP: a design approved by policy, a service transitioned through releases, accepted against its criteria into the portfolio; a service retired. */
import { DEFAULT_INCIDENT_SLA } from '../../domain/sla';
import { watchAccessPaths } from '../support/access-paths';
import { startApi, type RunningApi } from '../support/harness';
import { eventually } from '../support/incidents';

let api: RunningApi;
let owner: string, tom: string, wes: string, sam: string, ann: string, stranger: string, auditor: string, requester: string;

const SLA = (name: string, service: string, active: boolean) => ({ name, service, active, incidents: { ...DEFAULT_INCIDENT_SLA, calendarId: '24x7' } });
const cmd = (n: string, c: string, key: string, body: unknown = {}) => api.call('POST', `/transitions/${n}/${c}`, { key, body });
const get = async (n: string) => (await api.call('GET', `/transitions/${n}`, { key: auditor })).body;
const steps = async (n: string) => (await api.call('GET', `/transitions/${n}/history`, { key: auditor })).body.items.map((e: { action: string }) => e.action);
async function service(name: string, status: string) {
  const r = await api.call('POST', '/services', { key: owner, body: { name, owner: 'sam', customers: ['Staff'], status } });
  expect(r.status).toBe(201);
  return r.body.id as string;
}
async function open(body: Record<string, unknown>) {
  const r = await api.call('POST', '/transitions', { key: tom, body: { title: 'Bring it in', description: 'as designed', owner: 'tom', group: 'web-team', ...body } });
  expect([r.status, r.body.detail]).toEqual([201, undefined]);
  return r.body.number as string;
}
/** the design approval of a transition, once it is asked for */
const pendingApproval = (n: string) =>
  eventually(async () => {
    const a = (await api.call('GET', '/approvals?process=transition', { key: ann })).body.items.find((x: { caseId: string }) => x.caseId === n);
    expect(a).toBeDefined();
    return a as { id: string; stageName: string; approvers: string[] };
  });
const inState = (n: string, state: string) =>
  eventually(async () => {
    const r = await get(n);
    expect(r.state).toBe(state);
    return r;
  });
const MIN = 60_000;
const at = (ms: number) => new Date(ms).toISOString();
const relCmd = (n: string, c: string, body: unknown = {}) => api.call('POST', `/releases/${n}/${c}`, { key: tom, body });
const relState = async (n: string) => (await api.call('GET', `/releases/${n}`, { key: auditor })).body.state as string;
let cis = 0;
/** a standard change (so scheduled at once) of the service, on a CI of its own that takes versions */
async function approvedChange(service: string): Promise<{ change: string; ci: string }> {
  const ci = `payroll-app-${++cis}`;
  expect((await api.call('POST', '/cis', { key: tom, body: { name: ci, class: 'application', owner: 'web-team', attributes: { version: '1.0' } } })).status).toBe(201);
  const r = await api.call('POST', '/changes', {
    key: tom,
    body: {
      title: `Install ${ci}`, description: 'the new service', justification: 'go-live', type: 'standard', template: 'restart-app-server', configurationItems: [ci], services: [service], risk: 'low', impact: 'low',
      plannedStart: at(Date.now() - 10 * MIN), plannedEnd: at(Date.now() + 24 * 60 * MIN), implementationPlan: 'deploy', backoutPlan: 'remove it', implementationGroup: 'web-team',
    },
  });
  expect([r.status, r.body.detail]).toEqual([201, undefined]);
  expect((await api.call('POST', `/changes/${r.body.number}/submit`, { key: tom, body: {} })).body.state).toBe('scheduled');
  return { change: r.body.number, ci };
}
/** completes the open task of a release of a type whose title says `what` */
async function doTask(n: string, type: string, what: string, outcome: string, fields: Record<string, string> = {}) {
  const t = await eventually(async () => {
    const open = ((await api.call('GET', `/releases/${n}`, { key: tom })).body.tasks as Array<{ id: string; type: string; state: string; title: string }>).find((x) => x.state === 'open' && x.type === type && x.title.includes(what));
    expect(open).toBeDefined();
    return open!;
  });
  const r = await api.call('POST', `/tasks/${t.id}/complete`, { key: tom, body: { outcome, fields } });
  expect([r.status, r.body.detail]).toEqual([200, undefined]);
}
/** deploys a release waiting for its windows through test, staging and production into early life support */
async function deploy(n: string) {
  for (const environment of ['test', 'staging', 'production']) expect((await relCmd(n, 'schedule', { environment, start: at(Date.now() - MIN), end: at(Date.now() + 2 * 60 * MIN) })).status).toBe(200);
  for (const environment of ['test', 'staging', 'production']) {
    await doTask(n, 'deploy', `to ${environment}`, 'deployed');
    await doTask(n, 'verify_deployment', `in ${environment}`, 'verified');
  }
  await eventually(async () => expect(await relState(n)).toBe('early_life_support'));
}
/** a release of one change of the service naming the transition, through the release process: cancelled, or accepted and waiting for its windows (deploying) */
async function release(transition: string, service: string, to: 'cancelled' | 'deploying'): Promise<string> {
  const { change, ci } = await approvedChange(service);
  const r = await api.call('POST', '/releases', { key: tom, body: { title: `Payroll ${ci}`, description: 'the go-live', type: 'minor', group: 'web-team', changes: [change], deliverables: [{ ci, version: '1.1' }], tests: [{ name: 'smoke' }], transition } });
  expect([r.status, r.body.detail]).toEqual([201, undefined]);
  const n = r.body.number as string;
  if (to === 'cancelled') {
    expect((await relCmd(n, 'cancel', { reason: 'superseded' })).body.state).toBe('cancelled');
    return n;
  }
  await relCmd(n, 'build');
  await relCmd(n, 'build_done', { build: `${ci}-1.1` });
  await doTask(n, 'release_test', 'smoke', 'passed', { results: 'green' });
  await eventually(async () => expect((await relCmd(n, 'submit')).body.state).toBe('awaiting_acceptance'));
  const approval = await eventually(async () => {
    const a = (await api.call('GET', '/approvals?process=release', { key: ann })).body.items.find((x: { caseId: string; state: string }) => x.caseId === n && x.state === 'pending');
    expect(a).toBeDefined();
    return a as { id: string };
  });
  expect((await api.call('POST', `/approvals/${approval.id}/approve`, { key: ann, body: { comment: 'go' } })).status).toBe(200);
  await eventually(async () => expect(await relState(n)).toBe('deploying'));
  return n;
}

beforeAll(async () => {
  api = await startApi('api_transitions');
  [owner, tom, wes, sam, ann, stranger, auditor, requester] = await Promise.all([
    api.key('olga', ['process_owner']),
    api.key('tom', ['agent'], ['web-team']),
    api.key('wes', ['agent'], ['web-team']),
    api.key('sam', ['approver']),
    api.key('ann', ['approver']),
    api.key('sid', ['agent'], ['desk']),
    api.key('aud', ['auditor']),
    api.key('rob', ['requester']),
  ]);
  // the design authority approves new services and retirements; changed services have no policy here
  const policy = await api.call('POST', '/approval-policies', {
    key: owner,
    body: {
      name: 'Design authority',
      process: 'transition',
      match: [{ field: 'kind', op: 'in', value: ['new', 'retire'] }],
      stages: [{ name: 'Design authority', approvers: { users: ['ann'], groups: [] }, mode: 'any', deadline: { businessMinutes: 2400, calendarId: 'business-hours' }, onDeadline: { action: 'reject' } }],
    },
  });
  expect(policy.status).toBe(201);
  // the releases that transition a service: their acceptance, and CIs that take versions
  const acceptance = await api.call('POST', '/approval-policies', {
    key: owner,
    body: { name: 'Release acceptance', process: 'release', stages: [{ name: 'Service owner', approvers: { users: ['ann'], groups: [] }, mode: 'any', deadline: { businessMinutes: 600, calendarId: '24x7' }, onDeadline: { action: 'reject' } }] },
  });
  expect(acceptance.status).toBe(201);
  expect((await api.call('PUT', '/ci-classes/application', { key: owner, body: { attributes: [{ name: 'version', label: 'Version', type: 'string' }] } })).status).toBe(200);
});
afterAll(async () => api?.stop());

it('brings a new service from design into operation: design checked, approved by policy, transitioned through releases, accepted against its criteria, live with its SLA in force', async () => {
  const svc = await service('Payroll portal', 'pipeline');
  const sla = (await api.call('POST', '/slas', { key: owner, body: SLA('Payroll portal for staff', svc, false) })).body.id as string;
  // every read of the routes and the process is a primary-key lookup or a hinted index range
  const watch = watchAccessPaths(api.models.conn, api.apiModels.conn);
  const created = await api.call('POST', '/transitions', {
    key: tom,
    body: { kind: 'new', service: svc, title: 'Payroll portal go-live', description: 'self-service payslips', owner: 'tom', group: 'web-team', items: [{ kind: 'requirement', title: 'Staff see their payslips', evidence: 'requirements v3 signed off' }] },
  });
  expect(created.status).toBe(201);
  const n = created.body.number as string;
  expect(created.body).toMatchObject({
    number: expect.stringMatching(/^TRN\d{7}$/),
    state: 'design',
    kind: 'new',
    service: { id: svc, name: 'Payroll portal', owner: 'sam', status: 'pipeline' },
    owner: 'tom',
    group: 'web-team',
    items: [{ id: 'I1', kind: 'requirement', owner: 'tom', evidence: 'requirements v3 signed off', by: 'tom' }],
    policy: { version: 1, reviewAfterDays: 30, reviewGroup: null, reviewDueDays: 14 },
  });

  // the design is refused while it lacks what 8.5.2.2 asks for, each named
  const early = await cmd(n, 'submit_design', tom);
  expect(early.status).toBe(409);
  for (const gap of ['an acceptance criterion', 'an SLA draft (sla)', 'capacity', 'availability_continuity', 'information_security', 'budget']) expect(early.body.detail).toContain(gap);
  expect((await cmd(n, 'add_item', stranger, { kind: 'capacity', title: 'x' })).status).toBe(403);
  const add = (body: Record<string, unknown>, key = tom) => cmd(n, 'add_item', key, body);
  expect((await add({ kind: 'acceptance_criterion', title: 'Payslips load within 2 s', owner: 'sam' })).status).toBe(200);
  expect((await add({ kind: 'sla', title: 'SLA draft for staff' })).status).toBe(200);
  for (const kind of ['capacity', 'availability_continuity', 'information_security', 'budget']) expect((await add({ kind, title: `${kind} plan`, evidence: `${kind} plan v1` }, wes)).status).toBe(200);
  const missing = await cmd(n, 'submit_design', tom);
  expect([missing.status, missing.body.detail]).toEqual([409, 'the design is not complete: it needs evidence on I3 (SLA draft for staff)']);

  // evidence: by the item's owner, the transition's owner or a process owner; criteria are met at acceptance
  expect((await cmd(n, 'record_evidence', wes, { item: 'I3', evidence: 'x' })).status).toBe(403);
  const criterion = await cmd(n, 'record_evidence', tom, { item: 'I2', evidence: 'x' });
  expect([criterion.status, criterion.body.detail]).toEqual([409, 'I2 is an acceptance criterion: it is met at acceptance (meet_criterion)']);
  expect((await cmd(n, 'record_evidence', tom, { item: 'I99', evidence: 'x' })).status).toBe(400);
  expect((await cmd(n, 'record_evidence', tom, { item: 'I3', evidence: 'SLA draft agreed with HR' })).body.items[2]).toMatchObject({ evidence: 'SLA draft agreed with HR', evidenceBy: 'tom' });
  expect((await cmd(n, 'submit_design', wes)).status).toBe(403);

  // the design authority rejects it: back to design; submitted again and approved: on to transition
  expect((await cmd(n, 'submit_design', tom, { note: 'ready' })).body.state).toBe('design_approval');
  const first = await pendingApproval(n);
  expect(first).toMatchObject({ stageName: 'Design: Design authority', approvers: ['ann'] });
  expect((await api.call('POST', `/approvals/${first.id}/reject`, { key: ann, body: { comment: 'no capacity figures for month end' } })).status).toBe(200);
  const rejected = await inState(n, 'design');
  expect(rejected.approval).toMatchObject({ outcome: 'rejected', policy: { version: 1 } });
  await cmd(n, 'submit_design', tom);
  const second = await pendingApproval(n);
  await api.call('POST', `/approvals/${second.id}/approve`, { key: ann, body: { comment: 'month end covered' } });
  expect((await inState(n, 'transition')).approval).toMatchObject({ outcome: 'approved' });

  // acceptance needs the releases that name it in operation
  const none = await cmd(n, 'submit_for_acceptance', tom);
  expect([none.status, none.body.detail]).toEqual([409, `${n}: no release names this transition: the service is transitioned through a release`]);
  // releases of the release process, each of a change of the service: one deployed and closed, one accepted and waiting for its windows, one cancelled
  const done = await release(n, 'Payroll portal', 'deploying');
  await deploy(done);
  expect((await relCmd(done, 'end_support', { reason: 'handed over to operations' })).body.state).toBe('closed');
  const deploying = await release(n, 'Payroll portal', 'deploying');
  const dropped = await release(n, 'Payroll portal', 'cancelled');
  const notYet = await cmd(n, 'submit_for_acceptance', tom);
  expect([notYet.status, notYet.body.detail]).toEqual([409, `${n}: releases not yet in early_life_support or closed: ${deploying} (deploying)`]);
  expect((await cmd(n, 'submit_for_acceptance', wes)).status).toBe(403);
  await deploy(deploying);
  const submitted = await cmd(n, 'submit_for_acceptance', tom);
  expect(submitted.body.state).toBe('acceptance');
  // the releases as they stood, the cancelled one too (it does not count)
  const byNumber = (a: { number: string }, b: { number: string }) => a.number.localeCompare(b.number);
  expect([...submitted.body.releases].sort(byNumber)).toEqual([{ number: done, state: 'closed' }, { number: deploying, state: 'early_life_support' }, { number: dropped, state: 'cancelled' }].sort(byNumber));

  // accepted only with every criterion met; refused: back to transition
  const unmet = await cmd(n, 'accept', sam);
  expect([unmet.status, unmet.body.detail]).toEqual([409, 'acceptance criteria not met: I2 (Payslips load within 2 s)']);
  expect((await cmd(n, 'meet_criterion', sam, { item: 'I1', evidence: 'x' })).status).toBe(403); // not sam's item
  expect((await cmd(n, 'meet_criterion', tom, { item: 'I1', evidence: 'x' })).body.detail).toBe('I1 is a requirement item, not an acceptance criterion');
  expect((await cmd(n, 'meet_criterion', sam, { item: 'I2', evidence: 'load test: 1.4 s at month end' })).status).toBe(200);
  expect((await cmd(n, 'refuse', stranger, { reason: 'x' })).status).toBe(403);
  expect((await cmd(n, 'refuse', sam, { reason: 'help desk not trained yet' })).body.state).toBe('transition');
  // sent again with its key (the answer lost), it answers what it did, not a 409
  const keyed = { key: tom, body: {}, headers: { 'idempotency-key': `${n}-acceptance-2` } };
  const once = await api.call('POST', `/transitions/${n}/submit_for_acceptance`, keyed);
  const twice = await api.call('POST', `/transitions/${n}/submit_for_acceptance`, keyed);
  expect([once.status, twice.status, twice.body.state, twice.body.seq]).toEqual([200, 200, 'acceptance', once.body.seq]);
  const accepted = await cmd(n, 'accept', sam, { note: 'help desk trained' });
  expect(accepted.status).toBe(200);
  expect(accepted.body).toMatchObject({ state: 'post_transition', accepted: { by: 'sam' } });
  expect(accepted.body.review.dueAt - accepted.body.accepted.at).toBe(30 * 86_400_000);

  // the portfolio says what the transition made of the service
  const after = await eventually(async () => {
    const r = await get(n);
    expect(r.portfolio).not.toBeNull();
    return r;
  });
  expect(after.portfolio).toEqual({ service: { id: svc, from: 'pipeline', to: 'live', version: 2 }, slas: [{ id: sla, active: true, version: 2, note: null }], catalogItems: [] });
  expect((await api.call('GET', `/services/${svc}`, { key: auditor })).body).toMatchObject({ status: 'live', version: 2, updatedBy: n });
  expect((await api.call('GET', `/slas/${sla}`, { key: auditor })).body).toMatchObject({ active: true, version: 2 });

  // an improvement found after the transition opens a PDCA cycle naming it
  const improved = await cmd(n, 'add_improvement', tom, { title: 'Automate the month-end load test', benefit: 'the next release is tested the same way' });
  expect(improved.status).toBe(200);
  const imp = improved.body.improvements[0].number as string;
  const improvement = await eventually(async () => {
    const r = await api.call('GET', `/improvements/${imp}`, { key: owner });
    expect(r.status).toBe(200);
    return r.body;
  });
  expect(improvement).toMatchObject({ source: 'service_transition', sourceRef: n, service: 'Payroll portal', owner: 'tom', state: 'plan' });
  expect((await cmd(n, 'cancel', tom, { reason: 'x' })).status).toBe(409);

  expect(await steps(n)).toEqual([
    'open', 'add_item', 'add_item', 'add_item', 'add_item', 'add_item', 'add_item', 'record_evidence',
    'submit_design', 'approval_requested', 'approval_reject', 'stage_rejected', 'design_rejected',
    'submit_design', 'approval_requested', 'approval_approve', 'stage_approved', 'design_approved',
    'submit_for_acceptance', 'meet_criterion', 'refuse', 'submit_for_acceptance', 'accept', 'portfolio_updated', 'add_improvement',
  ]);
  // lists: by service, kind and state
  const list = async (q: string) => (await api.call('GET', `/transitions?${q}`, { key: auditor })).body.items.map((t: { number: string }) => t.number);
  expect(await list(`service=${svc}`)).toEqual([n]);
  expect(await list(`service=${svc}&kind=retire`)).toEqual([]);
  expect(await list('state=post_transition')).toContain(n);
  expect(watch.stop()).toEqual([]);
});

it('retires a live service: its catalogue items withdrawn, its SLAs no longer in force, no release needed', async () => {
  const svc = await service('Fax gateway', 'live');
  const sla = (await api.call('POST', '/slas', { key: owner, body: SLA('Fax for staff', svc, true) })).body.id as string;
  const item = await api.call('POST', '/catalog-items', { key: owner, body: { name: 'Fax number', category: 'telephony', service: svc, fulfilment: { mode: 'sequential', tasks: [{ title: 'Assign a number', group: 'telephony' }] } } });
  expect(item.status).toBe(201);
  const catalogue = async () => (await api.call('GET', '/catalog-items', { key: requester })).body.items.map((i: { id: string }) => i.id);
  expect(await catalogue()).toContain(item.body.id);

  // a retirement's design needs a requirement and an acceptance criterion, not the design considerations
  const n = await open({ kind: 'retire', service: svc, title: 'Retire the fax gateway', items: [{ kind: 'requirement', title: 'Fax users moved to e-fax', evidence: 'migration list complete' }] });
  expect((await cmd(n, 'submit_design', tom)).body.detail).toBe('the design is not complete: it needs an acceptance criterion');
  await cmd(n, 'add_item', tom, { kind: 'acceptance_criterion', title: 'No fax traffic for 30 days' });
  await cmd(n, 'submit_design', tom);
  await api.call('POST', `/approvals/${(await pendingApproval(n)).id}/approve`, { key: ann, body: { comment: 'go' } });
  await inState(n, 'transition');
  expect((await cmd(n, 'submit_for_acceptance', tom)).body).toMatchObject({ state: 'acceptance', releases: [] });
  await cmd(n, 'meet_criterion', tom, { item: 'I2', evidence: 'traffic report: zero since 1 Nov' });
  expect((await cmd(n, 'accept', tom)).body.state).toBe('post_transition');

  const after = await eventually(async () => {
    const r = await get(n);
    expect(r.portfolio).not.toBeNull();
    return r;
  });
  expect(after.portfolio).toEqual({ service: { id: svc, from: 'live', to: 'retired', version: 2 }, slas: [{ id: sla, active: false, version: 2, note: null }], catalogItems: [{ id: item.body.id, active: false, version: 2 }] });
  expect((await api.call('GET', `/services/${svc}`, { key: auditor })).body.status).toBe('retired');
  expect((await api.call('GET', `/slas/${sla}`, { key: auditor })).body.active).toBe(false);
  expect(await catalogue()).not.toContain(item.body.id);
  const requested = await api.call('POST', '/requests', { key: requester, body: { catalogItem: item.body.id, fields: {} } });
  expect(requested.status).toBe(409);
});

it('sends a design back when no approval policy matches it, and is cancelled by its owner before acceptance', async () => {
  const svc = await service('Expenses', 'live');
  const n = await open({ kind: 'change', service: svc, items: [{ kind: 'requirement', title: 'Mileage claims', evidence: 'r' }, { kind: 'acceptance_criterion', title: 'Claims paid' }, ...['sla', 'capacity', 'availability_continuity', 'information_security', 'budget'].map((kind) => ({ kind, title: kind, evidence: 'e' }))] });
  expect((await cmd(n, 'submit_design', tom)).status).toBe(200);
  const back = await inState(n, 'design');
  expect(back.approval).toMatchObject({ policy: null, outcome: 'rejected', reason: 'no approval policy matches this transition: the design goes back until one does' });
  expect(back.approvals).toEqual([]);
  expect((await cmd(n, 'cancel', wes, { reason: 'x' })).status).toBe(403);
  expect((await cmd(n, 'cancel', tom, { reason: 'folded into the ERP project' })).body).toMatchObject({ state: 'cancelled', cancelReason: 'folded into the ERP project' });
  expect((await cmd(n, 'comment', tom, { text: 'late' })).status).toBe(409);
});

it('withdraws the design approval in progress when it is cancelled', async () => {
  const svc = await service('Intranet search', 'pipeline');
  const items = [{ kind: 'requirement', title: 'Find documents', evidence: 'r' }, { kind: 'acceptance_criterion', title: 'Top hit right' }, ...['sla', 'capacity', 'availability_continuity', 'information_security', 'budget'].map((kind) => ({ kind, title: kind, evidence: 'e' }))];
  const n = await open({ kind: 'new', service: svc, items });
  await cmd(n, 'submit_design', tom);
  const a = await pendingApproval(n);
  expect((await cmd(n, 'cancel', owner, { reason: 'budget withdrawn' })).body.state).toBe('cancelled');
  const withdrawn = await eventually(async () => {
    const r = await get(n);
    expect(r.approvals[0].state).toBe('rejected');
    return r.approvals[0];
  });
  expect([withdrawn.id, withdrawn.reason]).toEqual([a.id, 'the transition was cancelled']);
  expect((await api.call('POST', `/approvals/${a.id}/approve`, { key: ann, body: { comment: 'late' } })).status).toBe(409);
});

it('refuses what cannot be opened, and who may not open or read one (400, 403, 404, 409); a create sent again with its key is the same transition', async () => {
  const live = await service('Telephony', 'live');
  const pipeline = await service('Chatbot', 'pipeline');
  const base = { title: 't', description: 'd', owner: 'tom', group: 'web-team' };
  const post = (body: Record<string, unknown>, key = tom, headers?: Record<string, string>) => api.call('POST', '/transitions', { key, body: { ...base, ...body }, headers });

  const unknown = await post({ kind: 'new', service: 'svc-999999' });
  expect([unknown.status, unknown.body.errors[0].path]).toEqual([400, 'service']);
  const isLive = await post({ kind: 'new', service: live });
  expect([isLive.status, isLive.body.detail]).toEqual([409, `${live} (Telephony) is live: a new service is transitioned from the pipeline`]);
  const notLive = await post({ kind: 'retire', service: pipeline });
  expect([notLive.status, notLive.body.detail]).toEqual([409, `${pipeline} (Chatbot) is pipeline: only a live service is retired`]);
  expect((await post({ kind: 'rebuild', service: live })).status).toBe(400);
  expect((await post({ kind: 'change', service: live, title: '' })).body.errors[0].path).toBe('title');
  const metEarly = await post({ kind: 'change', service: live, items: [{ kind: 'acceptance_criterion', title: 'c', evidence: 'e' }] });
  expect([metEarly.status, metEarly.body.errors[0].path]).toEqual([400, 'items.0.evidence']);
  expect((await post({ kind: 'change', service: live, items: [{ kind: 'wish', title: 'c' }] })).status).toBe(400);
  expect((await post({ kind: 'change', service: live }, requester)).status).toBe(403);
  expect((await post({ kind: 'change', service: live }, sam)).status).toBe(403);

  const headers = { 'idempotency-key': `trn-${Date.now()}` };
  const first = await post({ kind: 'change', service: live }, tom, headers);
  const again = await post({ kind: 'change', service: live }, tom, headers);
  expect([first.status, again.status, again.body.number, again.headers.get('idempotent-replayed')]).toEqual([201, 201, first.body.number, 'true']);
  const n = first.body.number as string;

  expect((await api.call('GET', `/transitions/${n}`, { key: requester })).status).toBe(403);
  expect((await api.call('GET', '/transitions/TRN9999999', { key: auditor })).status).toBe(404);
  expect((await api.call('GET', '/transitions/REV0000001', { key: auditor })).status).toBe(400);
  expect((await cmd('TRN9999999', 'comment', tom, { text: 'x' })).status).toBe(404);
  expect((await cmd(n, 'comment', auditor, { text: 'x' })).status).toBe(403);
  expect((await cmd(n, 'add_item', tom, { kind: 'budget' })).body.errors[0].path).toBe('title');
  expect((await cmd(n, 'accept', tom)).status).toBe(409);
  expect((await cmd(n, 'add_improvement', tom, { title: 'x' })).status).toBe(409);
  expect((await api.call('GET', '/transitions?kind=sideways', { key: auditor })).status).toBe(400);
  const c = await cmd(n, 'comment', wes, { text: 'kick-off on Monday' });
  expect([c.status, await steps(n)]).toEqual([200, ['open', 'comment']]);
});

it('keeps the transition policy as data: the review period a process owner sets', async () => {
  const read = await api.call('GET', '/policies/transition', { key: auditor });
  expect(read.body).toMatchObject({ version: 1, reviewAfterDays: 30, reviewGroup: null, reviewDueDays: 14 });
  expect((await api.call('PUT', '/policies/transition', { key: owner, body: { reviewAfterDays: 0 } })).status).toBe(400);
  expect((await api.call('PUT', '/policies/transition', { key: tom, body: { reviewAfterDays: 10 } })).status).toBe(403);
  const put = await api.call('PUT', '/policies/transition', { key: owner, body: { reviewAfterDays: 10, reviewGroup: 'service-owners' }, headers: { 'if-match': '"1"' } });
  expect(put.body).toMatchObject({ version: 2, reviewAfterDays: 10, reviewGroup: 'service-owners', reviewDueDays: 14 });
  const svc = await service('Kiosk', 'pipeline');
  const n = await open({ kind: 'new', service: svc });
  expect((await get(n)).policy).toEqual({ version: 2, reviewAfterDays: 10, reviewGroup: 'service-owners', reviewDueDays: 14 });
  await api.call('PUT', '/policies/transition', { key: owner, body: { reviewAfterDays: 30 } });
});
