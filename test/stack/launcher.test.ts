/**
 * `npm start` owns its children: a child that dies is started again; Ctrl-C under load stops
 * everything in order, answering the requests in flight; the servers never outlive the launcher,
 * even one killed with SIGKILL; and a server a dead run left behind is stopped and replaced.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { FERRETDB } from '../../stack/paths';
import { alive, described, freePorts, interrupt, launch, pidOf as pidIn, sleep, until, type Ports } from '../support/launch';

const ADMIN = 'isk_launcher_test_admin_key_000000';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iso20k-launcher-'));
const data = path.join(dir, 'data');
const run = path.join(data, 'run');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let ports: Ports;
const start = async () => launch({ data, ports: (ports ??= await freePorts()), adminKey: ADMIN });
const pidOf = (name: string) => pidIn(data, name);
const ready = async (api: string) => (await fetch(`${api}/readyz`).catch(() => null))?.status === 200;

/**
 * A POST on a connection of its own (no keep-alive). A client that reuses an idle keep-alive
 * connection can send on it just as the server closes it (its keep-alive time ran out): no server
 * can prevent that reset, and clients retry with their Idempotency-Key (the fault suite does).
 * On a fresh connection, a reset is either a request the API read and dropped (a defect: the API
 * counts those and says so when it stops) or a connection the kernel had completed, still queued
 * for the API to accept, when the API stopped listening: the kernel resets those, and their request
 * was never read (no server can accept its queue and stop listening in one step).
 */
function postOnce(url: string, key: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const embedded = process.env.MONGODB_URI || process.env.TEMPORAL_ADDRESS ? it.skip : it;

embedded('starts a dead child again, and stops in order under load on Ctrl-C, answering every request in flight', async () => {
  const stack = await start();
  const children = Object.fromEntries(['ferretdb', 'temporal', 'worker', 'api'].map((n) => [n, pidOf(n)]));
  expect(stack.output()).toContain(`(pid ${children.api})`);
  expect(await ready(stack.api)).toBe(true);

  // the worker dies: it is started again, and the stack is ready again
  process.kill(children.worker, 'SIGKILL');
  await until('the worker is started again', () => stack.output().includes('worker exited (SIGKILL); starting it again in 1 s (restart 1)'));
  await until('a new worker runs', () => fs.existsSync(path.join(run, 'worker.json')) && pidOf('worker') !== children.worker && alive(pidOf('worker')), 60_000);
  await until('ready again', () => ready(stack.api), 60_000);
  children.worker = pidOf('worker');

  // load: eight clients opening incidents; then Ctrl-C, as a terminal sends it, to the whole group
  const agent = await (await fetch(`${stack.api}/api-keys`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'loader', roles: ['agent'], groups: ['network'] }) })).json();
  // the service and the CI the incidents name: in the portfolio and the CMDB, as a new installation wants them
  const asAdmin = (method: string, p: string, body: unknown) => fetch(`${stack.api}${p}`, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.status);
  expect(await asAdmin('PUT', '/ci-classes/network_device', {})).toBe(200);
  expect(await asAdmin('POST', '/cis', { name: 'vpn', class: 'network_device', owner: 'network' })).toBe(201);
  expect(await asAdmin('POST', '/services', { name: 'VPN', owner: 'nina', configurationItems: ['vpn'] })).toBe(201);
  const incident = JSON.stringify({ title: 'load', description: 'x', caller: 'bob', service: 'VPN', configurationItem: 'vpn', category: 'network', impact: 3, urgency: 3 });
  const outcomes: Record<string, number> = {};
  /** the first answer of each status other than 201, to say what went wrong */
  const answers: Record<string, string> = {};
  let loading = true;
  const users = Array.from({ length: 8 }, async () => {
    while (loading) {
      let outcome: string;
      try {
        const r = await postOnce(`${stack.api}/incidents`, agent.key, incident);
        outcome = String(r.status);
        if (r.status !== 201) answers[outcome] ??= r.text;
      } catch (err) {
        outcome = (err as { code?: string }).code ?? 'error';
      }
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (outcome === 'ECONNREFUSED') await sleep(20);
    }
  });
  await until('some load answered', () => (outcomes['201'] ?? 0) >= 10, 60_000);
  process.kill(-stack.child.pid!, 'SIGINT');
  await sleep(300);
  process.kill(-stack.child.pid!, 'SIGINT'); // an impatient second Ctrl-C changes nothing
  expect(await stack.exited).toBe(0);
  loading = false;
  await Promise.all(users);

  // every request that was accepted was answered: refused connections once the API stopped accepting, never a dropped one
  expect(Object.keys(outcomes).sort()).toEqual(expect.arrayContaining(['201']));
  const errors = stack.output().split('\n').filter((line) => line.includes('"level":50')).slice(0, 3);
  expect(Object.keys(outcomes).filter((o) => !['201', 'ECONNREFUSED', 'ECONNRESET'].includes(o)).map((o) => `${o}: ${answers[o] ?? ''} ${errors.join('\n')}`)).toEqual([]);
  const out = stack.output();
  // the API read every request it counted and answered each; a reset came only from the kernel's
  // queue at the moment the API stopped listening, at most one per client
  const told = /the API read (\d+) requests since it started: (\d+) answered, (\d+) dropped/.exec(out);
  expect(told).not.toBeNull();
  const [received, answered, dropped] = told!.slice(1).map(Number);
  expect({ dropped, answered }).toEqual({ dropped: 0, answered: received });
  expect(answered).toBeGreaterThanOrEqual(outcomes['201']);
  expect(outcomes.ECONNRESET ?? 0).toBeLessThanOrEqual(8);
  const said = out.split('\n').filter((line) => /^stopp(ing|ed)\b/.test(line));
  expect(said).toEqual(['stopping the API (answering the requests in flight) …', 'stopping the worker (draining its tasks) …', 'stopping Temporal …', 'stopping the database …', 'stopped']);
  expect(out).toContain('already stopping, in order');
  for (const [name, pid] of Object.entries(children)) expect([name, alive(pid)]).toEqual([name, false]);
  expect(fs.readdirSync(run)).toEqual([]);
}, 300_000);

