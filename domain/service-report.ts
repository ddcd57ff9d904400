/**
 * Service reports [ISO/IEC 20000-1 8.3.3, 9.1]: what a service delivered in a period, computed from
 * its case records. Pure: the API and the scheduled reports hand it the records.
 *
 * Choices: a clock counts toward compliance in the period it ended in (met when it stopped, missed
 * when it breached); mean times are in business minutes on the incident's own calendar (what its
 * SLA counts); availability is calendar time, the share of the period with no major incident of
 * the service open (a major incident is the service down, from its logging to its resolution).
 */
import { PRIORITIES, type Priority } from './priority';

export interface ReportClock {
  targetMs: number;
  usedMs: number;
  stoppedAt: number | null;
  breachedAt: number | null;
}

export interface ReportIncident {
  number: string;
  priority: Priority;
  major: boolean;
  customer?: string | null;
  openedAt: number;
  resolvedAt: number | null;
  sla: { response: ReportClock; resolution: ReportClock };
}

export interface ReportRequest {
  openedAt: number;
  fulfilledAt: number | null;
  /** its SLA fulfilment target, when it ran by one */
  fulfilment?: { target?: { dueAt: number; endedAt: number | null; met: boolean | null } | null };
}

interface Compliance {
  met: number;
  missed: number;
  /** met ÷ (met + missed), as a percentage; null when no clock ended in the period */
  percent: number | null;
}

export interface ServiceReport {
  from: string;
  to: string;
  incidents: {
    logged: number;
    resolved: number;
    /** open at the end of the period */
    backlog: number;
    breaches: number;
    response: Compliance;
    resolution: Compliance;
    byPriority: Record<Priority, { logged: number; resolved: number; response: Compliance; resolution: Compliance }>;
    meanBusinessMinutesToRespond: number | null;
    meanBusinessMinutesToResolve: number | null;
  };
  availability: { percent: number; downMinutes: number; majorIncidents: string[]; target: number | null; met: boolean | null };
  requests: { logged: number; fulfilled: number; meanHoursToFulfil: number | null; fulfilment: Compliance };
}

const within = (t: number | null, from: number, to: number) => t !== null && t >= from && t < to;
const mean = (xs: number[]) => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : null);

/** A request's fulfilment target as a clock: stopped when fulfilment ended; breached at its due time, or when fulfilment failed before it. */
function fulfilmentClock(t: { dueAt: number; endedAt: number | null; met: boolean | null }, end: number): Pick<ReportClock, 'breachedAt' | 'stoppedAt'> {
  const failedInTime = t.met === false && t.endedAt !== null && t.endedAt <= t.dueAt;
  const breachedAt = t.met === true ? null : failedInTime ? t.endedAt : t.endedAt !== null || t.dueAt < end ? t.dueAt : null;
  return { stoppedAt: t.endedAt, breachedAt };
}

function compliance(clocks: Array<Pick<ReportClock, 'breachedAt' | 'stoppedAt'>>, from: number, to: number): Compliance {
  let met = 0;
  let missed = 0;
  for (const c of clocks) {
    if (within(c.breachedAt, from, to)) missed++;
    else if (c.breachedAt === null && within(c.stoppedAt, from, to)) met++;
  }
  return { met, missed, percent: met + missed ? Math.round((met / (met + missed)) * 1000) / 10 : null };
}

