/**
 * A case's Temporal history stays bounded however busy the case is: a flood of comments is
 * refused past the limit, and every transition travels as what it changed, not as the whole case.
 */
import { temporal } from '@temporalio/proto';
import { startApi, type RunningApi } from '../support/harness';

let api: RunningApi;
let alice: string, bob: string, ian: string, max: string, ida: string, olga: string;

beforeAll(async () => {
  api = await startApi('api_bounded_history');
  [alice, bob, ian, max, ida, olga] = await Promise.all([
    api.key('alice', ['agent'], ['network', 'desktop']),
    api.key('bob', ['requester']),
    api.key('ian', ['improvement_manager']),
    api.key('max', ['agent'], ['change-managers']),
    api.key('ida', ['auditor']),
    api.key('olga', ['process_owner']),
  ]);
});
afterAll(async () => api?.stop());

const post = (path: string, key: string, body?: unknown) => api.call('POST', path, { key, body });

/**
 * The runs of a case's workflow, newest first, with their sizes in bytes (the test stack's
 * Temporal suggests continuing as new after 400 events).
 */
async function runsOf(workflowId: string): Promise<Array<{ runId: string; bytes: number; continuedAsNew: boolean }>> {
  const runs = [];
  let runId: string | undefined;
  do {
    const history = await api.client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    const started = events[0].workflowExecutionStartedEventAttributes!;
    const last = events[events.length - 1];
    runs.push({ runId: runId ?? '(latest)', bytes: temporal.api.history.v1.History.encode(history).finish().length, continuedAsNew: !!last.workflowExecutionContinuedAsNewEventAttributes });
    runId = started.continuedExecutionRunId || undefined;
  } while (runId);
  return runs;
}

/** What `read` answers once `ok` holds for it, or after 10 s whatever it answers then. */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 100 && !ok(value); i++) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

/**
 * The runs once the case has continued as new at least `more` times: a case hands over once the
 * commands in flight are answered, so the last handover may come a moment after the last answer.
 */
const runsAfterContinuing = (workflowId: string, more = 1) => eventually(() => runsOf(workflowId), (runs) => runs.length > more);

/**
 * sends `n` requests, `width` at a time, and counts the answers by status (one at a time, each
 * comment makes its own workflow tasks: a hundred of them pass the test stack's 400 events)
 */
async function flood(n: number, width: number, send: (i: number) => Promise<{ status: number; body: any }>) {
  const statuses: Record<number, number> = {};
  const details = new Set<string>();
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) {
        const r = await send(next++);
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        if (r.status !== 200) details.add(r.body?.detail);
      }
    }),
  );
  return { statuses, details: [...details] };
}

const text = (i: number) => `comment ${i}: ` + 'x'.repeat(1980);

