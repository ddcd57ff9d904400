/**
 * The fault suite (`npm run test:faults`, not part of `npm test`): starts `npm start` on free ports
 * and a data folder of its own, drives a bounded concurrent load of incident lifecycles and
 * service requests from clients that retry (every create and command with an Idempotency-Key, sent
 * again on a network error, a 5xx or a 429), and in turn kills the worker, the API, Temporal and
 * the database, hangs the database for 30 s, and interrupts the whole stack (then starts it again).
 * After each it checks, from the database and Temporal themselves: every acknowledged write is
 * there exactly once, every history runs 1..n without a gap, every record agrees with its
 * workflow, and every open incident still has a timer armed. It prints a table and exits 1 when
 * anything was lost, duplicated or inconsistent.
 *
 *   npm run test:faults [-- --clients 8 --seconds 20 --only worker,api]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { alive, freePorts, interrupt, launch, pidOf, sleep, type Launched, type Ports } from '../support/launch';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '20' },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const CLIENTS = Number(args.clients);
const LOAD_SECONDS = Number(args.seconds);
const ADMIN = 'isk_fault_suite_admin_key_0000000000';
const GIVE_UP_MS = 180_000;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iso20k-faults-'));
const data = path.join(dir, 'data');
let ports: Ports;
let stack: Launched;
let api: string;

// ---------------------------------------------------------------- a client that retries

interface Answer {
  status: number;
  body: any;
}
let unanswered = 0;
/** creates and commands answered for good with a 4xx: none expected (each would be a finding to read) */
let refused: string[] = [];

/** Sends until answered for good: 2xx, or a 4xx other than 429 and a key still in use. Null when it gave up. */
async function send(method: string, p: string, key: string, body?: unknown, idem?: string): Promise<Answer | null> {
  const giveUp = Date.now() + GIVE_UP_MS;
  for (let attempt = 0; Date.now() < giveUp; attempt++) {
    let wait = Math.min(2_000, 100 * 2 ** attempt);
    try {
      const r = await fetch(api + p, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(idem ? { 'idempotency-key': idem } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await r.text();
      const parsed = text ? JSON.parse(text) : undefined;
      const inUse = r.status === 409 && parsed?.type?.endsWith('idempotency-key-in-use');
      if (r.status < 500 && r.status !== 429 && !inUse) {
        if (method === 'POST' && r.status >= 400) refused.push(`${p.replace(/\d{7,}/g, 'N')} ${r.status} ${parsed?.detail ?? ''}`);
        return { status: r.status, body: parsed };
      }
      const after = Number(r.headers.get('retry-after'));
      if (after > 0) wait = Math.min(after * 1000, 5_000);
    } catch {
      /* refused, reset, timed out: the same request again */
    }
    await sleep(wait);
  }
  unanswered += 1;
  return null;
}

// ---------------------------------------------------------------- the load

interface Ack {
  /** what the client was told was done: a create (its case number) or a command (its note) */
  kind: 'incident' | 'request' | 'command';
  token: string;
  number: string;
  /** the note the command leaves in the case's history */
  note?: string;
}

let agent: string;
let requester: string;
let item: string;

async function incidentJourney(token: string, acks: Ack[], resolve: boolean) {
  const opened = await send('POST', '/incidents', agent, { title: `fault ${token}`, description: 'fault suite', caller: 'bob', service: 'VPN', configurationItem: 'vpn-gw-1', category: 'network', impact: 3, urgency: 3 }, `${token}:open`);
  if (opened?.status !== 201) return;
  const n = opened.body.number as string;
  acks.push({ kind: 'incident', token, number: n });
  const steps: Array<[string, Record<string, unknown>, string]> = [
    ['assign', { group: 'network', note: `${token} assign` }, `${token} assign`],
    ['start', { note: `${token} start` }, `${token} start`],
    ...(resolve ? [['resolve', { resolutionCode: 'fixed', resolution: `${token} resolve` }, `${token} resolve`] as [string, Record<string, unknown>, string]] : []),
  ];
  for (const [command, body, note] of steps) {
    const r = await send('POST', `/incidents/${n}/${command}`, agent, body, `${token}:${command}`);
    if (r?.status !== 200) return;
    acks.push({ kind: 'command', token, number: n, note });
  }
}

async function requestJourney(token: string, acks: Ack[]) {
  const made = await send('POST', '/requests', requester, { catalogItem: item, fields: { ref: token } }, `${token}:request`);
  if (made?.status !== 201) return;
  const n = made.body.number as string;
  acks.push({ kind: 'request', token, number: n });
  // its fulfilment task, once it is open
  let task: string | undefined;
  for (let i = 0; i < 300 && !task; i++) {
    const r = await send('GET', `/requests/${n}`, agent);
    task = r?.body?.tasks?.find((t: { state: string }) => t.state === 'open')?.id;
    if (!task) await sleep(200);
  }
  if (!task) return;
  const done = await send('POST', `/tasks/${task}/complete`, agent, { outcome: 'done', fields: { notes: `${token} fulfil` } }, `${token}:complete`);
  if (done?.status !== 200) return;
  for (let i = 0; i < 300; i++) {
    const r = await send('GET', `/requests/${n}`, requester);
    if (r?.body?.state === 'fulfilled') break;
    await sleep(200);
  }
  const confirmed = await send('POST', `/requests/${n}/confirm`, requester, { note: `${token} confirm` }, `${token}:confirm`);
  if (confirmed?.status === 200) acks.push({ kind: 'command', token, number: n, note: `${token} confirm` });
}

/** Clients in a closed loop until `running()` says stop; each journey is finished, retries and all. */
async function load(phase: string, running: () => boolean, acks: Ack[]) {
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; running(); i++) {
        const token = `${phase}-c${c}-${i}`;
        if (i % 4 === 3) await requestJourney(token, acks);
        else await incidentJourney(token, acks, i % 2 === 0);
      }
    }),
  );
}

