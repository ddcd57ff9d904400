/**
 * A case's Temporal history stays bounded however busy the case is: a flood of comments is
 * refused past the limit, and every transition travels as what it changed, not as the whole case.
 */
import { temporal } from '@temporalio/proto';
import { startApi, type RunningApi } from '../support/harness';

let api: RunningApi;
let alice: string, bob: string, ian: string;

beforeAll(async () => {
  api = await startApi('api_bounded_history');
  [alice, bob, ian] = await Promise.all([api.key('alice', ['agent'], ['network', 'desktop']), api.key('bob', ['requester']), api.key('ian', ['improvement_manager'])]);
});
afterAll(async () => api?.stop());

const post = (path: string, key: string, body?: unknown) => api.call('POST', path, { key, body });

async function historyBytes(workflowId: string): Promise<number> {
  const history = await api.client.workflow.getHandle(workflowId).fetchHistory();
  return temporal.api.history.v1.History.encode(history).finish().length;
}

/** sends `n` requests, `width` at a time, and counts the answers by status */
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
    expect(stored.body.assignments).toHaveLength(200);
    expect(stored.body.state).toBe('in_progress');
    const history = await api.call('GET', `/incidents/${n}/history?limit=1000`, { key: alice });
    expect(history.body.items.map((e: { seq: number }) => e.seq)).toEqual(Array.from({ length: 302 }, (_, i) => i + 1));

    const bytes = await historyBytes(n);
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
  }, 240_000);

  it('an improvement takes 100 comments of 1,000 and goes on with its cycle, its history under 2 MB', async () => {
    const opened = await post('/improvements', ian, { title: 'Fewer printer calls', description: 'jams', source: 'incident_trend', service: 'Printing', owner: 'ian', benefit: 'fewer calls' });
    expect(opened.status).toBe(201);
    const n = opened.body.number as string;

    const comments = await flood(1000, 8, (i) => post(`/improvements/${n}/comment`, ian, { text: text(i) }));
    expect(comments.statuses).toEqual({ 200: 100, 409: 900 });
    expect(comments.details).toEqual([`${n} takes at most 100 comments (of at most 2,000 characters each)`]);

    const planned = await post(`/improvements/${n}/plan`, ian, {
      objective: 'Halve printer jams',
      targets: [{ name: 'jams', description: 'jams a week', baseline: 20, target: 10, unit: 'jams' }],
      actions: [{ title: 'Service the printers', group: 'desktop', due: new Date(Date.now() + 30 * 86_400_000).toISOString() }],
    });
    expect(planned.status).toBe(200);
    expect((await api.call('GET', `/improvements/${n}`, { key: ian })).body.comments).toHaveLength(100);
    expect(await historyBytes(n)).toBeLessThan(2 * 1024 * 1024);
  }, 240_000);
});
