/** API keys, policies and calendars, the OpenAPI document and health, over HTTP. */
import { DEFAULT_INCIDENT_SLA } from '../../domain/sla';
import { DEFAULT_PRIORITY_MATRIX } from '../../domain/priority';
import { startApi, type RunningApi } from '../support/harness';
import { ensureBootstrapAdmin, hashKey } from '../../api/auth';

let api: RunningApi;
let owner: string, agent: string;

beforeAll(async () => {
  // the bootstrap tests restart by hand: no key may outlive them in a cache
  api = await startApi('api_platform', { keyCacheTtlMs: 0 });
  [owner, agent] = await Promise.all([api.key('olga', ['process_owner']), api.key('alice', ['agent'], ['network'])]);
});
afterAll(async () => api?.stop());

describe('API keys', () => {
  it('shows a new key’s secret once, stores it hashed, lists keys without secrets', async () => {
    const r = await api.call('POST', '/api-keys', { key: api.adminKey, body: { name: 'sam', roles: ['approver', 'agent'], groups: ['cab'] } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: 'sam', roles: ['approver', 'agent'], groups: ['cab'], key: expect.stringMatching(/^isk_/) });
    const stored = await api.models.ApiKey.findById(r.body.id).lean();
    expect(JSON.stringify(stored)).not.toContain(r.body.key);
    const list = await api.call('GET', '/api-keys', { key: api.adminKey });
    const sam = list.body.items.find((k: { name: string }) => k.name === 'sam');
    expect(sam).toMatchObject({ name: 'sam', prefix: r.body.key.slice(0, 8) });
    expect(sam).not.toHaveProperty('key');
    expect(sam).not.toHaveProperty('hash');
    expect((await api.call('GET', '/incidents', { key: r.body.key })).status).toBe(200);
  });

  it('gives a name to one key in force at a time, and never the platform’s own', async () => {
    const first = await api.call('POST', '/api-keys', { key: api.adminKey, body: { name: 'rita', roles: ['agent'] } });
    expect(first.status).toBe(201);
    const twin = await api.call('POST', '/api-keys', { key: api.adminKey, body: { name: 'rita', roles: ['admin'] } });
    expect([twin.status, twin.body.detail]).toEqual([409, `a key in force is named rita already (${first.body.id}, prefix ${first.body.key.slice(0, 8)}): a name is an identity in every history; revoke that key first to replace it`]);
    expect((await api.call('POST', '/api-keys', { key: api.adminKey, body: { name: 'System', roles: ['admin'] } })).status).toBe(409);
    // replaced: the old key revoked, the name is free for the new one
    await api.call('DELETE', `/api-keys/${first.body.id}`, { key: api.adminKey });
    expect((await api.call('POST', '/api-keys', { key: api.adminKey, body: { name: 'rita', roles: ['agent'] } })).status).toBe(201);
  });

  it('stops a revoked key at once', async () => {
    const k = await api.call('POST', '/api-keys', { key: api.adminKey, body: { name: 'temp', roles: ['auditor'] } });
    const revoked = await api.call('DELETE', `/api-keys/${k.body.id}`, { key: api.adminKey });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    const r = await api.call('GET', '/incidents', { key: k.body.key });
    expect(r.status).toBe(401);
    expect(r.body.type).toBe('urn:iso20k-flow:problem:unauthenticated');
    expect((await api.call('DELETE', `/api-keys/${k.body.id}`, { key: api.adminKey })).status).toBe(409);
    expect((await api.call('DELETE', '/api-keys/0123456789abcdef01234567', { key: api.adminKey })).status).toBe(404);
  });

  it('lets only an admin manage keys, and refuses a bad key request naming the field', async () => {
    expect((await api.call('POST', '/api-keys', { key: owner, body: { name: 'x', roles: ['admin'] } })).status).toBe(403);
    expect((await api.call('GET', '/api-keys', { key: agent })).status).toBe(403);
    expect((await api.call('GET', '/api-keys')).status).toBe(401);
    const bad = await api.call('POST', '/api-keys', { key: api.adminKey, body: { name: 'x', roles: ['wizard'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('roles.0');
    expect((await api.call('POST', '/api-keys', { key: api.adminKey, body: { name: 'x', roles: [] } })).status).toBe(400);
    expect((await api.call('GET', '/incidents', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
  });
});

describe('the bootstrap admin key', () => {
  it('is generated once, and a revoked one is not brought back by a restart', async () => {
    const models = api.models;
    await models.ApiKey.updateMany({ bootstrap: true }, { $set: { revokedAt: new Date() } });
    expect(await ensureBootstrapAdmin(models, undefined)).toEqual({ generated: null, refused: null });
    expect(await models.ApiKey.countDocuments({ bootstrap: true, revokedAt: null })).toBe(0);
    await models.ApiKey.updateMany({ bootstrap: true }, { $set: { revokedAt: null } });
  });

  it('follows ADMIN_API_KEY, but never back to a key that was revoked; a short one stops the start', async () => {
    const models = api.models;
    const first = 'isk_from_the_environment_1';
    const second = 'isk_from_the_environment_2';
    await ensureBootstrapAdmin(models, first);
    expect((await api.call('GET', '/api-keys', { key: first })).status).toBe(200);
    expect((await api.call('GET', '/api-keys', { key: api.adminKey })).status).toBe(401); // replaced
    // its listing shows no more than a quarter of it
    const listed = (await api.call('GET', '/api-keys?limit=100', { key: first })).body.items.find((k: { name: string; revokedAt: string | null }) => k.name === 'admin' && !k.revokedAt);
    expect(listed.prefix).toBe(first.slice(0, 6));
    await ensureBootstrapAdmin(models, second);
    expect((await api.call('GET', '/api-keys', { key: first })).status).toBe(401);
    // the first was revoked by the second: a restart naming it again leaves it revoked, and says so
    const again = await ensureBootstrapAdmin(models, first);
    expect(again.refused).toMatch(/^ADMIN_API_KEY is a key that was revoked \(admin, on .*\): it stays revoked; set a new ADMIN_API_KEY$/);
    expect((await api.call('GET', '/api-keys', { key: first })).status).toBe(401);
    expect((await api.call('GET', '/api-keys', { key: second })).status).toBe(200);
    expect(await models.ApiKey.countDocuments({ bootstrap: true, revokedAt: null })).toBe(1);
    await expect(ensureBootstrapAdmin(models, 'short-admin-key')).rejects.toThrow(/^ADMIN_API_KEY must be at least 24 characters long \(it has 15\)/);
    // back to the generated key the other tests use
    await models.ApiKey.updateMany({ bootstrap: true }, { $set: { revokedAt: new Date() } });
    await models.ApiKey.updateOne({ hash: hashKey(api.adminKey) }, { $set: { revokedAt: null } });
  });
});

describe('policies as data', () => {
  it('serves the priority matrix and lets a process owner version it', async () => {
    const now = await api.call('GET', '/policies/priority-matrix', { key: agent });
    expect(now.body).toMatchObject({ version: 1, updatedBy: 'system', matrix: DEFAULT_PRIORITY_MATRIX.matrix });
    const matrix = { ...DEFAULT_PRIORITY_MATRIX.matrix, '2': { '1': 'P1', '2': 'P3', '3': 'P4' } };
    const put = await api.call('PUT', '/policies/priority-matrix', { key: owner, body: { matrix } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ version: 2, updatedBy: 'olga', matrix });
    const r = await api.call('POST', '/incidents', { key: agent, body: { title: 't', description: 'd', caller: 'bob', service: 's', configurationItem: 'c', category: 'x', impact: 2, urgency: 1 } });
    expect(r.body).toMatchObject({ priority: 'P1', policy: { priorityMatrix: 2 } });
    expect((await api.call('GET', '/policies/priority-matrix?version=1', { key: agent })).body.matrix).toEqual(DEFAULT_PRIORITY_MATRIX.matrix);
    expect((await api.call('GET', '/policies/priority-matrix?version=99', { key: agent })).status).toBe(404);
  });

  it('refuses a bad policy naming the field, a non-owner, and a stale edit, and changes nothing', async () => {
    const before = (await api.call('GET', '/policies/incident-sla', { key: owner })).body;
    const negative = await api.call('PUT', '/policies/incident-sla', { key: owner, body: { ...DEFAULT_INCIDENT_SLA, targets: { ...DEFAULT_INCIDENT_SLA.targets, P2: { responseMinutes: -5, resolutionMinutes: 60 } } } });
    expect(negative.status).toBe(400);
    expect(negative.body.errors[0].path).toBe('targets.P2.responseMinutes');
    const noCalendar = await api.call('PUT', '/policies/incident-sla', { key: owner, body: { ...DEFAULT_INCIDENT_SLA, calendarId: 'mars-time' } });
    expect(noCalendar.status).toBe(400);
    expect(noCalendar.body.errors).toEqual([{ in: 'body', path: 'calendarId', message: 'there is no calendar mars-time' }]);
    expect((await api.call('PUT', '/policies/incident-sla', { key: agent, body: DEFAULT_INCIDENT_SLA })).status).toBe(403);
    const stale = await api.call('PUT', '/policies/incident-sla', { key: owner, body: DEFAULT_INCIDENT_SLA, headers: { 'if-match': '"7"' } });
    expect(stale.status).toBe(412);
    expect((await api.call('GET', '/policies/incident-sla', { key: owner })).body).toEqual(before);
    const fresh = await api.call('PUT', '/policies/incident-sla', { key: owner, body: DEFAULT_INCIDENT_SLA, headers: { 'if-match': `"${before.version}"` } });
    expect(fresh.body.version).toBe(before.version + 1);
  });

  it('takes back a policy as it was read, edited (read → edit → write)', async () => {
    const read = await api.call('GET', '/policies/incident-sla', { key: owner });
    expect(read.headers.get('etag')).toBe(`"${read.body.version}"`);
    const edited = { ...read.body, warningPercent: 80 };
    const put = await api.call('PUT', '/policies/incident-sla', { key: owner, body: edited });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ version: read.body.version + 1, warningPercent: 80 });
    expect(put.headers.get('etag')).toBe(`"${read.body.version + 1}"`);
    // sending back the same read again is a stale edit
    const stale = await api.call('PUT', '/policies/incident-sla', { key: owner, body: edited });
    expect(stale.status).toBe(412);
    await api.call('PUT', '/policies/incident-sla', { key: owner, body: DEFAULT_INCIDENT_SLA });
  });

  it('keeps business calendars as versioned data', async () => {
    const cal = {
      name: 'Service desk (Berlin)',
      timeZone: 'Europe/Berlin',
      workingHours: { mon: [{ start: '08:00', end: '18:00' }], tue: [{ start: '08:00', end: '18:00' }] },
      holidays: [{ date: '2026-12-24', name: 'Heiligabend' }],
    };
    const created = await api.call('PUT', '/calendars/desk-berlin', { key: owner, body: cal });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ id: 'desk-berlin', version: 1, timeZone: 'Europe/Berlin', workingHours: { wed: [] } });
    const v2 = await api.call('PUT', '/calendars/desk-berlin', { key: owner, body: { ...cal, holidays: [] } });
    expect(v2.body.version).toBe(2);
    expect((await api.call('GET', '/calendars/desk-berlin?version=1', { key: agent })).body.holidays).toHaveLength(1);
    const list = await api.call('GET', '/calendars', { key: agent });
    expect(list.body.items.map((c: { id: string; version: number }) => [c.id, c.version])).toEqual([['24x7', 1], ['business-hours', 1], ['desk-berlin', 2]]);
    const badZone = await api.call('PUT', '/calendars/desk-berlin', { key: owner, body: { ...cal, timeZone: 'Europe/Atlantis' } });
    expect(badZone.status).toBe(400);
    expect(badZone.body.errors[0].path).toBe('timeZone');
    expect((await api.call('PUT', '/calendars/Bad_Id', { key: owner, body: cal })).status).toBe(400);
    // a holiday on a day that does not exist is refused, naming it, and nothing is stored
    for (const date of ['2026-13-45', '2027-02-29', '2026-04-31']) {
      const impossible = await api.call('PUT', '/calendars/desk-berlin', { key: owner, body: { ...cal, holidays: [{ date, name: 'nowhen' }] } });
      expect([impossible.status, impossible.body.errors?.[0]]).toEqual([400, expect.objectContaining({ path: 'holidays.0.date', message: 'a date that exists, as YYYY-MM-DD' })]);
    }
    expect((await api.call('GET', '/calendars/nowhere', { key: owner })).status).toBe(404);
    expect((await api.call('GET', '/calendars/desk-berlin', { key: agent })).body.version).toBe(2);
  });
});

describe('documentation and health', () => {
  it('serves OpenAPI 3.1 generated from the schemas, and a docs page', async () => {
    const r = await api.call('GET', '/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    const open = r.body.paths['/incidents'].post;
    expect(open.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['title', 'impact', 'urgency']));
    expect(open.requestBody.content['application/json'].schema.properties.impact).toMatchObject({ type: 'integer', minimum: 1, maximum: 3 });
    const resolve = r.body.paths['/incidents/{number}/resolve'].post;
    expect(Object.keys(resolve.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '409', '413', '415', '422', '429', '503']));
    // what a command is allowed from comes from the incident's state table
    expect(resolve.description).toMatch(/^Allowed when the incident is in_progress; leads to resolved\./);
    expect(Object.keys(r.body.paths['/calendars/{id}'].put.responses)).toEqual(expect.arrayContaining(['400', '401', '403', '409', '412', '413', '415']));
    expect(r.body.paths['/incidents'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['state', 'priority', 'breached', 'limit']));
    // every success answer has its schema (all but the docs page and the metrics, which are not JSON)
    const unschemed = Object.entries(r.body.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) =>
        Object.entries(op.responses)
          .filter(([status, res]) => status.startsWith('2') && !res.content?.['application/json']?.schema)
          .map(([status]) => `${method.toUpperCase()} ${path} ${status}`),
      ),
    );
    expect(unschemed.filter((u) => !/ \/(docs|metrics)\b/.test(u))).toEqual([]);
    const incident = r.body.paths['/incidents/{number}'].get.responses['200'].content['application/json'].schema;
    expect(incident.required).toEqual(expect.arrayContaining(['number', 'state', 'priority', 'sla', 'comments']));
    expect(incident.additionalProperties).toBe(false);
    const docs = await api.call('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.body).toContain('swagger-ui');
    expect((await api.call('GET', '/docs/assets/swagger-ui-bundle.js')).status).toBe(200);
  });

  it('answers liveness and readiness (database, Temporal, a worker)', async () => {
    expect((await api.call('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await api.call('GET', '/healthz', { headers: { authorization: 'Bearer nonsense' } })).status).toBe(200);
    const ready = await api.call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', checks: { database: { ok: true }, temporal: { ok: true }, worker: { ok: true } } });
  });

  it('is not ready within seconds of its last worker going away, and ready again when one comes back', async () => {
    await api.stopWorker();
    try {
      const started = Date.now();
      let r = await api.call('GET', '/readyz');
      while (r.status === 200 && Date.now() - started < 15_000) {
        await new Promise((done) => setTimeout(done, 250));
        r = await api.call('GET', '/readyz');
      }
      expect(r.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(r.body).toMatchObject({ status: 'not ready', checks: { database: { ok: true }, temporal: { ok: true }, worker: { ok: false, detail: `no worker runs on task queue ${api.taskQueue}` } } });
    } finally {
      await api.startWorker();
    }
    // the new worker says it runs as it starts, and Temporal lists it once its first poll arrives
    const restarted = Date.now();
    let back = await api.call('GET', '/readyz');
    while (back.status !== 200 && Date.now() - restarted < 15_000) {
      await new Promise((done) => setTimeout(done, 250));
      back = await api.call('GET', '/readyz');
    }
    expect([back.status, back.body.checks.worker.ok]).toEqual([200, true]);
    expect(Date.now() - restarted).toBeLessThan(8_000);
  });

  it('serves Prometheus metrics: latency per route and status, database commands, the workflow cache', async () => {
    await api.call('GET', '/incidents?limit=1', { key: agent });
    await api.call('GET', '/incidents/INC9999999', { key: agent });
    const r = await fetch(`${api.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await r.text();
    expect(text).toMatch(/iso20k_http_request_duration_seconds_count\{method="GET",route="\/incidents",status="200"\} [1-9]/);
    expect(text).toMatch(/iso20k_http_request_duration_seconds_count\{method="GET",route="\/incidents\/:number",status="404"\} [1-9]/);
    expect(text).toMatch(/iso20k_worker_cached_workflows \d+/);
    expect(text).toMatch(/iso20k_db_command_duration_seconds_count\{command="find",collection="incidents",outcome="ok"\} [1-9]/);
  });

  it('answers an unknown route with a problem', async () => {
    const r = await api.call('GET', '/nowhere', { key: agent });
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('answers a method a path does not take with 405, naming the ones it does', async () => {
    const r = await api.call('DELETE', '/incidents/INC0000001', { key: agent });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD');
    expect(r.body.detail).toBe('/incidents/INC0000001 takes GET, HEAD, not DELETE');
    const put = await api.call('PUT', '/incidents', { key: agent, body: {} });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('POST, GET, HEAD');
  });
});
