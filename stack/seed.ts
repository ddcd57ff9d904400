/**
 * Fills a stack with a service desk's year, for demos and benchmarks:
 *   npm run seed -- --incidents 100000 [--open 5000] [--groups 20] [--services 50] [--cis 2000] [--seed 1]
 * against the stack that MONGODB_URI and TEMPORAL_ADDRESS name (the embedded one by default).
 *
 * Closed cases (most of a year) are imported straight into the records and the audit trail,
 * marked `imported`, with clocks, assignments and a history shaped like the real ones; no workflow
 * runs for them. Open cases are opened through their workflows and moved through the open states,
 * so they hold live SLA clocks like any other: they are opened now, not in the past.
 */
import { nextNumber } from '../models/counter';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { businessMsBetween, type Calendar } from '../domain/calendar';
import { incidentNumber, type IncidentRecord } from '../domain/incident';
import { priorityOf, type PriorityMatrixBody } from '../domain/priority';
import { calendarIdFor, startClock, type Clock, type IncidentSlaBody } from '../domain/sla';
import type { Models } from '../models';
import { incidentStored } from '../models/incident';
import { latestPolicy } from '../models/policies';
import { incidentOpened, incidentUpdates, incidentWorkflow, type IncidentUpdate } from '../workflows/incident';

export interface DeskShape {
  incidents: number;
  /** how many of them are open (the rest are a year's closed history); 5% by default */
  open?: number;
  groups: number;
  services: number;
  cis: number;
  seed: number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const WORDS = 'user cannot reach the application after the change window error message appears intermittently on login the gateway times out and the queue backs up while the certificate renewal failed on the secondary node so traffic fails over slowly'.split(' ');

/** A small deterministic random source, so two runs seed the same desk. */
export function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(a: readonly T[]) => a[int(a.length)] };
}

/** The people, teams and things of a desk, derived from its shape. */
export function deskOf(shape: DeskShape) {
  const groups = Array.from({ length: shape.groups }, (_, i) => `group-${String(i + 1).padStart(2, '0')}`);
  const services = Array.from({ length: shape.services }, (_, i) => `service-${String(i + 1).padStart(2, '0')}`);
  const cis = Array.from({ length: shape.cis }, (_, i) => ({ id: `ci-${String(i + 1).padStart(4, '0')}`, service: services[i % services.length], group: groups[i % groups.length] }));
  const agents = groups.flatMap((g) => Array.from({ length: 10 }, (_, i) => ({ name: `${g}-agent-${i + 1}`, group: g })));
  const callers = Array.from({ length: 3000 }, (_, i) => `caller-${String(i + 1).padStart(4, '0')}`);
  return { groups, services, cis, agents, callers };
}

function text(r: ReturnType<typeof rng>, words: number): string {
  return Array.from({ length: words }, () => r.pick(WORDS)).join(' ');
}

const IMPACT_URGENCY: Array<[number, number, number]> = [
  // impact, urgency, weight (a desk's usual spread: few P1, most P3/P4)
  [1, 1, 1], [1, 2, 4], [2, 1, 4], [2, 2, 25], [1, 3, 6], [3, 1, 6], [2, 3, 24], [3, 2, 20], [3, 3, 10],
];
function impactUrgency(r: ReturnType<typeof rng>): [number, number] {
  let x = r.next() * 100;
  for (const [i, u, w] of IMPACT_URGENCY) if ((x -= w) < 0) return [i, u];
  return [3, 3];
}

function stoppedClock(name: Clock['name'], targetMs: number, calendar: Calendar, from: number, to: number): Clock {
  const used = businessMsBetween(calendar, from, to);
  const c = startClock(name, targetMs, { id: calendar.id, version: calendar.version }, from);
  return { ...c, usedMs: used, runningSince: null, stoppedAt: to, warnedAt: used >= targetMs * 0.75 ? from + Math.floor((to - from) * 0.75) : null, breachedAt: used > targetMs ? to : null };
}

