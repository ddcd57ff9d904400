/**
 * The product at a real desk's size, on one machine, in one run (not part of `npm test`):
 *   npm run bench:scale [-- --incidents 100000 --open 10000 --seconds 20 --concurrency 1,4,16,32]
 *
 * Starts its own embedded stack (FerretDB, the Temporal dev server) and runs the product's worker
 * and API as processes of their own, beside a baseline worker: a plain workflow taking the same
 * seven updates with one regular activity each (bench/baseline). Then:
 *   1. command latency on an empty database;
 *   2. seeds a desk's year (stack/seed.ts): closed history imported, open cases through workflows;
 *   3. read latencies at that size: one incident, lists (open by state, priority, group, assignee,
 *      breach; first page and next pages by cursor; closed within one month), history;
 *   4. throughput of whole incident lifecycles through the API at several concurrencies, and the
 *      baseline's on the same servers; then both at half their maximum rate;
 *   5. opens cases until `--open` are open with short SLA targets, samples the worker's memory and
 *      checks that every clock fires;
 * and prints one table.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import mongoose from 'mongoose';
import { createModels } from '../models';
import { prepareDatabase } from '../models/migrate';
import { findIndexed } from '../models/query';
import { TASK_QUEUE, workerTuning } from '../stack/config';
import { startDatabase } from '../stack/database';
import { freePort, waitFor } from '../stack/process';
import { seedDesk, deskOf } from '../stack/seed';
import { startTemporal } from '../stack/temporal';
import { baselineIncident, step } from './baseline/workflow';
import { closedLoop, CpuMeter, fmt, openLoop, percentile, rssMiB, Samples, timed, rng } from './load';

const ROOT = path.resolve(__dirname, '..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
};
const INCIDENTS = Number(arg('incidents', '100000'));
const OPEN = Number(arg('open', '10000'));
const SECONDS = Number(arg('seconds', '20'));
const CONCURRENCY = arg('concurrency', '1,4,16,32').split(',').map(Number);
/** which parts run: all by default; `--phases memory` seeds and measures memory only */
const PHASES = new Set(arg('phases', 'commands,reads,throughput,memory').split(','));
/** extra V8 flags for the worker process, e.g. `--worker-node-options=--max-old-space-size=512` */
const WORKER_NODE_OPTIONS = arg('worker-node-options', '');
const ADMIN = 'isk_bench_admin_key_0123456789abcdef';
const STEPS = ['open', 'assign', 'start', 'hold', 'resume', 'resolve', 'confirm'] as const;

const out: string[] = [];
const say = (line: string) => {
  process.stdout.write(`${line}\n`);
  out.push(line);
};
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