describe('a case flooded with comments and reassignments', () => {
  it('an incident takes 100 comments, refuses the rest naming the limit, survives 200 reassignments, and its history stays under 2 MB', async () => {
    const opened = await post('/incidents', alice, { title: 'Printer jam', description: 'third floor', caller: 'bob', service: 'Printing', configurationItem: 'prn-3f', category: 'hardware', impact: 3, urgency: 3 });
    expect(opened.status).toBe(201);
    const n = opened.body.number as string;
    // a command whose answer the client lost: it is repeated with its key once the case has moved on to later runs
    const keyed = { key: alice, body: { group: 'desktop', note: 'first' }, headers: { 'idempotency-key': 'first-assignment' } };
    expect((await api.call('POST', `/incidents/${n}/assign`, keyed)).status).toBe(200);

    // one comment too long is refused naming its limit, and changes nothing
    const long = await post(`/incidents/${n}/comment`, bob, { text: 'y'.repeat(2001) });
    expect(long.status).toBe(413);
    expect(long.body.detail).toBe('body text: Too big: expected string to have <=2000 characters');

    const comments = await flood(1000, 8, (i) => post(`/incidents/${n}/comment`, i % 2 ? bob : alice, { text: text(i) }));
    expect(comments.statuses).toEqual({ 200: 100, 409: 900 });
    expect(comments.details).toEqual([`${n} takes at most 100 comments (of at most 2,000 characters each)`]);

    for (let i = 0; i < 200; i++) {
      const r = await post(`/incidents/${n}/assign`, alice, { group: i % 2 ? 'network' : 'desktop', ...(i % 2 ? { assignee: 'alice' } : {}) });
      expect(r.status).toBe(200);
    }
    // still alive and answering
    expect((await post(`/incidents/${n}/start`, alice, {})).body).toMatchObject({ state: 'in_progress' });
    const stored = await api.call('GET', `/incidents/${n}`, { key: alice });
    expect(stored.body.comments).toHaveLength(100);
    // the comments are in the record, not in the workflow's state
    const held = await api.client.workflow.getHandle(n).query<{ comments: unknown[]; seq: number }>('incident');
    expect(held.comments).toHaveLength(0);
    expect(held.seq).toBe(stored.body.seq);
    expect(stored.body.assignments).toHaveLength(201);
    expect(stored.body.state).toBe('in_progress');
    // its clocks came along: the response clock stopped at `start`, the resolution clock runs
    expect(stored.body.sla.response.stoppedAt).not.toBeNull();
    expect(stored.body.sla.resolution.stoppedAt).toBeNull();

    // the case continued as new when Temporal suggested it, each run well under 2 MB
    const runs = await runsAfterContinuing(n, 2);
    expect(runs.length).toBeGreaterThan(2);
    expect(runs.slice(1).every((r) => r.continuedAsNew)).toBe(true);
    for (const r of runs) expect(r.bytes).toBeLessThan(2 * 1024 * 1024);

    // the lost answer, asked for again in a later run: answered, not applied a second time
    const again = await api.call('POST', `/incidents/${n}/assign`, keyed);
    expect(again.status).toBe(200);
    const history = await api.call('GET', `/incidents/${n}/history?limit=1000`, { key: alice });
    expect(history.body.items.map((e: { seq: number }) => e.seq)).toEqual(Array.from({ length: 303 }, (_, i) => i + 1));
    expect(history.body.items.filter((e: { note: string | null }) => e.note === 'first')).toHaveLength(1);
    expect((await api.call('GET', `/incidents/${n}`, { key: alice })).body.assignments).toHaveLength(201);
  }, 300_000);

  it('an improvement takes 100 comments of 1,000 and goes on with its cycle, its history under 2 MB', async () => {
    const opened = await post('/improvements', ian, { title: 'Fewer printer calls', description: 'jams', source: 'incident_trend', service: 'Printing', owner: 'ian', benefit: 'fewer calls' });
    expect(opened.status).toBe(201);
    const n = opened.body.number as string;

    const comments = await flood(1000, 1, (i) => post(`/improvements/${n}/comment`, ian, { text: text(i) }));
    expect(comments.statuses).toEqual({ 200: 100, 409: 900 });
    expect(comments.details).toEqual([`${n} takes at most 100 comments (of at most 2,000 characters each)`]);

    const planned = await post(`/improvements/${n}/plan`, ian, {
      objective: 'Halve printer jams',
      targets: [{ name: 'jams', description: 'jams a week', baseline: 20, target: 10, unit: 'jams' }],
      actions: [{ title: 'Service the printers', group: 'desktop', due: new Date(Date.now() + 30 * 86_400_000).toISOString() }],
    });
    expect(planned.status).toBe(200);
    const improvement = (await api.call('GET', `/improvements/${n}`, { key: ian })).body;
    expect(improvement.comments).toHaveLength(100);
    expect(['approval', 'do']).toContain(improvement.state);
    // it continued as new while it waited in plan, and went on with its cycle in the new run
    const runs = await runsAfterContinuing(n);
    expect(runs.length).toBeGreaterThan(1);
    for (const r of runs) expect(r.bytes).toBeLessThan(2 * 1024 * 1024);
  }, 240_000);

  it('a problem takes 100 comments, continues as new while it waits, and goes on to its investigation', async () => {
    const raised = await post('/problems', alice, { title: 'Printers jam', description: 'weekly', service: 'Printing', category: 'hardware', impact: 'low', group: 'desktop' });
    expect(raised.status).toBe(201);
    const n = raised.body.number as string;
    const comments = await flood(150, 1, (i) => post(`/problems/${n}/comment`, alice, { text: text(i) }));
    expect(comments.statuses).toEqual({ 200: 100, 409: 50 });
    const runs = await runsAfterContinuing(n);
    expect(runs.length).toBeGreaterThan(1);
    // the new run opens the investigation task as the first would have
    expect((await post(`/problems/${n}/investigate`, alice, {})).body.state).toBe('investigation');
    const problem = await eventually(async () => (await api.call('GET', `/problems/${n}`, { key: alice })).body, (p) => p.tasks.length > 0);
    expect(problem.comments).toHaveLength(100);
    expect(problem.tasks).toEqual([expect.objectContaining({ id: `${n}-T1`, type: 'investigate', state: 'open', group: 'desktop' })]);
  }, 240_000);

  it('a change takes 100 comments while new, continues as new, and goes on to its assessment with the same record', async () => {
    const raised = await post('/changes', max, {
      title: 'Patch the VPN gateway', description: 'vendor patch', justification: 'critical vulnerability', type: 'normal', configurationItems: ['vpn-gw-1'], services: ['VPN'],
      risk: 'medium', impact: 'medium', plannedStart: '2027-01-10T22:00:00.000Z', plannedEnd: '2027-01-10T23:00:00.000Z', implementationPlan: 'patch', backoutPlan: 'snapshot', implementationGroup: 'network',
    });
    expect([raised.status, raised.body.detail]).toEqual([201, undefined]);
    const n = raised.body.number as string;
    const comments = await flood(150, 1, (i) => post(`/changes/${n}/comment`, max, { text: text(i) }));
    expect(comments.statuses).toEqual({ 200: 100, 409: 50 });
    const runs = await runsAfterContinuing(n);
    expect(runs.length).toBeGreaterThan(1);
    expect(runs.slice(1).every((r) => r.continuedAsNew)).toBe(true);
    // the new run takes the next command where the first left off, its sequence unbroken
    const submitted = await post(`/changes/${n}/submit`, max, { note: 'ready' });
    expect([submitted.status, submitted.body.state]).toEqual([200, 'assessment']);
    const change = (await api.call('GET', `/changes/${n}`, { key: max })).body;
    expect(change.comments).toHaveLength(100);
    expect(change.seq).toBe(102);
    const history = await api.call('GET', `/changes/${n}/history?limit=1000`, { key: max });
    expect(history.body.items.map((e: { seq: number }) => e.seq)).toEqual(Array.from({ length: 102 }, (_, i) => i + 1));
  }, 240_000);

  it('a nonconformity takes 100 comments, continues as new, and answers a command of its first run repeated with its key after it closed', async () => {
    const raised = await post('/nonconformities', ida, { title: 'Reviews missed', detectedIn: 'audit', requirement: '8.6.1 e)', evidence: '3 of 5 P1s unreviewed', severity: 'minor', service: 'Service desk', owner: 'ian' });
    expect(raised.status).toBe(201);
    const n = raised.body.number as string;
    // contained in its first run, with a key whose answer the client then lost
    const contain = () => api.call('POST', `/nonconformities/${n}/contain`, { key: ian, body: { actions: 'reviewed them' }, headers: { 'idempotency-key': `contain-${n}` } });
    expect((await contain()).body).toMatchObject({ number: n, state: 'root_cause', seq: 2 });
    const comments = await flood(150, 1, (i) => post(`/nonconformities/${n}/comment`, ian, { text: text(i) }));
    expect(comments.statuses).toEqual({ 200: 100, 409: 50 });
    expect((await runsAfterContinuing(n)).length).toBeGreaterThan(1);
    expect((await api.call('GET', `/nonconformities/${n}`, { key: ida })).body.comments).toHaveLength(100);
    // the case goes on in its new run, and closes
    expect((await post(`/nonconformities/${n}/cancel`, ian, { reason: 'raised in error' })).body.state).toBe('cancelled');
    await eventually(() => api.client.workflow.getHandle(n).describe(), (d) => d.status.name === 'COMPLETED');
    // the lost answer, asked for again once the case has closed in a later run: answered (with the case as it is now), not a 409
    const again = await contain();
    expect([again.status, again.body.state, again.body.containment]).toEqual([200, 'cancelled', expect.objectContaining({ actions: 'reviewed them' })]);
    const history = await api.call('GET', `/nonconformities/${n}/history?limit=1000`, { key: ida });
    expect(history.body.items.filter((e: { action: string }) => e.action === 'contain')).toHaveLength(1);
  }, 240_000);

  it('a fulfilled request continues as new while it waits for its requester, keeping its auto-close time, and closes on confirmation', async () => {
    const item = await post('/catalog-items', olga, { name: 'Mouse', category: 'peripherals', form: [], fulfilment: { mode: 'sequential', tasks: [{ title: 'Hand over a mouse', group: 'desktop' }] } });
    expect(item.status).toBe(201);
    const ordered = await post('/requests', bob, { catalogItem: item.body.id, fields: {} });
    expect(ordered.status).toBe(201);
    const n = ordered.body.number as string;
    const task = await eventually(async () => (await api.call('GET', '/tasks?process=request', { key: alice })).body.items.find((t: { caseId: string }) => t.caseId === n), (t) => !!t);
    expect((await post(`/tasks/${task.id}/complete`, alice, { outcome: 'done', fields: {} })).status).toBe(200);
    const fulfilled = await eventually(async () => (await api.call('GET', `/requests/${n}`, { key: bob })).body, (r) => r.state === 'fulfilled');
    expect(fulfilled.autoCloseAt).toEqual(expect.any(Number));

    const comments = await flood(150, 1, (i) => post(`/requests/${n}/comment`, bob, { text: text(i) }));
    expect(comments.statuses).toEqual({ 200: 100, 409: 50 });
    expect((await runsAfterContinuing(n)).length).toBeGreaterThan(1);
    const carried = (await api.call('GET', `/requests/${n}`, { key: bob })).body;
    expect(carried).toMatchObject({ state: 'fulfilled', autoCloseAt: fulfilled.autoCloseAt });
    expect(carried.tasks).toEqual([expect.objectContaining({ id: task.id, state: 'completed' })]);
    expect((await post(`/requests/${n}/confirm`, bob, { note: 'thanks' })).body.state).toBe('closed');
  }, 240_000);
});

