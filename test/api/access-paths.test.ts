/**
 * At a real desk's size a read that scans is a read that times out: every command the product
 * sends is a primary-key operation or a hinted index range (models/query.ts). These tests drive
 * the routes and the processes behind them while watching every command on the database.
 */
import { watchAccessPaths } from '../support/access-paths';
import { startApi, type RunningApi } from '../support/harness';
import { eventually } from '../support/incidents';

let api: RunningApi;
let agent: string;
let caller: string;
let auditor: string;
let owner: string;

beforeAll(async () => {
  api = await startApi('access_paths');
  [agent, caller, auditor, owner] = await Promise.all([
    api.key('alice', ['agent'], ['network']),
    api.key('bob', ['requester']),
    api.key('ada', ['auditor']),
    api.key('olga', ['process_owner', 'approver']),
  ]);
});
afterAll(async () => api?.stop());

const vpn = { title: 'VPN down', description: 'no one can connect', caller: 'bob', service: 'VPN', configurationItem: 'vpn-gw-1', category: 'network', impact: 2, urgency: 2 };

describe('every command the product sends to the database', () => {
  it('is a primary-key operation or a hinted index range, through an incident’s whole life and every list', async () => {
    const watch = watchAccessPaths(api.models.conn, api.apiModels.conn);
    const post = async (path: string, key: string, body: unknown = {}, status = 200) => {
      const r = await api.call('POST', path, { key, body });
      expect([path, r.status, r.body?.detail]).toEqual([path, status, undefined]);
      return r.body;
    };
    const get = async (path: string, key = auditor) => {
      const r = await api.call('GET', path, { key });
      expect([path, r.status]).toEqual([path, 200]);
      return r.body;
    };
    const n = (await post('/incidents', agent, vpn, 201)).number as string;
    await post(`/incidents/${n}/assign`, agent, { group: 'network', assignee: 'alice' });
    await post(`/incidents/${n}/start`, agent);
    await post(`/incidents/${n}/comment`, caller, { text: 'still down' });
    await post(`/incidents/${n}/hold`, agent, { reason: 'vendor' });
    await post(`/incidents/${n}/resume`, agent);
    await post(`/incidents/${n}/resolve`, agent, { resolutionCode: 'fixed', resolution: 'renewed the certificate' });
    await post(`/incidents/${n}/confirm`, caller, { note: 'works' });
    expect((await api.call('POST', `/incidents/${n}/start`, { key: agent })).status).toBe(409); // gone: looked up by number
    expect((await api.call('POST', '/incidents/INC9999998/start', { key: agent })).status).toBe(404);

    await get(`/incidents/${n}`);
    await get(`/incidents/${n}/history`);
    await get(`/incidents/${n}/history?limit=2`);
    for (const q of ['', '?state=closed', '?open=true', '?open=true&priority=P3', '?open=true&group=network', '?open=true&assignee=alice', '?open=true&breached=true', '?priority=P3', '?group=network', '?assignee=alice', '?breached=false', '?major=false', '?caller=bob', '?service=VPN', '?configurationItem=vpn-gw-1', '?service=VPN&state=closed&priority=P3', `?closedFrom=${new Date(Date.now() - 86_400_000).toISOString()}`]) {
      const page = await get(`/incidents${q}${q ? '&' : '?'}limit=1`);
      if (page.next) await get(`/incidents${q}${q ? '&' : '?'}limit=1&cursor=${page.next}`);
    }
    await get('/incidents?limit=5', caller); // a requester's own
    await get('/api-keys?limit=2', api.adminKey);
    await get('/tasks', agent);
    await get('/tasks?mine=true', agent);
    await get('/tasks', auditor);
    await get('/approvals', owner);
    await get('/delegations', owner);
    await get('/changes?limit=5');
    await get('/changes?configurationItem=vpn-gw-1');
    await get('/problems?limit=5');
    await get(`/problems?incident=${n}`);
    await get('/known-errors');
    await get('/known-errors?q=certificate');
    await get('/requests', caller);
    await get('/improvements');
    await get('/improvements/summary');
    await get('/nonconformities');
    await get('/policies/incident-sla', owner);
    await get('/catalog-items', caller);
    await get('/change-calendar?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z');
    // what the workflow writes after the answers (history, notifications) is done before we look
    await eventually(async () => expect((await get(`/incidents/${n}/history`)).items.length).toBe(8));
    expect(watch.stop()).toEqual([]);

    // and on the embedded FerretDB each of them is handed whole to SQLite, on its index, in index order
    if (process.env.MONGODB_URI) return; // a real MongoDB explains itself differently
    const seen = new Set<string>();
    for (const find of watch.hinted) {
      const shape = JSON.stringify({ ...find, filter: Object.keys((find.filter as object) ?? {}) });
      if (seen.has(shape)) continue;
      seen.add(shape);
      const ex = await api.models.conn.db!.command({ explain: find, verbosity: 'queryPlanner' });
      const plan = (ex.queryPlanner?.Plan ?? []) as string[];
      expect([shape, String(ex.queryPlanner?.SQL ?? '').includes('INDEXED BY'), plan.some((row) => row.includes('TEMP B-TREE'))]).toEqual([shape, true, false]);
      if (find.limit) expect([shape, ex.limitPushdown]).toEqual([shape, true]);
    }
    expect(seen.size).toBeGreaterThan(30);
    // a write guarded by the record's sequence reads one row, not the collection
    const guarded = await api.models.conn.db!.command({ explain: { find: 'incidents', filter: { _id: n, seq: { $lt: 99 } } }, verbosity: 'queryPlanner' });
    expect(guarded.filterPushdown).toBe(true);
  });

  it('would be caught reading by a field without an index’s hint, or writing by anything but the primary key', async () => {
    const watch = watchAccessPaths(api.models.conn, api.apiModels.conn);
    await api.models.Incident.collection.find({ state: 'closed' }).toArray();
    await api.models.Incident.collection.updateOne({ state: 'nothing' }, { $set: { x: 1 } });
    await api.models.Incident.collection.find({ state: 'closed' }, { hint: 'state_id' }).toArray();
    await api.models.Incident.collection.findOne({ _id: 'INC0000000' as never });
    expect(watch.stop()).toEqual(['find incidents {"state":"closed"}', 'update incidents {"state":"nothing"}']);
  });
});