function node(file: string, env: Record<string, string>, logFile: string, flags: string[] = []): ChildProcess {
  const fd = fs.openSync(logFile, 'a');
  // node with tsx's loader, not the tsx wrapper: one process to measure, not two
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', path.join(ROOT, file)], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  return child;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iso20k-scale-'));
  log(`working in ${dir}`);
  const [db, temporal] = await Promise.all([
    startDatabase({ dataDir: path.join(dir, 'db'), dbName: 'scale' }),
    startTemporal({ dbFile: path.join(dir, 'temporal.db'), logDir: dir }),
  ]);
  const apiPort = await freePort();
  const env = { MONGODB_URI: db.uri, TEMPORAL_ADDRESS: temporal.address, ADMIN_API_KEY: ADMIN, RATE_LIMIT_PER_KEY: '0' };
  const worker = node('worker/worker.ts', { ...env, METRICS_PORT: String(await freePort()) }, path.join(dir, 'worker.log'), WORKER_NODE_OPTIONS ? WORKER_NODE_OPTIONS.split(' ') : []);
  const api = node('api/server.ts', { ...env, PORT: String(apiPort) }, path.join(dir, 'api.log'));
  const baseline = node('bench/baseline/worker.ts', env, path.join(dir, 'baseline.log'));
  const children = [worker, api, baseline];
  const stopAll = async () => {
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 2000));
    await temporal.stop();
    await db.stop();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));

  const url = `http://127.0.0.1:${apiPort}`;
  await waitFor('the API', async () => (await fetch(`${url}/readyz`)).status === 200, undefined, 180_000);
  const conn = await mongoose.createConnection(db.uri).asPromise();
  const models = createModels(conn);
  await prepareDatabase(models);
  const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  const pids = { FerretDB: db.pid!, Temporal: temporal.pid!, worker: worker.pid!, API: api.pid!, baseline: baseline.pid!, driver: process.pid };
  const cpu = new CpuMeter(pids);

  // ---- people ----
  const call = async (method: string, p: string, key: string, body?: unknown) => {
    const res = await fetch(url + p, { method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const key = async (name: string, roles: string[], groups: string[] = []) => (await call('POST', '/api-keys', ADMIN, { name, roles, groups })).body.key as string;
  const agent = await key('bench-agent', ['agent'], ['bench']);
  const caller = await key('bench-caller', ['requester']);
  const reader = await key('bench-reader', ['auditor']);
  // the seeded desk names services and CIs as free text (stack/seed.ts does not register them in the portfolio and the CMDB)
  await call('PUT', '/policies/references', ADMIN, { freeText: { incident: true, problem: true, change: true } });

  // ---- one incident's life through the API, seven human steps ----
  const lifecycle = (samples: Samples) => async (): Promise<number> => {
    const expect = async (name: string, p: string, k: string, body: unknown, status = 200) => {
      const r = await timed(samples, name, () => call('POST', p, k, body));
      if (r.status !== status) {
        samples.fail(`${name} ${r.status}`);
        throw new Error(`${name}: ${r.status} ${JSON.stringify(r.body)}`);
      }
      return r.body;
    };
    try {
      const n = (await expect('open', '/incidents', agent, { title: 'bench', description: 'load', caller: 'bench-caller', service: 'service-01', configurationItem: 'ci-0001', category: 'software', impact: 3, urgency: 3 }, 201)).number as string;
      await expect('assign', `/incidents/${n}/assign`, agent, { group: 'bench', assignee: 'bench-agent' });
      await expect('start', `/incidents/${n}/start`, agent, {});
      await expect('hold', `/incidents/${n}/hold`, agent, { reason: 'waiting for the caller' });
      await expect('resume', `/incidents/${n}/resume`, agent, {});
      await expect('resolve', `/incidents/${n}/resolve`, agent, { resolutionCode: 'fixed', resolution: 'done' });
      await expect('confirm', `/incidents/${n}/confirm`, caller, {});
      return 7;
    } catch {
      return 0;
    }
  };
  let baselineN = 0;
  const baselineLifecycle = (samples: Samples) => async (): Promise<number> => {
    const number = `BASE${String(++baselineN).padStart(9, '0')}`;
    const states = ['new', 'assigned', 'in_progress', 'on_hold', 'in_progress', 'resolved', 'closed'];
    try {
      const op = new WithStartWorkflowOperation(baselineIncident, { workflowId: number, taskQueue: 'baseline', args: [number], workflowIdConflictPolicy: 'FAIL' });
      await timed(samples, 'open', () => client.workflow.executeUpdateWithStart(step, { args: [{ action: 'open', to: 'new', by: 'bench' }], startWorkflowOperation: op }));
      const h = client.workflow.getHandle(number);
      for (let i = 1; i < 7; i++) await timed(samples, STEPS[i], () => h.executeUpdate(step, { args: [{ action: STEPS[i], to: states[i], by: 'bench' }] }));
      return 7;
    } catch (err) {
      samples.fail(String((err as Error).name));
      return 0;
    }
  };

  // ---- 1. commands on an empty database (after a warm-up: the first cases compile the code paths) ----
  const empty = new Samples();
  if (PHASES.has('commands')) {
    log('warming up');
    await closedLoop(1, 5, lifecycle(new Samples()));
    log('commands on an empty database');
    await closedLoop(1, SECONDS, lifecycle(empty));
  }

  // ---- 2. a desk's year ----
  log(`seeding ${INCIDENTS} incidents`);
  const seedStart = Date.now();
  const seeded = await seedDesk(models, client, TASK_QUEUE, { incidents: INCIDENTS, open: Math.min(OPEN, Math.round(INCIDENTS * 0.05)), groups: 20, services: 50, cis: 2000, seed: 1 }, log);
  const seedSeconds = (Date.now() - seedStart) / 1000;
  const auditEntries = await countAll(models.Audit.collection.collectionName);

  // ---- 3. reads at that size ----
  const desk = deskOf({ incidents: INCIDENTS, groups: 20, services: 50, cis: 2000, seed: 1 });
  const r = rng(7);
  const reads = new Samples();
  const closedNumbers = await findIndexed<{ _id: string }>(models.Incident, { open: false }, { sort: [['_id', -1]], limit: 5000, projection: { _id: 1 } });
  const get = async (name: string, p: string) => {
    const res = await timed(reads, name, () => call('GET', p, reader));
    if (res.status !== 200) reads.fail(`${name} ${res.status}`);
    return res.body;
  };
  const pages = async (name: string, p: string, n = 3) => {
    let body = await get(`${name} (first page)`, p);
    for (let i = 0; i < n && body?.next; i++) body = await get(`${name} (next page)`, `${p}&cursor=${body.next}`);
  };
  for (let i = 0; PHASES.has('reads') && i < 200; i++) {
    await get('GET /incidents/{n} (closed)', `/incidents/${r.pick(closedNumbers)._id}`);
    await get('GET /incidents/{n} (open)', `/incidents/${r.pick(seeded.open)}`);
    await get('GET /incidents/{n}/history', `/incidents/${r.pick(closedNumbers)._id}/history`);
  }
  for (let i = 0; PHASES.has('reads') && i < 40; i++) {
    await pages('open by state', `/incidents?state=${r.pick(['new', 'assigned', 'in_progress', 'on_hold', 'resolved'])}&limit=50`);
    await pages('open by priority', `/incidents?open=true&priority=${r.pick(['P1', 'P2', 'P3', 'P4'])}&limit=50`);
    await pages('open by group', `/incidents?open=true&group=${r.pick(desk.groups)}&limit=50`);
    await pages('open by assignee', `/incidents?open=true&assignee=${r.pick(desk.agents).name}&limit=50`);
    await pages('open and breached', `/incidents?open=true&breached=true&limit=50`);
    const month = new Date(Date.now() - (1 + r.int(10)) * 30 * 86_400_000);
    const from = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth(), 1));
    const to = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1));
    await pages('closed within one month', `/incidents?closedFrom=${from.toISOString()}&closedBefore=${to.toISOString()}&limit=50`);
  }

  // ---- 4. throughput: product through the API, baseline through Temporal ----
  const runs: Array<{ who: string; c: number; stepsPerSec: number; samples: Samples; cpu: Record<string, number>; steps: number }> = [];
  for (const [who, scenario] of [['product', lifecycle], ['baseline', baselineLifecycle]] as const) {
    for (const c of PHASES.has('throughput') ? CONCURRENCY : []) {
      log(`${who} at concurrency ${c}`);
      const samples = new Samples();
      cpu.begin();
      const done = await closedLoop(c, SECONDS, scenario(samples));
      runs.push({ who, c, stepsPerSec: (done.steps * 1000) / done.ms, samples, cpu: cpu.end(), steps: done.steps });
    }
  }
  const best = (who: string) => runs.filter((x) => x.who === who).reduce((a, b) => (b.stepsPerSec > a.stepsPerSec ? b : a));
  const half: Record<string, { samples: Samples; rate: number }> = {};
  for (const [who, scenario] of PHASES.has('throughput') ? ([['product', lifecycle], ['baseline', baselineLifecycle]] as const) : []) {
    const rate = best(who).stepsPerSec / 2;
    log(`${who} at half its maximum: ${rate.toFixed(1)} steps/s`);
    const samples = new Samples();
    await openLoop(rate / 7, SECONDS, scenario(samples));
    half[who] = { samples, rate };
  }

  // ---- 5. many open cases with armed clocks ----
  const memory = PHASES.has('memory') ? await manyOpenCases(models, worker.pid!, call, OPEN, log) : [];

  // ---- the table ----
  const p = percentile;
  say('');
  say(`# iso20k-flow at a desk's size — ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
  say(`database: ${db.label}; Temporal: ${temporal.label}; worker: cache of ${workerTuning().maxCachedWorkflows} workflows, workflow heap ${workerTuning().workflowHeapMiB} MiB${WORKER_NODE_OPTIONS ? `, ${WORKER_NODE_OPTIONS}` : ''}`);
  say(`seeded ${seeded.closed} closed + ${seeded.open.length} open incidents in ${seedSeconds.toFixed(0)} s; ${auditEntries} audit entries in all`);
  if (runs.length) {
    say('');
    say('## Throughput: whole incident lifecycles (7 human steps each)');
    say('| run | concurrency | steps/s | p50 ms | p95 ms | p99 ms | errors | CPU ms per step: FerretDB / Temporal / worker / API / driver |');
    say('|---|---:|---:|---:|---:|---:|---:|---|');
    for (const x of runs) {
      const all = x.samples.all();
      const per = (k: string) => fmt(x.cpu[k] / Math.max(1, x.steps));
      const cpuCol = x.who === 'product' ? `${per('FerretDB')} / ${per('Temporal')} / ${per('worker')} / ${per('API')} / ${per('driver')}` : `${per('FerretDB')} / ${per('Temporal')} / ${per('baseline')} (worker) / – / ${per('driver')}`;
      say(`| ${x.who} | ${x.c} | ${x.stepsPerSec.toFixed(1)} | ${fmt(p(all, 50))} | ${fmt(p(all, 95))} | ${fmt(p(all, 99))} | ${x.samples.errors} | ${cpuCol} |`);
    }
    const ratio = best('product').stepsPerSec / best('baseline').stepsPerSec;
    say('');
    say(`maximum: product ${best('product').stepsPerSec.toFixed(1)} steps/s (concurrency ${best('product').c}), baseline ${best('baseline').stepsPerSec.toFixed(1)} (concurrency ${best('baseline').c}): ratio **${ratio.toFixed(2)}** (target ≥ 0.70)`);
    say('');
    say('## At half the maximum rate (open loop), per command');
    say('| command | product p50 | p95 | p99 | baseline p50 | p95 | p99 | p99 ratio |');
    say('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const s of STEPS) {
      const a = half.product.samples.of(s);
      const b = half.baseline.samples.of(s);
      say(`| ${s} | ${fmt(p(a, 50))} | ${fmt(p(a, 95))} | ${fmt(p(a, 99))} | ${fmt(p(b, 50))} | ${fmt(p(b, 95))} | ${fmt(p(b, 99))} | ${(p(a, 99) / p(b, 99)).toFixed(2)} |`);
    }
    const pa = half.product.samples.all();
    const pb = half.baseline.samples.all();
    say(`| all | ${fmt(p(pa, 50))} | ${fmt(p(pa, 95))} | ${fmt(p(pa, 99))} | ${fmt(p(pb, 50))} | ${fmt(p(pb, 95))} | ${fmt(p(pb, 99))} | **${(p(pa, 99) / p(pb, 99)).toFixed(2)}** (target ≤ 2) |`);
    say(`rates: product ${half.product.rate.toFixed(1)} steps/s (${half.product.samples.errors} errors), baseline ${half.baseline.rate.toFixed(1)} (${half.baseline.samples.errors} errors)`);
    say('');
    const atSize = runs.find((x) => x.who === 'product' && x.c === 1) ?? runs.find((x) => x.who === 'product')!;
    say(`## Commands: empty database vs ${INCIDENTS.toLocaleString('en')} incidents (concurrency 1 / ${atSize.c})`);
    say('| command | empty p50 | p95 | at size p50 | p95 |');
    say('|---|---:|---:|---:|---:|');
    for (const s of STEPS) say(`| ${s} | ${fmt(p(empty.of(s), 50))} | ${fmt(p(empty.of(s), 95))} | ${fmt(p(atSize.samples.of(s), 50))} | ${fmt(p(atSize.samples.of(s), 95))} |`);
  }
  if (reads.names().length) {
    say('');
    say(`## Reads at ${INCIDENTS.toLocaleString('en')} incidents (sequential; targets: one case p95 ≤ 20 ms, lists ≤ 100 ms, history ≤ 50 ms)`);
    say('| read | n | p50 ms | p95 ms | p99 ms |');
    say('|---|---:|---:|---:|---:|');
    for (const name of reads.names()) {
      const v = reads.of(name);
      say(`| ${name} | ${v.length} | ${fmt(p(v, 50))} | ${fmt(p(v, 95))} | ${fmt(p(v, 99))} |`);
    }
    if (reads.errors) say(`read errors: ${JSON.stringify(Object.fromEntries(reads.errorKinds))}`);
  }
  if (memory.length) {
    say('');
    say(`## ${OPEN.toLocaleString('en')} open incidents with armed clocks`);
    for (const line of memory) say(line);
  }
  fs.writeFileSync(path.join(ROOT, 'bench', 'scale-results.md'), out.join('\n') + '\n');
  log('written to bench/scale-results.md');

  await conn.close();
  await stopAll();
  process.exit(0);

  async function countAll(collection: string): Promise<number> {
    const res = await conn.db!.command({ count: collection, query: {} });
    return res.n as number;
  }
}

