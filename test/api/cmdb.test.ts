/** Configuration management over HTTP: CI classes, CIs and their relationships, histories, change control and impact. */
import { CmdbGraph, SETTLE_MS } from '../../models/cmdb-graph';
import { nextNumber } from '../../models/counter';
import { startApi, type RunningApi } from '../support/harness';
import { eventually } from '../support/incidents';

let api: RunningApi;
let owner: string, agent: string, caller: string;

beforeAll(async () => {
  api = await startApi('api_cmdb', { references: 'checked' });
  [owner, agent, caller] = await Promise.all([api.key('olga', ['process_owner']), api.key('alice', ['agent'], ['network']), api.key('bob', ['requester'])]);
  const classes = {
    server: { description: 'physical or virtual', changeControlled: true, attributes: [{ name: 'os', label: 'OS', type: 'choice', options: ['linux', 'windows'], required: true }, { name: 'cpus', label: 'CPUs', type: 'number', min: 1 }] },
    storage: { changeControlled: true, attributes: [{ name: 'capacityTb', label: 'Capacity (TB)', type: 'number', required: true }] },
    application: { attributes: [{ name: 'release', label: 'Release', type: 'string' }] },
  };
  for (const [name, body] of Object.entries(classes)) expect((await api.call('PUT', `/ci-classes/${name}`, { key: owner, body })).status).toBe(200);
});
afterAll(async () => api?.stop());

const register = (body: Record<string, unknown>, key = agent) => api.call('POST', '/cis', { key, body });

describe('CI classes', () => {
  it('are versioned data the process owner keeps, with attribute schemas', async () => {
    const c = await api.call('GET', '/ci-classes/server', { key: agent });
    expect(c.body).toMatchObject({ name: 'server', version: 1, changeControlled: true, updatedBy: 'olga' });
    expect((await api.call('GET', '/ci-classes', { key: agent })).body.items.map((i: { name: string }) => i.name)).toEqual(['application', 'server', 'storage']);
    expect((await api.call('PUT', '/ci-classes/router', { key: agent, body: {} })).status).toBe(403);
    const twice = await api.call('PUT', '/ci-classes/router', { key: owner, body: { attributes: [{ name: 'ports', label: 'Ports', type: 'number' }, { name: 'ports', label: 'Ports', type: 'string' }] } });
    expect([twice.status, twice.body.errors[0].path]).toEqual([400, 'attributes.1.name']);
    expect((await api.call('PUT', '/ci-classes/Bad-Name', { key: owner, body: {} })).status).toBe(400);
    expect((await api.call('GET', '/ci-classes/router', { key: agent })).status).toBe(404);
  });
});

