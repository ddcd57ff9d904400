/**
 * SLA clocks and deadlines on the time-skipping Temporal server: a real worker, a real database,
 * time moved forward by the server.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Models } from '../../models';
import { putPolicy } from '../../models/policies';
import { DEFAULT_INCIDENT_SLA } from '../../domain/sla';
import { businessMsBetween, DEFAULT_CALENDARS } from '../../domain/calendar';
import { openDatabase, startWorker, timeSkippingEnv, type RunningWorker } from '../support/harness';
import { agent, caller, command, desktop, eventually, historyOf, openIncident, sampleIncident, stored, webhookTarget } from '../support/incidents';

const MIN = 60_000;
const london = DEFAULT_CALENDARS[0].body;
const H = 60 * MIN;

let env: TestWorkflowEnvironment;
let models: Models;
let worker: RunningWorker;
let hook: Awaited<ReturnType<typeof webhookTarget>>;

beforeAll(async () => {
  [env, models, hook] = await Promise.all([timeSkippingEnv(), openDatabase('sla'), webhookTarget()]);
  // no workflow cache: every task replays from history, as after a restart (and a stopped worker's
  // sticky queue never holds a task the time-skipping server waits for)
  worker = await startWorker(env.nativeConnection, env.namespace ?? 'default', models, { webhookUrl: hook.url, maxCachedWorkflows: 0 });
});
afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await hook?.close();
  await models?.conn.close();
});

/** Moves the test server's clock to an instant (never backwards). */
async function advanceTo(instant: number) {
  const now = await env.currentTimeMs();
  if (instant > now) await env.sleep(instant - now);
}

/** The next given weekday (0 Sunday … 6 Saturday) at `hour`:00 UTC, in a GMT week, after the server's now. */
async function nextWeekday(weekday: number, hour: number): Promise<number> {
  const now = new Date(await env.currentTimeMs());
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hour));
  do d.setUTCDate(d.getUTCDate() + 1);
  while (d.getUTCDay() !== weekday || isSummerTime(d));
  return d.getTime();
}
const isSummerTime = (d: Date) => d.getUTCMonth() >= 2 && d.getUTCMonth() <= 9; // keep to GMT weeks

describe('operational level agreements', () => {
  it('warn and breach for the group holding the incident, from its SLA, and stop when it hands the incident on', async () => {
    // the OLA of network: 60 business minutes for a P2 on 24x7, warned at 50%; desktop has none
    await putPolicy(models, 'service', 'svc-ola', { name: 'Ola desk', description: '', owner: 'omar', customers: [], status: 'live', configurationItems: [], slas: [] }, 'test');
    await putPolicy(models, 'sla', 'sla-ola', {
      name: 'Ola desk', service: 'svc-ola', customer: null, active: true, availabilityPercent: null, resolutionCompliancePercent: null,
      olas: [{ group: 'network', warningPercent: 50, targets: { P1: { resolutionMinutes: 30 }, P2: { resolutionMinutes: 60 }, P3: { resolutionMinutes: 120 }, P4: { resolutionMinutes: 240 } } }],
      incidents: { ...DEFAULT_INCIDENT_SLA, calendarId: '24x7', targets: { ...DEFAULT_INCIDENT_SLA.targets, P2: { responseMinutes: 120, resolutionMinutes: 480 } } },
    }, 'test');
    const kept = await openIncident(env.client, worker.taskQueue, sampleIncident(1, 2, { title: 'kept by network', service: 'Ola desk' }));
    const handed = await openIncident(env.client, worker.taskQueue, sampleIncident(1, 2, { title: 'handed to desktop', service: 'Ola desk' }));
    const t0 = await env.currentTimeMs();
    for (const i of [kept, handed]) await command(env.client, i.number, 'assign', agent, { group: 'network' });

    await advanceTo(t0 + 31 * MIN);
    await eventually(async () => expect((await historyOf(models, kept.number)).map((h) => h.action)).toContain('ola_warning'));
    await command(env.client, handed.number, 'assign', agent, { group: 'desktop' });

    await advanceTo(t0 + 62 * MIN);
    const rec = await eventually(async () => {
      const r = await stored(models, kept.number);
      expect(r.assignments[0].ola?.breachedAt).not.toBeNull();
      return r;
    });
    expect(rec.assignments[0].ola).toMatchObject({ targetMs: 60 * MIN, warningPercent: 50 });
    expect(Math.abs(rec.assignments[0].ola!.breachedAt! - (t0 + 60 * MIN))).toBeLessThan(2_000);
    // the SLA's own resolution target (480 min) is far: no SLA alarm
    expect((await historyOf(models, kept.number)).map((h) => h.action)).toEqual(['open', 'assign', 'ola_warning', 'ola_breach']);
    await new Promise((r) => setTimeout(r, 500));
    const moved = await stored(models, handed.number);
    expect(moved.assignments.map((a) => [a.group, a.ola?.warnedAt !== null && a.ola?.warnedAt !== undefined, a.ola?.breachedAt ?? null])).toEqual([['network', true, null], ['desktop', false, null]]);
    expect((await historyOf(models, handed.number)).map((h) => h.action)).toEqual(['open', 'assign', 'ola_warning', 'assign']);
    expect(await models.Notification.countDocuments({ caseId: kept.number, type: { $in: ['ola_warning', 'ola_breach'] } })).toBe(2);
  });
});