// ---------------------------------------------------------------- the checks

interface Findings {
  acked: number;
  lost: string[];
  duplicated: string[];
  gaps: string[];
  disagree: string[];
  unarmed: string[];
}

async function check(acks: Ack[], phase: string): Promise<Findings> {
  const mongo = new MongoClient(`mongodb://127.0.0.1:${ports.DB_PORT}/iso20k`);
  const connection = await Connection.connect({ address: `127.0.0.1:${ports.TEMPORAL_PORT}` });
  const temporal = new Client({ connection });
  const f: Findings = { acked: acks.length, lost: [], duplicated: [], gaps: [], disagree: [], unarmed: [] };
  try {
    const db = mongo.db();
    const incidents = await db.collection('incidents').find({ title: { $regex: `^fault ${phase}-` } }).toArray();
    const requests = (await db.collection('requests').find({}).toArray()).filter((r) => String(r.fields?.ref ?? '').startsWith(`${phase}-`));
    const byToken = new Map<string, number>();
    for (const i of incidents) byToken.set(String(i.title).slice('fault '.length), (byToken.get(String(i.title).slice('fault '.length)) ?? 0) + 1);
    for (const r of requests) byToken.set(String(r.fields.ref), (byToken.get(String(r.fields.ref)) ?? 0) + 1);
    // every case the phase made, acknowledged or not, exists at most once
    for (const [token, count] of byToken) if (count > 1) f.duplicated.push(`${token}: ${count} cases`);
    const cases = [...incidents, ...requests];
    const audit = db.collection('audit_trail');
    for (const a of acks) {
      if (a.kind !== 'command') {
        if (!byToken.get(a.token)) f.lost.push(`${a.kind} ${a.number} (${a.token})`);
        continue;
      }
      const entries = await audit.countDocuments({ caseId: a.number, note: a.note });
      if (entries === 0) f.lost.push(`${a.note} on ${a.number}`);
      if (entries > 1) f.duplicated.push(`${a.note} on ${a.number}: ${entries} entries`);
    }
    for (const c of cases) {
      const seqs = (await audit.find({ caseId: c._id }, { projection: { seq: 1 } }).toArray()).map((e) => e.seq as number).sort((x, y) => x - y);
      const expected = Array.from({ length: c.seq as number }, (_, i) => i + 1);
      if (JSON.stringify(seqs) !== JSON.stringify(expected)) f.gaps.push(`${c._id}: history ${seqs.length ? `${seqs[0]}..${seqs[seqs.length - 1]} (${seqs.length})` : 'empty'}, record at ${c.seq}`);
      const handle = temporal.workflow.getHandle(String(c._id));
      const d = await handle.describe();
      const running = d.status.name === 'RUNNING';
      const final = ['closed', 'cancelled', 'rejected'].includes(String(c.state));
      if (running === final) f.disagree.push(`${c._id}: record ${c.state}, workflow ${d.status.name}`);
      if (running && String(c._id).startsWith('INC')) {
        const held = await handle.query<{ state: string; seq: number }>('incident');
        if (held.state !== c.state || held.seq !== c.seq) f.disagree.push(`${c._id}: record ${c.state}#${c.seq}, workflow ${held.state}#${held.seq}`);
        // an open incident waits on a timer: its SLA clock's next alarm, or its auto-close
        const events = (await handle.fetchHistory()).events ?? [];
        const armed = new Set<string>();
        for (const e of events) {
          if (e.timerStartedEventAttributes) armed.add(e.timerStartedEventAttributes.timerId!);
          if (e.timerFiredEventAttributes) armed.delete(e.timerFiredEventAttributes.timerId!);
          if (e.timerCanceledEventAttributes) armed.delete(e.timerCanceledEventAttributes.timerId!);
        }
        if (armed.size === 0) f.unarmed.push(`${c._id} (${c.state})`);
      }
    }
  } finally {
    await connection.close();
    await mongo.close();
  }
  return f;
}