/**
 * Opens cases until `target` are open, on an SLA policy version whose response targets fall due
 * within minutes (24x7), samples the worker's memory while they wait and while every clock warns
 * and breaches, and checks each of the new cases recorded both.
 */
async function manyOpenCases(
  models: ReturnType<typeof createModels>,
  workerPid: number,
  call: (method: string, p: string, key: string, body?: unknown) => Promise<{ status: number; body: any }>,
  target: number,
  log: (l: string) => void,
): Promise<string[]> {
  const lines: string[] = [];
  const admin = ADMIN;
  // a policy is sent back as read, less what GET adds to it
  const { version: _v, updatedAt: _a, updatedBy: _b, ...current } = (await call('GET', '/policies/incident-sla', admin)).body;
  const fast = { ...current, targets: Object.fromEntries(Object.entries(current.targets as Record<string, object>).map(([k, t]) => [k, { ...t, responseMinutes: 3, resolutionMinutes: 600, calendarId: '24x7' }])) };
  const w = await call('PUT', '/policies/incident-sla', admin, fast);
  if (w.status !== 200) throw new Error(`could not shorten the SLA targets: ${w.status} ${JSON.stringify(w.body)}`);
  const open = (await call('GET', '/incidents?open=true&limit=1', admin)).body.total as number;
  const toOpen = Math.max(0, target - open);
  const rssBefore = rssMiB(workerPid);
  const samples: Array<[number, number]> = [];
  const t0 = Date.now();
  const sampler = setInterval(() => samples.push([(Date.now() - t0) / 1000, rssMiB(workerPid)]), 5000);
  const opened: string[] = [];
  let next = 0;
  const agentKey = (await call('POST', '/api-keys', admin, { name: 'bench-opener', roles: ['agent'], groups: [] })).body.key as string;
  await call('PUT', '/policies/references', admin, { freeText: { incident: true, problem: true, change: true } });
  const refused = new Map<string, number>();
  const late: string[] = [];
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (let k = next++; k < toOpen; k = next++) {
      // spread over the desk's CIs, as a day's incidents are (one CI for all would be a mass event)
      const ci = `ci-${String(1 + (k % 2000)).padStart(4, '0')}`;
      const r = await call('POST', '/incidents', agentKey, { title: 'clock', description: 'armed', caller: 'bench-caller', service: 'service-02', configurationItem: ci, category: 'software', impact: 3, urgency: 3 });
      if (r.status === 201) opened.push(r.body.number);
      // a 503 naming its number: opened, but its workflow answered after the deadline (checked below)
      else if (r.status === 503 && r.body?.number) late.push(r.body.number);
      else refused.set(`${r.status} ${r.body?.type ?? ''}`, (refused.get(`${r.status} ${r.body?.type ?? ''}`) ?? 0) + 1);
      if (opened.length % 1000 === 0) log(`opened ${opened.length} of ${toOpen}`);
    }
  }));
  const openedSeconds = (Date.now() - t0) / 1000;
  // a late answer is still a case: it must be recorded and its clocks must fire like the others
  const lateRecorded = (await Promise.all(late.map((n) => models.Incident.collection.findOne({ _id: n as never }, { projection: { _id: 1 } })))).filter(Boolean).length;
  opened.push(...late);
  const rssOpened = rssMiB(workerPid);
  log(`opened ${opened.length}; waiting for their clocks (3-minute response target: warning at 75%, breach at 100%)`);
  const deadline = Date.now() + 10 * 60_000;
  let fired = 0;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 15_000));
    fired = 0;
    for (let i = 0; i < opened.length; i += 200) {
      const batch = opened.slice(i, i + 200);
      const counts = await Promise.all(batch.map(async (n) => (await findIndexed(models.Audit, { caseId: n }, { sort: [['seq', 1]], limit: 50, projection: { action: 1 } })).filter((e) => e.action === 'sla_warning' || e.action === 'sla_breach').length));
      fired += counts.filter((c) => c >= 2).length;
    }
    log(`${fired} of ${opened.length} cases have warned and breached`);
    if (fired === opened.length) break;
  }
  await new Promise((r) => setTimeout(r, 10_000));
  clearInterval(sampler);
  const rssAfter = rssMiB(workerPid);
  const max = Math.max(...samples.map(([, v]) => v), rssAfter);
  lines.push(`open before: ${open}; opened now: ${opened.length} in ${openedSeconds.toFixed(0)} s (${late.length} answered 503 after the deadline, ${lateRecorded} of them recorded by then); open in all: ${open + opened.length}${refused.size ? `; refused: ${JSON.stringify(Object.fromEntries(refused))}` : ''}`);
  lines.push(`worker RSS: ${rssBefore.toFixed(0)} MiB before, ${rssOpened.toFixed(0)} MiB with all open, ${rssAfter.toFixed(0)} MiB after every clock fired; peak ${max.toFixed(0)} MiB (target ≤ 1024)`);
  lines.push(`worker RSS per open case (opening): ${(((rssOpened - rssBefore) * 1024) / Math.max(1, opened.length)).toFixed(0)} KiB`);
  lines.push(`clocks: ${fired} of ${opened.length} new cases recorded their response warning and breach`);
  lines.push(`RSS samples (s: MiB): ${samples.map(([t, v]) => `${t.toFixed(0)}: ${v.toFixed(0)}`).join(', ')}`);
  await call('PUT', '/policies/incident-sla', admin, current);
  return lines;
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
