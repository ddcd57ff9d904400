/**
 * A database outage, on a database of this test's own: every request that needs it answers 503
 * `database-unavailable` with Retry-After within 2 s, whether the database is gone or hung;
 * /healthz never touches it, /readyz answers within 2 s; and everything recovers by itself when
 * it is back. And Temporal out of reach: creates and commands answer 503, not 500.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { createApp } from '../../api/app';
import { COMMAND_DEADLINE_MS } from '../../api/commands';
import { startDatabase, type Database } from '../../stack/database';
import { freePort } from '../../stack/process';
import { startApi, type RunningApi } from '../support/harness';
import { eventually } from '../support/incidents';

let dir: string;
let port: number;
let db: Database;
let api: RunningApi;
let agent: string;
const dbName = 'outage';

const incident = { title: 'VPN down', description: 'no one connects', caller: 'bob', service: 'VPN', configurationItem: 'vpn-gw-1', category: 'network', impact: 2, urgency: 2 };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iso20k-outage-'));
  port = await freePort();
  db = await startDatabase({ dataDir: dir, port, dbName });
  api = await startApi('api_outages', { mongodbUri: db.uri });
  agent = await api.key('alice', ['agent'], ['network']);
}, 120_000);
afterAll(async () => {
  await api?.stop().catch(() => undefined);
  await db?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** a request, and how long its answer took */
async function timed(method: string, p: string, opts: Parameters<RunningApi['call']>[2] = {}) {
  const started = Date.now();
  const r = await api.call(method, p, opts);
  return { ...r, ms: Date.now() - started };
}

function expectUnavailable(r: Awaited<ReturnType<typeof timed>>, what: string) {
  expect([what, r.status, r.body?.type]).toEqual([what, 503, 'urn:iso20k-flow:problem:database-unavailable']);
  expect([what, r.headers.get('retry-after')]).toEqual([what, '5']);
  expect([what, r.ms]).toEqual([what, expect.any(Number)]);
  expect([what, r.ms < 2_000, r.ms]).toEqual([what, true, r.ms]);
}

async function outage(n: string) {
  expectUnavailable(await timed('GET', '/incidents', { key: agent }), 'a list');
  expectUnavailable(await timed('GET', `/incidents/${n}`, { key: agent }), 'one incident');
  expectUnavailable(await timed('POST', '/incidents', { key: agent, body: incident }), 'a create');
  // a key never seen is looked up in the database: no 401 for it, the truth
  expectUnavailable(await timed('GET', '/incidents', { key: 'isk_never_seen_before_0000000000' }), 'an unknown key');
  // liveness with a key touches nothing; readiness says what is down, in time
  const live = await timed('GET', '/healthz', { key: agent });
  expect([live.status, live.ms < 500]).toEqual([200, true]);
  const ready = await timed('GET', '/readyz');
  expect([ready.status, ready.body.checks.database.ok, ready.ms < 2_000]).toEqual([503, false, true]);
}

async function recovered(n: string) {
  await eventually(async () => expect((await api.call('GET', `/incidents/${n}`, { key: agent })).status).toBe(200), 30_000);
  expect((await api.call('POST', `/incidents/${n}/assign`, { key: agent, body: { group: 'network' } })).status).toBe(200);
  await eventually(async () => expect((await api.call('GET', '/readyz')).status).toBe(200), 30_000);
}

it('answers 503 within 2 s while the database is gone, and recovers by itself when it is back', async () => {
  const opened = await api.call('POST', '/incidents', { key: agent, body: incident });
  expect(opened.status).toBe(201);
  const n = opened.body.number as string;
  await db.stop();
  await outage(n);
  db = await startDatabase({ dataDir: dir, port, dbName });
  await recovered(n);
}, 120_000);

it('answers 503 within 2 s while the database hangs, and recovers when it answers again', async () => {
  const opened = await api.call('POST', '/incidents', { key: agent, body: incident });
  expect(opened.status).toBe(201);
  const n = opened.body.number as string;
  process.kill(db.pid!, 'SIGSTOP');
  try {
    await outage(n);
  } finally {
    process.kill(db.pid!, 'SIGCONT');
  }
  await recovered(n);
}, 120_000);

it('answers a create and a command 503 within the deadline when Temporal cannot be reached, not 500', async () => {
  // an API whose Temporal is a port nothing listens on
  const nowhere = await Connection.connect({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 500 }).catch(() => null);
  const connection = nowhere ?? Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
  const client = new Client({ connection });
  const app = createApp({ models: api.apiModels, client, logger: pino({ level: 'silent' }), taskQueue: api.taskQueue, checkResponses: true });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const send = async (p: string, body: unknown) => {
      const started = Date.now();
      const r = await fetch(url + p, { method: 'POST', headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, body: await r.json(), ms: Date.now() - started };
    };
    const create = await send('/incidents', incident);
    expect([create.status, create.body.type]).toEqual([503, 'urn:iso20k-flow:problem:process-unavailable']);
    expect(create.ms).toBeLessThan(COMMAND_DEADLINE_MS + 2_000);
    const opened = (await api.call('POST', '/incidents', { key: agent, body: incident })).body.number as string;
    const command = await send(`/incidents/${opened}/assign`, { group: 'network' });
    expect([command.status, command.body.type]).toEqual([503, 'urn:iso20k-flow:problem:process-unavailable']);
    expect(command.ms).toBeLessThan(COMMAND_DEADLINE_MS + 2_000);
  } finally {
    await new Promise((resolve) => server.close(resolve));
    // the connection is left open: the client's retries of the calls cut at the deadline run on until
    // their gRPC deadline, and would fail loudly on a closed channel (in whichever test runs then)
  }
}, 60_000);