// ---------------------------------------------------------------- the faults

const child = (name: string) => pidOf(data, name);

interface Fault {
  id: string;
  name: string;
  inject: () => Promise<void>;
}

const FAULTS: Fault[] = [
  { id: 'worker', name: 'worker killed (SIGKILL)', inject: async () => void process.kill(child('worker'), 'SIGKILL') },
  { id: 'api', name: 'API killed (SIGKILL)', inject: async () => void process.kill(child('api'), 'SIGKILL') },
  {
    id: 'database',
    name: 'database hung for 30 s (SIGSTOP)',
    inject: async () => {
      const pid = child('ferretdb');
      process.kill(pid, 'SIGSTOP');
      await sleep(30_000);
      process.kill(pid, 'SIGCONT');
    },
  },
  { id: 'database-kill', name: 'database killed (SIGKILL)', inject: async () => void process.kill(child('ferretdb'), 'SIGKILL') },
  { id: 'temporal', name: 'Temporal killed (SIGKILL)', inject: async () => void process.kill(child('temporal'), 'SIGKILL') },
  {
    id: 'stack',
    name: 'whole stack interrupted (Ctrl-C), started again',
    inject: async () => {
      const code = await interrupt(stack);
      if (code !== 0) throw new Error(`npm start exited ${code} on Ctrl-C`);
      stack = await launch({ data, ports, adminKey: ADMIN });
    },
  },
];

/** Until a fresh keyed create and a command on it are answered, and /readyz says ready: the time the fault cost. */
async function recovered(since: number, phase: string): Promise<number> {
  for (let i = 0; ; i++) {
    const token = `${phase}-probe-${i}`;
    const opened = await send('POST', '/incidents', agent, { title: `probe ${token}`, description: 'probe', caller: 'bob', service: 'VPN', configurationItem: 'vpn-gw-1', category: 'network', impact: 3, urgency: 3 }, `${token}:open`);
    if (opened && opened.status !== 201) throw new Error(`the probe's create was refused: ${opened.status} ${JSON.stringify(opened.body)}`);
    const assigned = opened?.status === 201 ? await send('POST', `/incidents/${opened.body.number}/assign`, agent, { group: 'network' }, `${token}:assign`) : null;
    const ready = await fetch(`${api}/readyz`).then((r) => r.status === 200, () => false);
    if (assigned?.status === 200 && ready) return (Date.now() - since) / 1000;
    await sleep(250);
  }
}

