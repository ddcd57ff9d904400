/** The service portfolio over HTTP: services as versioned records, one per name, and the catalogue items that belong to them. */
import { startApi, type RunningApi } from '../support/harness';

let api: RunningApi;
let owner: string, agent: string;

beforeAll(async () => {
  api = await startApi('api_services');
  [owner, agent] = await Promise.all([api.key('olga', ['process_owner']), api.key('alice', ['agent'], ['network'])]);
  // the CIs the VPN consists of, in the CMDB
  expect((await api.call('PUT', '/ci-classes/network_device', { key: owner, body: {} })).status).toBe(200);
  for (const name of ['vpn-gw-1', 'vpn-gw-2']) expect((await api.call('POST', '/cis', { key: agent, body: { name, class: 'network_device', owner: 'network' } })).status).toBe(201);
});
afterAll(async () => api?.stop());

const vpn = { name: 'VPN', description: 'remote access', owner: 'nina', customers: ['Sales', 'Finance'], configurationItems: ['vpn-gw-1', 'vpn-gw-2'] };

it('keeps services as versioned records: added by process owners, read by anyone with a key, one per name', async () => {
  const made = await api.call('POST', '/services', { key: owner, body: vpn });
  expect(made.status).toBe(201);
  expect(made.body).toMatchObject({ id: expect.stringMatching(/^svc-\d+$/), version: 1, updatedBy: 'olga', status: 'pipeline', slas: [], ...vpn });
  const id = made.body.id as string;
  expect(made.headers.get('location')).toBe(`/services/${id}`);

  // live, as a new version over the one read; the version read again is stale
  const live = await api.call('PUT', `/services/${id}`, { key: owner, body: { ...vpn, status: 'live' }, headers: { 'if-match': '"1"' } });
  expect([live.status, live.body.version, live.body.status]).toEqual([200, 2, 'live']);
  expect((await api.call('PUT', `/services/${id}`, { key: owner, body: { ...vpn, status: 'retired' }, headers: { 'if-match': '"1"' } })).status).toBe(412);
  expect((await api.call('GET', `/services/${id}?version=1`, { key: agent })).body.status).toBe('pipeline');
  expect((await api.call('GET', `/services/${id}`, { key: agent })).body).toMatchObject({ version: 2, status: 'live' });

  const mail = await api.call('POST', '/services', { key: owner, body: { name: 'Mail', owner: 'max' } });
  expect(mail.status).toBe(201);
  expect((await api.call('GET', '/services', { key: agent })).body.items.map((s: { name: string }) => s.name)).toEqual(['Mail', 'VPN']);
  expect((await api.call('GET', '/services?status=live', { key: agent })).body.items.map((s: { name: string }) => s.name)).toEqual(['VPN']);

  // refusals: another service of the same name, a role that may not, a bad field, one that is not there
  const twin = await api.call('POST', '/services', { key: owner, body: { ...vpn, name: 'vpn' } });
  expect([twin.status, twin.body.detail]).toEqual([409, `${id} is named VPN already: a service's name is how cases name it`]);
  expect((await api.call('PUT', `/services/${mail.body.id}`, { key: owner, body: { name: 'VPN', owner: 'max' } })).status).toBe(409);
  expect((await api.call('POST', '/services', { key: agent, body: vpn })).status).toBe(403);
  const bad = await api.call('POST', '/services', { key: owner, body: { ...vpn, name: 'Backup', status: 'sunset' } });
  expect([bad.status, bad.body.errors[0].path]).toEqual([400, 'status']);
  expect((await api.call('GET', '/services/svc-999999', { key: agent })).status).toBe(404);
  const noCi = await api.call('POST', '/services', { key: owner, body: { ...vpn, name: 'Backup', configurationItems: ['vpn-gw-1', 'tape-9'] } });
  expect([noCi.status, noCi.body.errors]).toEqual([400, [{ in: 'body', path: 'configurationItems.1', message: 'there is no CI tape-9 (GET /cis)' }]]);
  expect((await api.call('GET', '/services', { key: agent })).body.items).toHaveLength(2);
});

it('lets a catalogue item belong to a service that exists, and lists a service’s items', async () => {
  const svc = (await api.call('POST', '/services', { key: owner, body: { name: 'Workplace', owner: 'dora', status: 'live' } })).body.id as string;
  const item = { name: 'Headset', category: 'hardware', fulfilment: { mode: 'sequential', tasks: [{ title: 'Hand over a headset', group: 'network' }] } };
  const nowhere = await api.call('POST', '/catalog-items', { key: owner, body: { ...item, service: 'svc-999999' } });
  expect([nowhere.status, nowhere.body.errors]).toEqual([400, [{ in: 'body', path: 'service', message: 'there is no service svc-999999' }]]);
  const made = await api.call('POST', '/catalog-items', { key: owner, body: { ...item, service: svc } });
  expect([made.status, made.body.service]).toEqual([201, svc]);
  const other = await api.call('POST', '/catalog-items', { key: owner, body: { ...item, name: 'Chair' } });
  expect(other.body.service).toBeNull();
  expect((await api.call('GET', `/catalog-items?service=${svc}`, { key: agent })).body.items.map((i: { name: string }) => i.name)).toEqual(['Headset']);
});