embedded('leaves no server running when it is killed, and stops one a dead run left behind before it starts its own', async () => {
  const stack = await start();
  const children = ['ferretdb', 'temporal', 'worker', 'api'].map((n) => [n, pidOf(n)] as const);
  process.kill(stack.child.pid!, 'SIGKILL');
  // the servers get SIGTERM when the launcher dies (setpriv), the worker and the API see it gone
  for (const [name, pid] of children) {
    // on failure: what the process is doing, and what the stack said as it went (the API says why it stops)
    await until(`${name} gone`, () => !alive(pid), 30_000).catch((err: Error) => {
      throw new Error(`${err.message} (${described(pid)})\n${stack.output().split('\n').slice(-40).join('\n')}`);
    });
  }

  // a FerretDB left running on the database's port by a run that died, known by its pid file
  const stale = spawn(FERRETDB, ['--handler=sqlite', `--sqlite-url=file:${path.join(data, 'ferretdb')}/`, `--listen-addr=127.0.0.1:${ports.DB_PORT}`, `--state-dir=${path.join(data, 'ferretdb')}`, '--debug-addr=', '--telemetry=disable'], { detached: true, stdio: 'ignore' });
  fs.mkdirSync(run, { recursive: true });
  fs.writeFileSync(path.join(run, 'ferretdb.json'), JSON.stringify({ pid: stale.pid, command: FERRETDB }));
  await sleep(1000);
  expect(alive(stale.pid!)).toBe(true);

  const again = await start();
  try {
    expect(again.output()).toContain(`stopped ${path.basename(FERRETDB)} (pid ${stale.pid}), left running by a start that did not stop it`);
    expect(alive(stale.pid!)).toBe(false);
    expect(pidOf('ferretdb')).not.toBe(stale.pid);
    expect(again.output()).toMatch(/database {5}FerretDB .* \(pid \d+\)/);
    expect(await ready(again.api)).toBe(true);
  } finally {
    await interrupt(again);
  }
}, 300_000);