async function main() {
  ports = await freePorts();
  process.stdout.write(`fault suite: ${CLIENTS} clients, ${LOAD_SECONDS} s of load around each fault; stack data in ${data}\n`);
  stack = await launch({ data, ports, adminKey: ADMIN });
  api = stack.api;
  const key = async (name: string, roles: string[], groups: string[] = []) =>
    (await send('POST', '/api-keys', ADMIN, { name, roles, groups }))!.body.key as string;
  agent = await key('fault-agent', ['agent'], ['network']);
  requester = await key('fault-requester', ['requester']);
  const owner = await key('fault-owner', ['process_owner']);
  // the service and the CI the incidents name, as a new installation wants them: in the portfolio and the CMDB
  await send('PUT', '/ci-classes/network_device', owner, { attributes: [] });
  await send('POST', '/cis', agent, { name: 'vpn-gw-1', class: 'network_device', owner: 'network' });
  await send('POST', '/services', owner, { name: 'VPN', owner: 'nina', status: 'live', configurationItems: ['vpn-gw-1'] });
  item = (await send('POST', '/catalog-items', owner, { name: 'Fault suite item', category: 'test', form: [{ name: 'ref', label: 'Reference', type: 'string' }], fulfilment: { mode: 'sequential', tasks: [{ title: 'Do it', group: 'network' }] } }))!.body.id;

  const only = args.only ? new Set(args.only.split(',')) : null;
  const rows: Array<Findings & { name: string; recovery: number; unanswered: number; refused: number }> = [];
  for (const fault of FAULTS.filter((x) => !only || only.has(x.id))) {
    const phase = `f${rows.length + 1}`;
    process.stdout.write(`\n${fault.name}: load …\n`);
    const acks: Ack[] = [];
    let loading = true;
    unanswered = 0;
    refused = [];
    const running = load(phase, () => loading, acks);
    await sleep(5_000);
    const at = Date.now();
    process.stdout.write(`${fault.name}: now\n`);
    await fault.inject();
    const recovery = await recovered(at, phase);
    process.stdout.write(`${fault.name}: recovered in ${recovery.toFixed(1)} s; load goes on …\n`);
    await sleep(Math.max(5_000, LOAD_SECONDS * 1000 - (Date.now() - at)));
    loading = false;
    await running; // each client finishes its journey, retries and all
    await sleep(2_000); // the last persist steps of what was just answered
    // persist steps that failed during the fault are retried (at most 10 s apart): a record may be a transition behind its case for that long
    const checkedFrom = Date.now();
    const since = (t: number) => ((t - checkedFrom) / 1000).toFixed(1);
    // a check reads every case of the phase one by one (seconds to a minute): the lag is told apart from the time checks take
    let findings = await check(acks, phase);
    let checks = 1;
    let lastBehindAt = -1;
    let lastCheckStart = checkedFrom;
    const firstCheck = Date.now() - checkedFrom;
    while ((findings.gaps.length || findings.disagree.length) && Date.now() - checkedFrom < 30_000) {
      lastBehindAt = lastCheckStart;
      await sleep(3_000);
      lastCheckStart = Date.now();
      findings = await check(acks, phase);
      checks += 1;
    }
    const behindNow = findings.gaps.length || findings.disagree.length;
    if (checks === 1 && !behindNow) process.stdout.write(`${fault.name}: records agreed with their cases at the first check after the load (${findings.acked} acknowledged; the check took ${(firstCheck / 1000).toFixed(1)} s)\n`);
    else if (!behindNow) process.stdout.write(`${fault.name}: records caught up with their cases after the load: some still behind at the check begun ${since(lastBehindAt)} s after it, none at the one begun ${since(lastCheckStart)} s after it (${checks} checks, the first took ${(firstCheck / 1000).toFixed(1)} s)\n`);
    else process.stdout.write(`${fault.name}: records still behind their cases at the check begun ${since(lastCheckStart)} s after the load (${checks} checks) — see below\n`);
    if (findings.gaps.length || findings.disagree.length) {
      // still a finding; whether the records are late or stuck is what tells the causes apart
      let later = findings;
      while ((later.gaps.length || later.disagree.length) && Date.now() - checkedFrom < 210_000) {
        await sleep(10_000);
        later = await check(acks, phase);
      }
      const behind = later.gaps.length + later.disagree.length;
      process.stdout.write(`${fault.name}: ${behind ? `${behind} still behind` : 'all caught up'} ${((Date.now() - checkedFrom) / 1000).toFixed(1)} s after the load (a finding all the same)\n`);
    }
    rows.push({ ...findings, name: fault.name, recovery, unanswered, refused: refused.length });
    for (const line of [...new Set(refused)].slice(0, 10)) process.stdout.write(`  refused: ${line}\n`);
    process.stdout.write(`${fault.name}: ${findings.acked} acknowledged, ${findings.lost.length} lost, ${findings.duplicated.length} duplicated\n`);
    for (const [what, list] of Object.entries({ lost: findings.lost, duplicated: findings.duplicated, gaps: findings.gaps, disagree: findings.disagree, unarmed: findings.unarmed })) {
      for (const line of list.slice(0, 10)) process.stdout.write(`  ${what}: ${line}\n`);
    }
  }
  await interrupt(stack);

  const head = ['fault', 'acknowledged', 'lost', 'duplicated', 'history gaps', 'record ≠ workflow', 'open without timer', 'gave up', 'refused (4xx)', 'recovered in'];
  const table = [head, ...rows.map((r) => [r.name, r.acked, r.lost.length, r.duplicated.length, r.gaps.length, r.disagree.length, r.unarmed.length, r.unanswered, r.refused, `${r.recovery.toFixed(1)} s`].map(String))];
  const widths = head.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  process.stdout.write('\n' + table.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n') + '\n');
  const bad = rows.some((r) => r.lost.length || r.duplicated.length || r.gaps.length || r.disagree.length || r.unarmed.length || r.unanswered || r.refused);
  // what the stack printed (warnings and errors of the worker, the API and the servers), kept with --keep
  fs.writeFileSync(path.join(dir, 'stack.log'), stack.output());
  if (!args.keep) fs.rmSync(dir, { recursive: true, force: true });
  else process.stdout.write(`kept: ${dir} (the stack's output in stack.log)\n`);
  process.exit(bad ? 1 : 0);
}

main().catch(async (err) => {
  process.stderr.write(`fault suite failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  if (stack && alive(stack.child.pid!)) await interrupt(stack).catch(() => undefined);
  process.exit(2);
});