describe('incident SLA clocks', () => {
  it('does not breach a P2 that is on hold over a weekend, while one left running does', async () => {
    const friday = await nextWeekday(5, 14);
    await advanceTo(friday);
    const held = await openIncident(env.client, worker.taskQueue, sampleIncident(1, 2, { title: 'held over the weekend' }));
    const running = await openIncident(env.client, worker.taskQueue, sampleIncident(1, 2, { title: 'left running' }));
    expect(held.view.priority).toBe('P2');
    for (const i of [held, running]) {
      await command(env.client, i.number, 'assign', agent, { group: 'network' });
      await command(env.client, i.number, 'start', agent, {});
    }
    await advanceTo(friday + H); // Friday 15:00: one business hour used
    const heldAt = Date.parse((await command(env.client, held.number, 'hold', agent, { reason: 'waiting for the caller' })).sla.resolution.pauses[0].from);

    // Tuesday 10:00: Monday's 8 hours and an hour of Tuesday would have used the 8-hour target
    const tuesday = friday + 4 * 24 * H - 4 * H;
    await advanceTo(tuesday);
    const runningRec = await eventually(async () => {
      const r = await stored(models, running.number);
      expect(r.sla.resolution.breachedAt).not.toBeNull();
      return r;
    });
    // 8 business hours from Friday 14:00: 3 on Friday, 5 on Monday → Monday 14:00
    expect(runningRec.sla.resolution.breachedAt).toBe(Date.parse(running.view.openedAt) + 3 * 24 * H);

    const heldRec = await stored(models, held.number);
    expect(heldRec.state).toBe('on_hold');
    expect(heldRec.sla.resolution.breachedAt).toBeNull();
    expect(heldRec.sla.resolution.warnedAt).toBeNull();
    expect(heldRec.escalations).toEqual([]);
    expect((await historyOf(models, held.number)).map((e) => e.action)).toEqual(['open', 'assign', 'start', 'hold']);

    const resumed = await command(env.client, held.number, 'resume', agent, {});
    const resumedAt = Date.parse(resumed.sla.resolution.pauses[0].to!);
    expect(resumed.sla.resolution.status).toBe('running');
    expect(resumed.sla.resolution.pauses).toEqual([{ from: new Date(heldAt).toISOString(), to: new Date(resumedAt).toISOString(), reason: 'waiting for the caller' }]);
    const usedMs = heldAt - Date.parse(held.view.openedAt);
    expect(Math.round(usedMs / MIN)).toBe(60);
    expect(resumed.sla.resolution.businessMinutesUsed).toBeGreaterThanOrEqual(59);
    expect(resumed.sla.resolution.businessMinutesUsed).toBeLessThanOrEqual(60);
    // what is left of the 8 hours runs from Tuesday 10:00, on the business calendar
    const due = Date.parse(resumed.sla.resolution.dueAt!);
    expect(businessMsBetween(london, resumedAt, due)).toBe(8 * H - usedMs);
    expect(due - resumedAt).toBeGreaterThanOrEqual(7 * H - MIN);
  });

  it('warns at 75% and breaches at 100% of an untouched P1’s targets, and escalates each', async () => {
    const p1 = await openIncident(env.client, worker.taskQueue, sampleIncident(1, 1, { title: 'core network down' }));
    const openedAt = Date.parse(p1.view.openedAt);
    expect(p1.view).toMatchObject({ priority: 'P1', major: true });

    // P1 targets (24x7): response 15 min, resolution 240 min
    await advanceTo(openedAt + 11 * MIN);
    await new Promise((r) => setTimeout(r, 500)); // a premature warning would have been recorded by now
    expect((await stored(models, p1.number)).escalations).toEqual([]);
    await advanceTo(openedAt + 12 * MIN);
    const warned = await eventually(async () => {
      const r = await stored(models, p1.number);
      expect(r.escalations).toHaveLength(1);
      return r;
    });
    expect(warned.escalations[0]).toMatchObject({ clock: 'response', kind: 'warning', level: 1 });
    expect(warned.sla.response.warnedAt).toBe(openedAt + 11.25 * MIN);
    // lists find it at risk, and by when its resolution falls due
    const listed = (await models.Incident.collection.findOne({ _id: p1.number as never }))!;
    expect([listed.atRisk, listed.resolutionDueAt]).toEqual([true, openedAt + 240 * MIN]);

    await advanceTo(openedAt + 241 * MIN);
    const breached = await eventually(async () => {
      const r = await stored(models, p1.number);
      expect(r.escalations).toHaveLength(4);
      return r;
    });
    expect(breached.escalations.map((e) => [e.clock, e.kind, e.level])).toEqual([
      ['response', 'warning', 1],
      ['response', 'breach', 2],
      ['resolution', 'warning', 1],
      ['resolution', 'breach', 2],
    ]);
    expect(breached.sla.response.breachedAt).toBe(openedAt + 15 * MIN);
    expect(breached.sla.resolution.warnedAt).toBe(openedAt + 180 * MIN);
    expect(breached.sla.resolution.breachedAt).toBe(openedAt + 240 * MIN);
    expect((await models.Incident.collection.findOne({ _id: p1.number as never }))!.atRisk).toBe(false); // breached: past at risk
    // each escalation is raised when its threshold is crossed (within the timer's precision)
    const thresholds = [11.25, 15, 180, 240].map((m) => openedAt + m * MIN);
    breached.escalations.forEach((e, i) => expect(Math.abs(e.at - thresholds[i])).toBeLessThan(1000));
    expect(breached).toMatchObject({ breached: true, state: 'new' });
    const history = await historyOf(models, p1.number);
    expect(history.filter((e) => e.action.startsWith('sla_')).map((e) => [e.action, e.by])).toEqual([
      ['sla_warning', 'system'],
      ['sla_breach', 'system'],
      ['sla_warning', 'system'],
      ['sla_breach', 'system'],
    ]);
    // the notifications: stored, and delivered to the webhook
    const sent = await eventually(async () => {
      const mine = hook.received.filter((m) => m.number === p1.number);
      expect(mine).toHaveLength(5);
      return mine;
    });
    expect(sent.map((m) => [m.type, m.clock ?? null])).toEqual([
      ['major_incident', null],
      ['sla_warning', 'response'],
      ['sla_breach', 'response'],
      ['sla_warning', 'resolution'],
      ['sla_breach', 'resolution'],
    ]);
    expect(await models.Notification.countDocuments({ caseId: p1.number, deliveredAt: { $ne: null } })).toBe(5);
  });

  it('keeps escalating when the webhook is down, and shows what was not delivered', async () => {
    const p1 = await openIncident(env.client, worker.taskQueue, sampleIncident(1, 1, { title: 'webhook down' }));
    const openedAt = Date.parse(p1.view.openedAt);
    await advanceTo(openedAt + 241 * MIN);
    const r = await eventually(async () => {
      const rec = await stored(models, p1.number);
      expect(rec.escalations).toHaveLength(4);
      return rec;
    });
    expect(r.sla.resolution.breachedAt).toBe(openedAt + 240 * MIN);
    expect(hook.refused.filter((m) => m.number === p1.number).length).toBeGreaterThanOrEqual(5);
    expect(hook.received.filter((m) => m.number === p1.number)).toEqual([]);
    expect(await models.Notification.countDocuments({ caseId: p1.number, deliveredAt: null })).toBe(5);
  });

  it('counts the time with each group on the business calendar, less time on hold', async () => {
    const monday = await nextWeekday(1, 10); // Monday 10:00 in London
    await advanceTo(monday);
    const i = await openIncident(env.client, worker.taskQueue, sampleIncident(2, 2));
    await command(env.client, i.number, 'assign', agent, { group: 'network' });
    await command(env.client, i.number, 'start', agent, {});
    await advanceTo(monday + H);
    await command(env.client, i.number, 'hold', agent, { reason: 'waiting for the caller' });
    await advanceTo(monday + 2 * H);
    await command(env.client, i.number, 'resume', agent, {});
    await advanceTo(monday + 3 * H);
    const live = await command(env.client, i.number, 'comment', caller, { text: 'still broken' });
    expect(live.assignments[0].businessMinutes).toBeCloseTo(120, 0); // the open assignment, live
    await command(env.client, i.number, 'assign', agent, { group: 'desktop' });
    await command(env.client, i.number, 'start', desktop, {});
    // over the end of the working day: 13:00 → 17:00 Monday and 09:00 → 10:00 Tuesday
    await advanceTo(monday + 24 * H);
    const resolved = await command(env.client, i.number, 'resolve', desktop, { resolutionCode: 'fixed', resolution: 'new laptop' });
    expect(resolved.assignments.map((a) => a.group)).toEqual(['network', 'desktop']);
    expect(resolved.assignments[0].businessMinutes).toBeCloseTo(120, 0); // 10:00 → 13:00 less the hour on hold
    expect(resolved.assignments[1].businessMinutes).toBeCloseTo(300, 0);
  });

  it('closes a resolved incident by itself after the policy’s number of days', async () => {
    const i = await openIncident(env.client, worker.taskQueue, sampleIncident(3, 3));
    await command(env.client, i.number, 'assign', agent, { group: 'network' });
    await command(env.client, i.number, 'start', agent, {});
    const resolved = await command(env.client, i.number, 'resolve', agent, { resolutionCode: 'fixed', resolution: 'restarted the gateway' });
    const resolvedAt = Date.parse(resolved.resolvedAt!);
    expect(resolved.autoCloseAt).toBe(new Date(resolvedAt + 3 * 24 * H).toISOString());

    await advanceTo(resolvedAt + 3 * 24 * H - MIN);
    expect((await stored(models, i.number)).state).toBe('resolved');
    await advanceTo(resolvedAt + 3 * 24 * H + MIN);
    const final = await i.handle.result();
    expect(final.state).toBe('closed');
    const history = await historyOf(models, i.number);
    expect(history.at(-1)).toMatchObject({ action: 'auto_close', from: 'resolved', to: 'closed', by: 'system' });
    expect(Math.abs((await stored(models, i.number)).closedAt! - (resolvedAt + 3 * 24 * H))).toBeLessThan(1000);
  });

  it('keeps the policy versions an incident started with', async () => {
    const before = await openIncident(env.client, worker.taskQueue, sampleIncident(2, 2));
    expect(before.view.sla.resolution.targetMinutes).toBe(1440);
    const faster = { ...DEFAULT_INCIDENT_SLA, targets: { ...DEFAULT_INCIDENT_SLA.targets, P3: { responseMinutes: 60, resolutionMinutes: 120 } } };
    const v2 = await putPolicy(models, 'incident-sla', 'default', faster, 'owner');
    const after = await openIncident(env.client, worker.taskQueue, sampleIncident(2, 2));
    expect(after.view.sla.resolution.targetMinutes).toBe(120);
    expect(after.view.policy.incidentSla).toBe(v2.version);
    const still = await command(env.client, before.number, 'comment', caller, { text: 'any news?' });
    expect(still.sla.resolution.targetMinutes).toBe(1440);
    expect(still.policy.incidentSla).toBe(v2.version - 1);
    await putPolicy(models, 'incident-sla', 'default', DEFAULT_INCIDENT_SLA, 'owner');
  });

  it('keeps its timers when the worker stops and another takes over', async () => {
    const i = await openIncident(env.client, worker.taskQueue, sampleIncident(1, 1));
    const openedAt = Date.parse(i.view.openedAt);
    await worker.stop();
    worker = await startWorker(env.nativeConnection, env.namespace ?? 'default', models, { webhookUrl: hook.url, taskQueue: worker.taskQueue, maxCachedWorkflows: 0 });
    await advanceTo(openedAt + 16 * MIN);
    const r = await eventually(async () => {
      const rec = await stored(models, i.number);
      expect(rec.sla.response.breachedAt).not.toBeNull();
      return rec;
    });
    expect(r.sla.response.breachedAt).toBe(openedAt + 15 * MIN);
  });
});