interface Policies {
  matrix: { version: number; body: PriorityMatrixBody };
  sla: { version: number; body: IncidentSlaBody };
  calendars: Record<string, Calendar>;
}

async function loadPolicies(models: Models): Promise<Policies> {
  const matrix = await latestPolicy<PriorityMatrixBody>(models, 'priority-matrix', 'default');
  const sla = await latestPolicy<IncidentSlaBody>(models, 'incident-sla', 'default');
  const calendars: Record<string, Calendar> = {};
  for (const id of new Set([sla.body.calendarId, ...Object.values(sla.body.targets).map((t) => t.calendarId).filter((x): x is string => !!x)])) {
    const c = await latestPolicy<Omit<Calendar, 'id' | 'version'>>(models, 'calendar', id);
    calendars[id] = { ...c.body, id, version: c.version };
  }
  return { matrix, sla, calendars };
}

/** One closed incident of the past year, with its history, as the workflow would have left it. */
function closedIncident(i: number, openedAt: number, desk: ReturnType<typeof deskOf>, p: Policies, r: ReturnType<typeof rng>) {
  const number = incidentNumber(i);
  const ci = r.pick(desk.cis);
  const [impact, urgency] = impactUrgency(r);
  const priority = priorityOf(p.matrix.body, impact, urgency);
  const cal = p.calendars[calendarIdFor(p.sla.body, priority)];
  const target = p.sla.body.targets[priority];
  const agent = r.pick(desk.agents.filter((a) => a.group === ci.group));
  const caller = r.pick(desk.callers);
  const respondedAt = openedAt + Math.floor(r.next() * target.responseMinutes * 60_000 * 1.3);
  const held = r.next() < 0.25;
  const holdFrom = respondedAt + Math.floor(r.next() * 4 * HOUR);
  const holdTo = holdFrom + Math.floor(r.next() * DAY);
  const resolvedAt = (held ? holdTo : respondedAt) + Math.floor(r.next() * target.resolutionMinutes * 60_000 * 1.2);
  const confirmed = r.next() < 0.6;
  const closedAt = confirmed ? resolvedAt + Math.floor(r.next() * 2 * DAY) : resolvedAt + p.sla.body.autoCloseDays * DAY;
  const response = stoppedClock('response', target.responseMinutes * 60_000, cal, openedAt, respondedAt);
  let resolution = stoppedClock('resolution', target.resolutionMinutes * 60_000, cal, openedAt, resolvedAt);
  if (held) {
    const pausedMs = businessMsBetween(cal, holdFrom, holdTo);
    const used = Math.max(0, resolution.usedMs - pausedMs);
    resolution = { ...resolution, usedMs: used, pauses: [{ from: holdFrom, to: holdTo, reason: 'waiting for the caller' }], breachedAt: used > resolution.targetMs ? resolvedAt : null };
  }
  const title = `${ci.service}: ${text(r, 6)}`.slice(0, 200);
  const record: IncidentRecord = {
    title,
    description: text(r, 300),
    caller,
    service: ci.service,
    configurationItem: ci.id,
    category: ['network', 'hardware', 'software', 'access', 'database'][i % 5],
    impact,
    urgency,
    number,
    state: 'closed',
    priority,
    major: priority === 'P1',
    assignmentGroup: ci.group,
    assignee: agent.name,
    openedBy: agent.name,
    openedAt,
    resolvedAt,
    closedAt,
    resolutionCode: r.pick(['fixed', 'fixed', 'fixed', 'workaround', 'no_fault_found', 'user_error'] as const),
    resolution: text(r, 40),
    holdReason: null,
    reopenCount: 0,
    assignments: [{ group: ci.group, assignee: agent.name, from: openedAt, to: resolvedAt, businessMs: resolution.usedMs }],
    escalations: [],
    comments: [],
    knownErrors: [],
    policy: { priorityMatrix: p.matrix.version, incidentSla: p.sla.version, calendar: { id: cal.id, version: cal.version } },
    sla: { response, resolution },
    autoCloseAt: null,
    seq: 0,
  };
  const events: Array<{ action: string; from: string | null; to: string; by: string; at: number; note: string | null; details?: Record<string, unknown> }> = [
    { action: 'open', from: null, to: 'new', by: agent.name, at: openedAt, note: null, details: { priority, impact, urgency } },
    { action: 'assign', from: 'new', to: 'assigned', by: agent.name, at: openedAt + 1000, note: null, details: { group: ci.group, assignee: agent.name } },
    { action: 'start', from: 'assigned', to: 'in_progress', by: agent.name, at: respondedAt, note: null },
  ];
  if (held) {
    events.push({ action: 'hold', from: 'in_progress', to: 'on_hold', by: agent.name, at: holdFrom, note: 'waiting for the caller' });
    events.push({ action: 'resume', from: 'on_hold', to: 'in_progress', by: agent.name, at: holdTo, note: null });
  }
  events.push({ action: 'resolve', from: 'in_progress', to: 'resolved', by: agent.name, at: resolvedAt, note: record.resolution, details: { resolutionCode: record.resolutionCode } });
  events.push(confirmed
    ? { action: 'confirm', from: 'resolved', to: 'closed', by: caller, at: closedAt, note: null }
    : { action: 'auto_close', from: 'resolved', to: 'closed', by: 'system', at: closedAt, note: `no confirmation from the caller within ${p.sla.body.autoCloseDays} days` });
  record.seq = events.length;
  const audit = events.map((e, k) => ({ ...e, seq: k + 1, at: new Date(e.at), caseType: 'incident', caseId: number, details: { ...(e.details ?? {}), imported: true } }));
  return { record, audit };
}

