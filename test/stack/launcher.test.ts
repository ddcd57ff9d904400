/**
 * `npm start` owns its children: a child that dies is started again; Ctrl-C under load stops
 * everything in order, answering the requests in flight; the servers never outlive the launcher,
 * even one killed with SIGKILL; and a server a dead run left behind is stopped and replaced.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FERRETDB, ROOT } from '../../stack/paths';
import { freePort } from '../../stack/process';

const ADMIN = 'isk_launcher_test_admin_key_000000';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iso20k-launcher-'));
const data = path.join(dir, 'data');
const run = path.join(data, 'run');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Launched {
  child: ChildProcess;
  output: () => string;
  api: string;
  ports: Record<string, number>;
}

let ports: Record<string, number>;

/** `npm start` as a terminal runs it: in a process group of its own, which Ctrl-C signals as a whole. */
async function launch(): Promise<Launched> {
  ports ??= { PORT: await freePort(), DB_PORT: await freePort(), TEMPORAL_PORT: await freePort(), TEMPORAL_UI_PORT: await freePort(), METRICS_PORT: await freePort() };
  const env: NodeJS.ProcessEnv = { ...process.env, ISO20K_DATA_DIR: data, ADMIN_API_KEY: ADMIN, LOG_LEVEL: 'warn', ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
  delete env.TEMPORAL_SDK_METRICS_ADDRESS;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'stack', 'start.ts')], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const started = Date.now();
  while (!out.includes('iso20k-flow is running')) {
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${out}`);
    if (Date.now() - started > 180_000) throw new Error(`npm start did not come up:\n${out}`);
    await sleep(200);
  }
  return { child, output: () => out, api: `http://127.0.0.1:${ports.PORT}`, ports };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const pidOf = (name: string): number => JSON.parse(fs.readFileSync(path.join(run, `${name}.json`), 'utf8')).pid;
async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms / 1000} s: ${what}`);
    await sleep(200);
  }
}
const ready = async (api: string) => (await fetch(`${api}/readyz`).catch(() => null))?.status === 200;

const embedded = process.env.MONGODB_URI || process.env.TEMPORAL_ADDRESS ? it.skip : it;

embedded('starts a dead child again, and stops in order under load on Ctrl-C, answering every request in flight', async () => {
  const stack = await launch();
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
  const incident = JSON.stringify({ title: 'load', description: 'x', caller: 'bob', service: 'VPN', configurationItem: 'vpn', category: 'network', impact: 3, urgency: 3 });
  const outcomes: Record<string, number> = {};
  let loading = true;
  const users = Array.from({ length: 8 }, async () => {
    while (loading) {
      let outcome: string;
      try {
        const r = await fetch(`${stack.api}/incidents`, { method: 'POST', headers: { authorization: `Bearer ${agent.key}`, 'content-type': 'application/json' }, body: incident });
        await r.text();
        outcome = String(r.status);
      } catch (err) {
        outcome = (err as { cause?: { code?: string } }).cause?.code ?? 'error';
      }
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (outcome === 'ECONNREFUSED') await sleep(20);
    }
  });
  await until('some load answered', () => (outcomes['201'] ?? 0) >= 10, 60_000);
  const exited = new Promise<number | null>((resolve) => stack.child.once('exit', (code) => resolve(code)));
  process.kill(-stack.child.pid!, 'SIGINT');
  await sleep(300);
  process.kill(-stack.child.pid!, 'SIGINT'); // an impatient second Ctrl-C changes nothing
  expect(await exited).toBe(0);
  loading = false;
  await Promise.all(users);

  // every request that was accepted was answered: refused connections once the API stopped accepting, never a dropped one
  expect(Object.keys(outcomes).sort()).toEqual(expect.arrayContaining(['201']));
  for (const outcome of Object.keys(outcomes)) expect(['201', 'ECONNREFUSED']).toContain(outcome);
  const out = stack.output();
  const said = out.split('\n').filter((line) => /^stopp(ing|ed)\b/.test(line));
  expect(said).toEqual(['stopping the API (answering the requests in flight) …', 'stopping the worker (draining its tasks) …', 'stopping Temporal …', 'stopping the database …', 'stopped']);
  expect(out).toContain('already stopping, in order');
  for (const [name, pid] of Object.entries(children)) expect([name, alive(pid)]).toEqual([name, false]);
  expect(fs.readdirSync(run)).toEqual([]);
}, 300_000);

embedded('leaves no server running when it is killed, and stops one a dead run left behind before it starts its own', async () => {
  const stack = await launch();
  const children = ['ferretdb', 'temporal', 'worker', 'api'].map((n) => [n, pidOf(n)] as const);
  process.kill(stack.child.pid!, 'SIGKILL');
  // the servers get SIGTERM when the launcher dies (setpriv), the worker and the API see it gone
  for (const [name, pid] of children) await until(`${name} gone`, () => !alive(pid), 30_000);

  // a FerretDB left running on the database's port by a run that died, known by its pid file
  const stale = spawn(FERRETDB, ['--handler=sqlite', `--sqlite-url=file:${path.join(data, 'ferretdb')}/`, `--listen-addr=127.0.0.1:${ports.DB_PORT}`, `--state-dir=${path.join(data, 'ferretdb')}`, '--debug-addr=', '--telemetry=disable'], { detached: true, stdio: 'ignore' });
  fs.mkdirSync(run, { recursive: true });
  fs.writeFileSync(path.join(run, 'ferretdb.json'), JSON.stringify({ pid: stale.pid, command: FERRETDB }));
  await sleep(1000);
  expect(alive(stale.pid!)).toBe(true);

  const again = await launch();
  try {
    expect(again.output()).toContain(`stopped ${path.basename(FERRETDB)} (pid ${stale.pid}), left running by a start that did not stop it`);
    expect(alive(stale.pid!)).toBe(false);
    expect(pidOf('ferretdb')).not.toBe(stale.pid);
    expect(again.output()).toMatch(/database {5}FerretDB .* \(pid \d+\)/);
    expect(await ready(again.api)).toBe(true);
  } finally {
    const exited = new Promise((resolve) => again.child.once('exit', resolve));
    process.kill(-again.child.pid!, 'SIGINT');
    await exited;
  }
}, 300_000);