/** The report of one period [from, to) from the service's incidents (those logged before `to`) and requests. */
export function serviceReport(period: { from: number; to: number }, incidents: ReportIncident[], requests: ReportRequest[], availabilityTarget: number | null, asOf = period.to): ServiceReport {
  const { from, to } = period;
  // a period not yet over is measured up to now
  const end = Math.max(from + 1, Math.min(to, asOf));
  const before = incidents.filter((i) => i.openedAt < to);
  const byPriority = Object.fromEntries(
    PRIORITIES.map((p) => {
      const mine = before.filter((i) => i.priority === p);
      return [
        p,
        {
          logged: mine.filter((i) => i.openedAt >= from).length,
          resolved: mine.filter((i) => within(i.resolvedAt, from, to)).length,
          response: compliance(mine.map((i) => i.sla.response), from, to),
          resolution: compliance(mine.map((i) => i.sla.resolution), from, to),
        },
      ];
    }),
  ) as ServiceReport['incidents']['byPriority'];

  // the service is down while a major incident of it is open: the union of those spans, within the period
  const spans = before
    .filter((i) => i.major && (i.resolvedAt === null || i.resolvedAt > from))
    .map((i) => [Math.max(i.openedAt, from), Math.min(i.resolvedAt ?? end, end)] as const)
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  let down = 0;
  let reach = -Infinity;
  for (const [s, e] of spans) {
    const start = Math.max(s, reach);
    if (e > start) down += e - start;
    reach = Math.max(reach, e);
  }
  const percent = Math.round((1 - down / (end - from)) * 100_000) / 1000;

  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    incidents: {
      logged: before.filter((i) => i.openedAt >= from).length,
      resolved: before.filter((i) => within(i.resolvedAt, from, to)).length,
      backlog: before.filter((i) => i.resolvedAt === null || i.resolvedAt >= to).length,
      breaches: before.reduce((n, i) => n + (within(i.sla.response.breachedAt, from, to) ? 1 : 0) + (within(i.sla.resolution.breachedAt, from, to) ? 1 : 0), 0),
      response: compliance(before.map((i) => i.sla.response), from, to),
      resolution: compliance(before.map((i) => i.sla.resolution), from, to),
      byPriority,
      meanBusinessMinutesToRespond: mean(before.filter((i) => within(i.sla.response.stoppedAt, from, to)).map((i) => i.sla.response.usedMs / 60_000)),
      meanBusinessMinutesToResolve: mean(before.filter((i) => within(i.resolvedAt, from, to) && i.sla.resolution.stoppedAt !== null).map((i) => i.sla.resolution.usedMs / 60_000)),
    },
    availability: {
      percent,
      downMinutes: Math.round(down / 60_000),
      majorIncidents: before.filter((i) => i.major && (i.resolvedAt === null || i.resolvedAt > from)).map((i) => i.number),
      target: availabilityTarget,
      met: availabilityTarget === null ? null : percent >= availabilityTarget,
    },
    requests: {
      logged: requests.filter((r) => r.openedAt >= from && r.openedAt < to).length,
      fulfilled: requests.filter((r) => within(r.fulfilledAt, from, to)).length,
      meanHoursToFulfil: mean(requests.filter((r) => within(r.fulfilledAt, from, to)).map((r) => (r.fulfilledAt! - r.openedAt) / 3_600_000)),
      // counted as the incident clocks are: met in the period fulfilment ended in time, missed in the period it fell due (or failed)
      fulfilment: compliance(requests.flatMap((r) => (r.fulfilment?.target ? [fulfilmentClock(r.fulfilment.target, end)] : [])), from, to),
    },
  };
}

/** The report as CSV rows: section, priority (or all), figure, value. */
export function reportCsv(service: string, customer: string | null, r: ServiceReport): string {
  const rows: Array<Array<string | number | null | boolean>> = [['service', 'customer', 'from', 'to', 'section', 'priority', 'figure', 'value']];
  const add = (section: string, priority: string, figure: string, value: string | number | null | boolean) => rows.push([service, customer ?? '', r.from, r.to, section, priority, figure, value]);
  const i = r.incidents;
  for (const f of ['logged', 'resolved', 'backlog', 'breaches', 'meanBusinessMinutesToRespond', 'meanBusinessMinutesToResolve'] as const) add('incidents', 'all', f, i[f]);
  for (const clock of ['response', 'resolution'] as const) {
    add('incidents', 'all', `${clock}Met`, i[clock].met);
    add('incidents', 'all', `${clock}Missed`, i[clock].missed);
    add('incidents', 'all', `${clock}CompliancePercent`, i[clock].percent);
    for (const p of PRIORITIES) add('incidents', p, `${clock}CompliancePercent`, i.byPriority[p][clock].percent);
  }
  for (const p of PRIORITIES) add('incidents', p, 'logged', i.byPriority[p].logged);
  add('availability', 'all', 'percent', r.availability.percent);
  add('availability', 'all', 'downMinutes', r.availability.downMinutes);
  add('availability', 'all', 'target', r.availability.target);
  add('requests', 'all', 'logged', r.requests.logged);
  add('requests', 'all', 'fulfilled', r.requests.fulfilled);
  add('requests', 'all', 'meanHoursToFulfil', r.requests.meanHoursToFulfil);
  add('requests', 'all', 'fulfilmentMet', r.requests.fulfilment.met);
  add('requests', 'all', 'fulfilmentMissed', r.requests.fulfilment.missed);
  add('requests', 'all', 'fulfilmentCompliancePercent', r.requests.fulfilment.percent);
  const cell = (v: string | number | null | boolean) => {
    const s = v === null ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