/**
 * Seeds a desk's year. Answers how many closed and open incidents it made; `say` hears progress.
 * Numbers continue from the counter, so seeding twice adds another year's worth.
 */
export async function seedDesk(models: Models, client: Client, taskQueue: string, shape: DeskShape, say: (line: string) => void = () => undefined): Promise<{ closed: number; open: string[] }> {
  const desk = deskOf(shape);
  const r = rng(shape.seed);
  const policies = await loadPolicies(models);
  const openCount = shape.open ?? Math.round(shape.incidents * 0.05);
  const closedCount = shape.incidents - openCount;
  // numbers for the whole history at once: one counter step per year, not per case (run it while no one logs incidents: a create at the same moment may take a number of the block)
  const counter = await models.Counter.findOneAndUpdate({ _id: 'INC' }, { $inc: { value: closedCount } }, { upsert: true, new: true }).lean();
  const first = (counter!.value as number) - closedCount + 1;
  const now = Date.now();
  const yearAgo = now - 365 * DAY;
  const batch = 500;
  const t0 = Date.now();
  for (let done = 0; done < closedCount; done += batch) {
    const records: Record<string, unknown>[] = [];
    const audit: Record<string, unknown>[] = [];
    for (let k = done; k < Math.min(closedCount, done + batch); k++) {
      // opened in order over the year, so numbers rise with time as they do at a real desk
      const openedAt = yearAgo + Math.floor(((k + r.next()) / closedCount) * (330 * DAY));
      const c = closedIncident(first + k, openedAt, desk, policies, r);
      records.push({ _id: c.record.number, ...c.record, ...incidentStored.derive(c.record), closedAt: c.record.closedAt, imported: true });
      audit.push(...c.audit);
    }
    await models.Incident.collection.insertMany(records as never[], { ordered: false });
    await models.Audit.collection.insertMany(audit as never[], { ordered: false });
    if ((done / batch) % 20 === 0) say(`closed history: ${done + records.length} of ${closedCount} (${Math.round((Date.now() - t0) / 1000)} s)`);
  }
  say(`closed history: ${closedCount} incidents imported in ${Math.round((Date.now() - t0) / 1000)} s`);

  const open: string[] = [];
  const t1 = Date.now();
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < openCount; k = next++) {
      const number = await openThroughWorkflow(models, client, taskQueue, desk, r);
      open.push(number);
      if (open.length % 500 === 0) say(`open cases: ${open.length} of ${openCount} (${Math.round((Date.now() - t1) / 1000)} s)`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  say(`open cases: ${openCount} opened through their workflows in ${Math.round((Date.now() - t1) / 1000)} s`);
  return { closed: closedCount, open };
}

/** Opens one incident through its workflow and moves it to an open state, as agents would. */
async function openThroughWorkflow(models: Models, client: Client, taskQueue: string, desk: ReturnType<typeof deskOf>, r: ReturnType<typeof rng>): Promise<string> {
  const ci = r.pick(desk.cis);
  const agent = r.pick(desk.agents.filter((a) => a.group === ci.group));
  const actor = { name: agent.name, roles: ['agent' as const], groups: [agent.group] };
  const [impact, urgency] = impactUrgency(r);
  const input = { title: `${ci.service}: ${text(r, 6)}`.slice(0, 200), description: text(r, 300), caller: r.pick(desk.callers), service: ci.service, configurationItem: ci.id, category: 'software', impact, urgency };
  for (;;) {
    const number = incidentNumber(await nextNumber(models.Counter, 'INC'));
    const op = new WithStartWorkflowOperation(incidentWorkflow, { workflowId: number, taskQueue, args: [{ number, input, actor }], workflowIdConflictPolicy: 'FAIL', workflowIdReusePolicy: 'REJECT_DUPLICATE' });
    try {
      await client.workflow.executeUpdateWithStart(incidentOpened, { startWorkflowOperation: op });
    } catch (err) {
      if ((err as Error).name === 'WorkflowExecutionAlreadyStartedError') continue;
      throw err;
    }
    const h = client.workflow.getHandle(number);
    const send = (c: keyof typeof incidentUpdates, i: object = {}) => h.executeUpdate(incidentUpdates[c] as IncidentUpdate, { args: [{ actor, input: i as never }] });
    // spread over the open states: new 15%, assigned 20%, in progress 40%, on hold 10%, resolved 15%
    const x = r.next();
    if (x < 0.15) return number;
    await send('assign', { group: agent.group, assignee: agent.name });
    if (x < 0.35) return number;
    await send('start');
    if (x < 0.75) return number;
    if (x < 0.85) {
      await send('hold', { reason: 'waiting for the vendor' });
      return number;
    }
    await send('resolve', { resolutionCode: 'fixed', resolution: text(r, 20) });
    return number;
  }
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} takes a whole number`);
  return n;
}

if (require.main === module) {
  (async () => {
    const { Client, Connection } = await import('@temporalio/client');
    const mongoose = (await import('mongoose')).default;
    const { config, TASK_QUEUE } = await import('./config');
    const { createModels } = await import('../models');
    const { prepareDatabase } = await import('../models/migrate');
    const incidents = arg('incidents', 10_000);
    const shape: DeskShape = { incidents, open: arg('open', Math.round(incidents * 0.05)), groups: arg('groups', 20), services: arg('services', 50), cis: arg('cis', 2000), seed: arg('seed', 1) };
    const conn = await mongoose.createConnection(config.mongodbUri).asPromise();
    const models = createModels(conn);
    await prepareDatabase(models);
    const connection = await Connection.connect({ address: config.temporalAddress });
    const client = new Client({ connection, namespace: config.namespace });
    const done = await seedDesk(models, client, TASK_QUEUE, shape, (l) => process.stdout.write(`seed: ${l}\n`));
    process.stdout.write(`seed: ${done.closed} closed and ${done.open.length} open incidents (a worker must run for the open ones)\n`);
    await connection.close();
    await conn.close();
  })().catch((err) => {
    process.stderr.write(`seed failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