describe('a task completed in an earlier run of its case', () => {
  it('answers the completion repeated with its key once the case has continued as new, not 409', async () => {
    const opened = await post('/improvements', ian, { title: 'Faster laptop builds', description: 'slow', source: 'suggestion', service: 'Desktop', owner: 'ian', benefit: 'happier staff' });
    expect(opened.status).toBe(201);
    const n = opened.body.number as string;
    const planned = await post(`/improvements/${n}/plan`, ian, {
      objective: 'Build a laptop in a day',
      targets: [{ name: 'days', description: 'days to build', baseline: 3, target: 1, unit: 'days' }],
      actions: [{ title: 'Script the build', group: 'desktop', due: new Date(Date.now() + 30 * 86_400_000).toISOString() }],
    });
    expect(planned.status).toBe(200);
    const task = await eventually(async () => (await api.call('GET', `/improvements/${n}`, { key: ian })).body.tasks.find((t: { state: string }) => t.state === 'open'), (t) => !!t);
    const complete = () => api.call('POST', `/tasks/${task.id}/complete`, { key: alice, body: { outcome: 'done', fields: { notes: 'scripted' } }, headers: { 'idempotency-key': `complete-${task.id}` } });
    expect((await complete()).body).toMatchObject({ id: task.id, state: 'completed' });
    await eventually(async () => (await api.call('GET', `/improvements/${n}`, { key: ian })).body.state, (s) => s === 'check');
    // comments while it waits in check: it continues as new
    const comments = await flood(150, 1, (i) => post(`/improvements/${n}/comment`, ian, { text: text(i) }));
    expect(comments.statuses).toEqual({ 200: 100, 409: 50 });
    expect((await runsAfterContinuing(n)).length).toBeGreaterThan(1);
    // the completion's answer was lost: asked again in the new run, it is answered with the task, once
    const again = await complete();
    expect([again.status, again.body.state]).toEqual([200, 'completed']);
    const history = await api.call('GET', `/improvements/${n}/history?limit=1000`, { key: ian });
    expect(history.body.items.filter((e: { action: string }) => e.action === 'task_complete')).toHaveLength(1);
    // another completion, without that key, is still refused
    expect((await api.call('POST', `/tasks/${task.id}/complete`, { key: alice, body: { outcome: 'done', fields: {} } })).status).toBe(409);
  }, 240_000);
});