describe('configuration items', () => {
  beforeAll(async () => {
    const first = await register({ name: 'san-1', class: 'storage', owner: 'storage team', attributes: { capacityTb: 200 } });
    expect([first.status, first.body.detail]).toEqual([201, undefined]);
    expect((await register({ name: 'vm-1', class: 'server', owner: 'platform team', attributes: { os: 'linux', cpus: 8 }, relationships: [{ type: 'depends_on', to: 'san-1' }] })).status).toBe(201);
    expect((await register({ name: 'shop-app', class: 'application', owner: 'web team', attributes: { release: '4.2' }, relationships: [{ type: 'runs_on', to: 'vm-1' }] })).status).toBe(201);
  });

  it('are registered with attributes their class allows and relationships to CIs that exist, and nothing else', async () => {
    const vm = await api.call('GET', '/cis/vm-1', { key: caller });
    expect(vm.body).toMatchObject({
      name: 'vm-1', class: 'server', classVersion: 1, owner: 'platform team', status: 'live', attributes: { os: 'linux', cpus: 8 }, changeControlled: true, version: 1, createdBy: 'alice',
      relationships: [{ from: 'vm-1', type: 'depends_on', to: 'san-1' }],
      dependents: [{ from: 'shop-app', type: 'runs_on', to: 'vm-1' }],
    });
    expect(vm.headers.get('etag')).toBe('"1"');

    const refused = async (body: Record<string, unknown>) => {
      const r = await register({ name: 'vm-9', class: 'server', owner: 'platform team', attributes: { os: 'linux' }, ...body });
      return [r.status, r.body.errors?.map((e: { path: string; message: string }) => `${e.path}: ${e.message}`)];
    };
    expect(await refused({ class: 'mainframe' })).toEqual([400, ['class: there is no CI class mainframe (GET /ci-classes)']]);
    expect(await refused({ attributes: { os: 'plan9' } })).toEqual([400, [expect.stringMatching(/^attributes\.os: /)]]);
    expect(await refused({ attributes: {} })).toEqual([400, [expect.stringMatching(/^attributes\.os: /)]]);
    expect(await refused({ attributes: { os: 'linux', colour: 'red' } })).toEqual([400, ['attributes: a server has no attribute colour']]);
    expect(await refused({ relationships: [{ type: 'depends_on', to: 'nas-7' }] })).toEqual([400, ['relationships.0.to: there is no CI nas-7']]);
    expect(await refused({ relationships: [{ type: 'depends_on', to: 'vm-9' }] })).toEqual([400, ['relationships.0.to: a CI does not relate to itself']]);
    expect(await refused({ relationships: [{ type: 'likes', to: 'san-1' }] })).toEqual([400, [expect.stringMatching(/^relationships\.0\.type: /)]]);
    expect(await refused({ name: 'vm 9' })).toEqual([400, [expect.stringMatching(/^name: a CI name/)]]);
    const twin = await register({ name: 'vm-1', class: 'server', owner: 'x', attributes: { os: 'linux' } });
    expect([twin.status, twin.body.detail]).toEqual([409, 'there is a CI named vm-1 already']);
    expect((await register({ name: 'vm-9', class: 'server', owner: 'x', attributes: { os: 'linux' } }, caller)).status).toBe(403);
    expect((await api.call('GET', '/cis/vm-9', { key: agent })).status).toBe(404);

    const servers = await api.call('GET', '/cis?class=server', { key: agent });
    expect([servers.body.total, servers.body.items.map((c: { name: string }) => c.name)]).toEqual([1, ['vm-1']]);
    expect((await api.call('GET', '/cis?owner=web%20team', { key: agent })).body.items.map((c: { name: string }) => c.name)).toEqual(['shop-app']);
  });

  it('change with a reason kept in their history; a CI under change control is refused a direct edit', async () => {
    const edit = await api.call('PATCH', '/cis/shop-app', { key: agent, body: { attributes: { release: '4.3' }, why: 'deployed 4.3' } });
    expect([edit.status, edit.body.version, edit.body.attributes]).toEqual([200, 2, { release: '4.3' }]);
    const stale = await api.call('PATCH', '/cis/shop-app', { key: agent, body: { owner: 'shop team', why: 'reorganised' }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    expect((await api.call('PATCH', '/cis/shop-app', { key: agent, body: { attributes: { release: 4 }, why: 'typo' } })).status).toBe(400);
    expect((await api.call('PATCH', '/cis/shop-app', { key: agent, body: { owner: 'shop team' } })).body.errors[0].path).toBe('why');

    const direct = await api.call('PATCH', '/cis/vm-1', { key: agent, body: { attributes: { cpus: 16 }, why: 'more load' } });
    expect([direct.status, direct.body.rule]).toEqual([409, 'change-control']);
    expect(direct.body.detail).toMatch(/^vm-1 is a server, a class under change control: it changes only through a change/);
    expect((await api.call('POST', '/cis/vm-1/relationships', { key: agent, body: { type: 'connects_to', to: 'san-1', why: 'iSCSI' } })).status).toBe(409);
    expect((await api.call('GET', '/cis/vm-1', { key: agent })).body.version).toBe(1);

    // relationships from a CI not under change control, to one that is: added and removed with a reason
    const rel = await api.call('POST', '/cis/shop-app/relationships', { key: agent, body: { type: 'uses', to: 'san-1', why: 'uploads' } });
    expect([rel.status, rel.body.relationships.map((r: { type: string; to: string }) => `${r.type} ${r.to}`)]).toEqual([201, ['runs_on vm-1', 'uses san-1']]);
    expect((await api.call('POST', '/cis/shop-app/relationships', { key: agent, body: { type: 'uses', to: 'san-1', why: 'again' } })).status).toBe(409);
    const gone = await api.call('DELETE', '/cis/shop-app/relationships/uses/san-1?why=uploads%20moved%20to%20object%20storage', { key: agent });
    expect([gone.status, gone.body.version]).toEqual([200, 4]);
    expect((await api.call('DELETE', '/cis/shop-app/relationships/uses/san-1?why=again', { key: agent })).status).toBe(404);
    expect((await api.call('DELETE', '/cis/shop-app/relationships/uses/san-1', { key: agent })).status).toBe(400);

    const history = await api.call('GET', '/cis/shop-app/history', { key: caller });
    expect(history.body.items.map((e: { version: number; action: string; by: string; why: string }) => `${e.version} ${e.action} ${e.by}: ${e.why}`)).toEqual([
      '1 registered alice: registered',
      '2 updated alice: deployed 4.3',
      '3 relationship_added alice: uploads',
      '4 relationship_removed alice: uploads moved to object storage',
    ]);
    expect(history.body.items[1].changes).toEqual([{ field: 'attributes.release', from: '4.2', to: '4.3' }]);
    expect(history.body.items[3].changes).toEqual([{ field: 'relationships', from: ['shop-app runs_on vm-1', 'shop-app uses san-1'], to: ['shop-app runs_on vm-1'] }]);
  });

  it('shows through the relationships every CI and service that depends on one, with the path, owners and customers', async () => {
    const shop = await api.call('POST', '/services', { key: owner, body: { name: 'Web shop', owner: 'sam', customers: ['Retail'], status: 'live', configurationItems: ['shop-app'] } });
    expect(shop.status).toBe(201);
    expect((await register({ name: 'disk-7', class: 'storage', owner: 'storage team', attributes: { capacityTb: 4 }, relationships: [{ type: 'part_of', to: 'san-1' }] })).status).toBe(201);

    const impact = await api.call('GET', '/cis/disk-7/impact', { key: caller });
    expect(impact.status).toBe(200);
    expect(impact.body).toMatchObject({ ci: 'disk-7', depth: 10, truncated: false });
    expect(impact.body.cis.map((c: { name: string; depth: number; owner: string }) => `${c.name}@${c.depth} (${c.owner})`)).toEqual(['san-1@1 (storage team)', 'vm-1@2 (platform team)', 'shop-app@3 (web team)']);
    expect(impact.body.services).toEqual([
      {
        id: shop.body.id, name: 'Web shop', owner: 'sam', customers: ['Retail'], status: 'live', through: 'shop-app',
        path: [{ from: 'shop-app', type: 'runs_on', to: 'vm-1' }, { from: 'vm-1', type: 'depends_on', to: 'san-1' }, { from: 'disk-7', type: 'part_of', to: 'san-1' }],
      },
    ]);
    const near = await api.call('GET', '/cis/disk-7/impact?depth=1', { key: caller });
    expect([near.body.truncated, near.body.cis.length, near.body.services]).toEqual([true, 1, []]);
    // a service's own CI is impacted by itself
    expect((await api.call('GET', '/cis/shop-app/impact', { key: caller })).body.services.map((s: { through: string }) => s.through)).toEqual(['shop-app']);
    expect((await api.call('GET', '/cis/nas-7/impact', { key: caller })).status).toBe(404);
    expect((await api.call('GET', '/cis/disk-7/impact?depth=99', { key: caller })).status).toBe(400);
  });

  it('keeps baselines: named snapshots of CIs, and what differs from them today', async () => {
    const named = await api.call('POST', '/baselines', { key: agent, body: { name: 'Before the shop release', cis: ['shop-app', 'san-1'] } });
    expect(named.status).toBe(201);
    expect(named.body).toMatchObject({ id: expect.stringMatching(/^bl-\d+$/), name: 'Before the shop release', scope: { cis: ['shop-app', 'san-1'] }, count: 2, createdBy: 'alice' });
    const apps = await api.call('POST', '/baselines', { key: agent, body: { name: 'Applications', class: 'application' } });
    expect(apps.body.items.map((i: { name: string }) => i.name)).toEqual(['shop-app']);

    const before = named.body.items.find((i: { name: string }) => i.name === 'shop-app');
    await api.call('PATCH', '/cis/shop-app', { key: agent, body: { attributes: { release: '5.0' }, why: 'release 5' } });
    expect((await register({ name: 'search-app', class: 'application', owner: 'web team' })).status).toBe(201);
    const diff = await api.call('GET', `/baselines/${named.body.id}/diff`, { key: caller });
    expect(diff.body).toMatchObject({ id: named.body.id, unchanged: 1, added: [] });
    expect(diff.body.changed).toEqual([{ name: 'shop-app', baselineVersion: before.version, version: before.version + 1, changes: [{ field: 'attributes.release', from: before.attributes.release, to: '5.0' }] }]);
    expect((await api.call('GET', `/baselines/${apps.body.id}/diff`, { key: caller })).body).toMatchObject({ added: ['search-app'], unchanged: 0 });
    expect((await api.call('GET', `/baselines/${named.body.id}`, { key: caller })).body.items).toEqual(named.body.items);
    expect((await api.call('GET', '/baselines?limit=1', { key: caller })).body.items.map((b: { id: string }) => b.id)).toEqual([apps.body.id]);

    const refused = async (body: Record<string, unknown>) => {
      const r = await api.call('POST', '/baselines', { key: agent, body: { name: 'x', ...body } });
      return [r.status, r.body.errors?.[0]];
    };
    expect(await refused({})).toEqual([400, expect.objectContaining({ path: 'cis' })]);
    expect(await refused({ cis: ['vm-1'], class: 'server' })).toEqual([400, expect.objectContaining({ path: 'cis' })]);
    expect(await refused({ cis: ['vm-1', 'nas-7'] })).toEqual([400, { in: 'body', path: 'cis.1', message: 'there is no CI nas-7' }]);
    expect((await api.call('POST', '/baselines', { key: caller, body: { name: 'x', cis: ['vm-1'] } })).status).toBe(403);
    expect((await api.call('GET', '/baselines/bl-999999/diff', { key: caller })).status).toBe(404);
  });

  it('is known to another process’s graph as soon as it is written, even when written out of its order', async () => {
    let now = Date.now();
    const graph = new CmdbGraph(api.models, () => now);
    const rels = () => [...graph.dependentsOf('vm-1')].map((r) => `${r.from} ${r.type} ${r.to}`);
    await graph.upToDate();
    expect(rels()).toEqual(['shop-app runs_on vm-1']);
    // a slow writer takes its number; a faster one takes the next, lands, and is read
    const slow = await nextNumber(api.models.Counter, 'cmdb');
    expect((await register({ name: 'probe-1', class: 'application', owner: 'web team' })).status).toBe(201);
    await graph.upToDate();
    expect(graph.node('probe-1')).toBeDefined();
    // the slow write lands after that read: the next catch-up finds it by its number
    const ci = (await api.models.ConfigurationItem.collection.findOne({ _id: 'shop-app' as never }))!;
    await api.models.ConfigurationItem.collection.updateOne({ _id: 'shop-app' as never }, { $set: { version: ci.version + 1, seq: slow, updatedAt: new Date(), relationships: [] } });
    expect((await graph.upToDate(), rels())).toEqual([]);
    // and later writes as they come
    now += SETTLE_MS + 1;
    await api.models.ConfigurationItem.collection.updateOne({ _id: 'shop-app' as never }, { $set: { version: ci.version + 2, seq: await nextNumber(api.models.Counter, 'cmdb'), relationships: ci.relationships } });
    expect((await graph.upToDate(), rels())).toEqual(['shop-app runs_on vm-1']);
    expect(graph.node('shop-app')?.version).toBe(ci.version + 2);
  });
});

describe('changes and the CMDB', () => {
  let nina: string;
  const day = (d: number, h = 22) => new Date(Date.UTC(2027, 1, d, h)).toISOString();
  const rfc = (over: Record<string, unknown>) => ({
    title: 'Resize the VM', description: 'more CPUs', justification: 'load', type: 'standard', template: 'restart-app-server',
    configurationItems: ['vm-1'], risk: 'low', impact: 'low', plannedStart: day(3), plannedEnd: day(3, 23),
    implementationPlan: 'resize, reboot', backoutPlan: 'resize back', implementationGroup: 'network', ...over,
  });
  const raise = async (body: Record<string, unknown>) => api.call('POST', '/changes', { key: agent, body });
  const cmd = (n: string, command: string, body: Record<string, unknown> = {}) => api.call('POST', `/changes/${n}/${command}`, { key: nina, body });

  beforeAll(async () => {
    nina = await api.key('nina', ['agent'], ['network']);
  });

  it('carries the updates of a CI under change control, refuses ones that do not fit, and applies them when it completes successfully', async () => {
    const elsewhere = await raise(rfc({ ciUpdates: [{ ci: 'san-1', status: 'retired' }] }));
    expect([elsewhere.status, elsewhere.body.errors]).toEqual([400, [{ in: 'body', path: 'ciUpdates.0.ci', message: "san-1 is not among the change's configurationItems" }]]);
    const misfit = await raise(rfc({ ciUpdates: [{ ci: 'vm-1', attributes: { cpus: 0, colour: 'red' } }] }));
    expect([misfit.status, misfit.body.errors.map((e: { path: string }) => e.path)]).toEqual([400, ['ciUpdates.0.attributes.cpus', 'ciUpdates.0.attributes']]);
    const gone = await raise(rfc({ ciUpdates: [{ ci: 'vm-1', addRelationships: [{ type: 'depends_on', to: 'nas-7' }] }] }));
    expect(gone.body.errors).toEqual([{ in: 'body', path: 'ciUpdates.0.addRelationships.0.to', message: 'there is no CI nas-7' }]);

    const made = await raise(rfc({ ciUpdates: [{ ci: 'vm-1', attributes: { cpus: 16 }, addRelationships: [{ type: 'connects_to', to: 'disk-7' }] }] }));
    expect(made.status).toBe(201);
    const n = made.body.number as string;
    // what depends on vm-1, as the CMDB says: the web shop through shop-app
    expect(made.body.affects).toMatchObject({ services: [{ name: 'Web shop', owner: 'sam', customers: ['Retail'] }], truncated: false });
    expect((await cmd(n, 'submit')).body.state).toBe('scheduled');
    await eventually(async () => expect(await api.models.Notification.countDocuments({ caseId: n, type: 'change_impact' })).toBe(1));
    await cmd(n, 'implement');
    expect((await api.call('GET', '/cis/vm-1', { key: agent })).body.attributes.cpus).toBe(8); // not before it is done
    await cmd(n, 'complete', { result: 'successful', notes: 'resized' });
    const vm = await eventually(async () => {
      const r = await api.call('GET', '/cis/vm-1', { key: agent });
      expect(r.body.attributes.cpus).toBe(16);
      return r.body;
    });
    expect(vm.relationships.map((r: { type: string; to: string }) => `${r.type} ${r.to}`)).toEqual(['depends_on san-1', 'connects_to disk-7']);
    const last = (await api.call('GET', '/cis/vm-1/history', { key: agent })).body.items.at(-1);
    expect(last).toMatchObject({ action: 'updated', change: n, why: `${n}: Resize the VM`, changes: [{ field: 'attributes.cpus', from: 8, to: 16 }, { field: 'relationships' }] });
    const done = await eventually(async () => {
      const r = await api.call('GET', `/changes/${n}`, { key: agent });
      expect(r.body.ciUpdateResults).not.toBeNull();
      return r.body;
    });
    expect(done.ciUpdateResults).toEqual([{ ci: 'vm-1', outcome: 'applied', version: vm.version, reason: null }]);

    // an incident on what runs on the VM asks first what changed lately on it and below it
    const incident = async (ci: string) =>
      (await api.call('POST', '/incidents', { key: agent, body: { title: 'Shop slow', description: 'checkout times out', caller: 'bob', service: 'Web shop', configurationItem: ci, category: 'application', impact: 2, urgency: 2 } })).body.number as string;
    const onApp = await incident('shop-app');
    const recent = await api.call('GET', `/incidents/${onApp}/recent-changes`, { key: agent });
    expect(recent.status).toBe(200);
    expect(recent.body).toMatchObject({ number: onApp, configurationItem: 'shop-app', hours: 72, truncated: false });
    expect(recent.body.cis.map((c: { name: string; depth: number }) => `${c.name}@${c.depth}`)).toEqual(['shop-app@0', 'vm-1@1', 'san-1@2', 'disk-7@2']); // disk-7: vm-1 connects_to it since the change
    expect(recent.body.changes).toEqual([
      { number: n, title: 'Resize the VM', state: expect.any(String), outcome: null, implementedAt: expect.any(String), configurationItem: 'vm-1', path: [{ from: 'shop-app', type: 'runs_on', to: 'vm-1' }] },
    ]);
    // the SAN does not depend on the VM; and a window that ended before the change shows nothing
    expect((await api.call('GET', `/incidents/${await incident('san-1')}/recent-changes`, { key: agent })).body.changes).toEqual([]);
    expect((await api.call('GET', `/incidents/${onApp}/recent-changes?hours=0`, { key: agent })).status).toBe(400);
    expect((await api.call('GET', '/incidents/INC9999999/recent-changes', { key: agent })).status).toBe(404);
  });

  it('collides with a change on a related CI in the same window, naming the relationship', async () => {
    const storage = await raise(rfc({ title: 'Firmware of the SAN', configurationItems: ['san-1'], plannedStart: day(5), plannedEnd: day(5, 23) }));
    expect((await cmd(storage.body.number, 'submit')).body.state).toBe('scheduled');
    const onVm = await raise(rfc({ title: 'Patch the VM', configurationItems: ['vm-1'], plannedStart: day(5, 20), plannedEnd: day(5, 23) }));
    expect(onVm.status).toBe(409);
    expect(onVm.body.detail).toBe(`the planned window conflicts with ${storage.body.number} on san-1 (vm-1 depends_on san-1)`);
    expect(onVm.body.conflicts).toEqual([{ kind: 'collision', with: storage.body.number, from: day(5), to: day(5, 23), configurationItem: 'san-1', via: 'vm-1 depends_on san-1' }]);
    // a CI two relationships away is not in the way; another window is not either
    expect((await raise(rfc({ title: 'Shop release', configurationItems: ['shop-app'], plannedStart: day(5), plannedEnd: day(5, 23) }))).status).toBe(201);
    expect((await raise(rfc({ title: 'Patch the VM later', configurationItems: ['vm-1'], plannedStart: day(7), plannedEnd: day(7, 23) }))).status).toBe(201);
  });
});

describe('cases naming services and CIs', () => {
  const incident = (over: Record<string, unknown>) => ({ title: 'Slow', description: 'slow pages', caller: 'bob', service: 'Web shop', configurationItem: 'shop-app', category: 'application', impact: 3, urgency: 3, ...over });
  const change = (over: Record<string, unknown>) => ({
    title: 'Patch', description: 'patch', justification: 'security', type: 'normal', configurationItems: ['vm-1'], services: ['Web shop'], risk: 'low', impact: 'low',
    plannedStart: '2027-03-01T22:00:00Z', plannedEnd: '2027-03-01T23:00:00Z', implementationPlan: 'patch', backoutPlan: 'restore', implementationGroup: 'network', ...over,
  });
  const problem = (over: Record<string, unknown>) => ({ title: 'Timeouts', description: 'checkout times out', service: 'Web shop', configurationItem: 'shop-app', category: 'application', impact: 'medium', group: 'network', ...over });

  it('refuses names the portfolio and the CMDB do not know, naming each, and makes nothing', async () => {
    const before = await api.models.Incident.countDocuments();
    const inc = await api.call('POST', '/incidents', { key: agent, body: incident({ service: 'Webshop', configurationItem: 'shop-ap' }) });
    expect([inc.status, inc.body.errors]).toEqual([400, [
      { in: 'body', path: 'service', message: 'there is no service named Webshop (GET /services)' },
      { in: 'body', path: 'configurationItem', message: 'there is no CI shop-ap (GET /cis)' },
    ]]);
    expect(inc.body.detail).toMatch(/a process owner may allow free text for a while \(PUT \/policies\/references\)$/);
    expect(await api.models.Incident.countDocuments()).toBe(before);
    const chg = await api.call('POST', '/changes', { key: agent, body: change({ configurationItems: ['vm-1', 'nas-7'], services: ['Intranet'] }) });
    expect([chg.status, chg.body.errors.map((e: { path: string }) => e.path)]).toEqual([400, ['services.0', 'configurationItems.1']]);
    const prb = await api.call('POST', '/problems', { key: agent, body: problem({ configurationItem: 'nas-7' }) });
    expect([prb.status, prb.body.errors.map((e: { path: string }) => e.path)]).toEqual([400, ['configurationItem']]);
    // a service's name in another case is the same service
    expect((await api.call('POST', '/incidents', { key: agent, body: incident({ service: 'web SHOP' }) })).status).toBe(201);
  });

  it('takes free text for the processes the references policy allows it, for a transition period', async () => {
    expect((await api.call('GET', '/policies/references', { key: agent })).body).toMatchObject({ version: 1, updatedBy: 'system', freeText: { incident: false, problem: false, change: false } });
    expect((await api.call('PUT', '/policies/references', { key: agent, body: { freeText: { incident: true } } })).status).toBe(403);
    const put = await api.call('PUT', '/policies/references', { key: owner, body: { freeText: { incident: true } } });
    expect([put.status, put.body.freeText]).toEqual([200, { incident: true, problem: false, change: false }]);
    expect((await api.call('POST', '/incidents', { key: agent, body: incident({ service: 'Legacy thing', configurationItem: 'old-box-7' }) })).status).toBe(201);
    expect((await api.call('POST', '/problems', { key: agent, body: problem({ service: 'Legacy thing' }) })).status).toBe(400);
    expect((await api.call('PUT', '/policies/references', { key: owner, body: { freeText: { incident: false } } })).status).toBe(200);
    expect((await api.call('POST', '/incidents', { key: agent, body: incident({ service: 'Legacy thing' }) })).status).toBe(400);
  });
});

describe('an incident on a CI', () => {
  it('shows the services that depend on its CI, and takes its targets from their SLA when its own service has none', async () => {
    const shop = (await api.call('GET', '/services', { key: agent })).body.items.find((s: { name: string }) => s.name === 'Web shop');
    await api.call('POST', '/services', { key: owner, body: { name: 'Storage', owner: 'stan', status: 'live', configurationItems: ['san-1'] } });
    const targets = { calendarId: '24x7', warningPercent: 75, autoCloseDays: 3, targets: { P1: { responseMinutes: 5, resolutionMinutes: 60 }, P2: { responseMinutes: 10, resolutionMinutes: 120 }, P3: { responseMinutes: 20, resolutionMinutes: 180 }, P4: { responseMinutes: 40, resolutionMinutes: 360 } } };
    const sla = (await api.call('POST', '/slas', { key: owner, body: { name: 'Web shop for Retail', service: shop.id, customer: 'Retail', incidents: targets } })).body;
    const logged = await api.call('POST', '/incidents', { key: agent, body: { title: 'SAN latency', description: 'writes slow', caller: 'bob', service: 'storage', configurationItem: 'san-1', customer: 'Retail', category: 'storage', impact: 2, urgency: 2 } });
    expect(logged.status).toBe(201);
    expect(logged.body.service).toBe('Storage'); // as the portfolio spells it
    expect(logged.body.affects.services.map((s: { name: string }) => s.name)).toEqual(['Storage', 'Web shop']);
    expect(logged.body.affects.dependents).toEqual(expect.arrayContaining(['vm-1', 'shop-app']));
    expect(logged.body.policy).toMatchObject({ incidentSla: null, sla: { id: sla.id, version: 1 } });
    expect(logged.body.sla.resolution.targetMinutes).toBe(180);
    // a list shows no impact (GET /incidents/{n} does)
    expect((await api.call('GET', '/incidents?service=Storage', { key: agent })).body.items[0].affects).toBeUndefined();
  });
});
