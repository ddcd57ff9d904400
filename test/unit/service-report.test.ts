import { reportCsv, serviceReport, type ReportIncident } from '../../domain/service-report';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 1); // November 2026
const period = { from: T0, to: Date.UTC(2026, 11, 1) };
const clock = (over: Partial<ReportIncident['sla']['response']> = {}) => ({ targetMs: 60 * 60_000, usedMs: 0, stoppedAt: null, breachedAt: null, ...over });
const incident = (n: number, over: Partial<ReportIncident>): ReportIncident => ({ number: `INC${n}`, priority: 'P3', major: false, openedAt: T0 + H, resolvedAt: null, sla: { response: clock(), resolution: clock() }, ...over });

describe('a service report', () => {
  it('counts compliance in the period a clock ended, breaches, means, and the backlog at the end', () => {
    const r = serviceReport(period, [
      incident(1, { resolvedAt: T0 + 3 * H, sla: { response: clock({ stoppedAt: T0 + 2 * H, usedMs: 30 * 60_000 }), resolution: clock({ stoppedAt: T0 + 3 * H, usedMs: 50 * 60_000 }) } }),
      incident(2, { priority: 'P2', sla: { response: clock({ stoppedAt: T0 + 5 * H, usedMs: 90 * 60_000, breachedAt: T0 + 4 * H }), resolution: clock({ breachedAt: T0 + 6 * H }) } }),
      // logged in October, resolved in November: counts in November, and was October's backlog
      incident(3, { openedAt: T0 - 10 * H, resolvedAt: T0 + H, sla: { response: clock({ stoppedAt: T0 - 9 * H, usedMs: 10 * 60_000 }), resolution: clock({ stoppedAt: T0 + H, usedMs: 40 * 60_000 }) } }),
      // logged after the period: not counted
      incident(4, { openedAt: period.to + H }),
    ], [], null);
    expect(r.incidents).toMatchObject({ logged: 2, resolved: 2, backlog: 1, breaches: 2, response: { met: 1, missed: 1, percent: 50 }, resolution: { met: 2, missed: 1, percent: 66.7 } });
    expect(r.incidents.byPriority.P2).toMatchObject({ logged: 1, response: { met: 0, missed: 1, percent: 0 } });
    expect(r.incidents.byPriority.P4.response.percent).toBeNull();
    expect([r.incidents.meanBusinessMinutesToRespond, r.incidents.meanBusinessMinutesToResolve]).toEqual([60, 45]);
  });

  it('takes availability from the major incidents open in the period, each span once', () => {
    const month = period.to - period.from;
    const r = serviceReport(period, [
      incident(1, { major: true, openedAt: T0 - H, resolvedAt: T0 + 2 * H }), // 2 h of it in November
      incident(2, { major: true, openedAt: T0 + H, resolvedAt: T0 + 3 * H }), // overlaps: 1 h more
      incident(3, { major: true, openedAt: period.to - H, resolvedAt: null }), // still open at the end: 1 h
    ], [], 99.4);
    // 4 h down in a 720 h month: 99.444%
    expect(r.availability).toEqual({ percent: Math.round((1 - (4 * H) / month) * 100_000) / 1000, downMinutes: 240, majorIncidents: ['INC1', 'INC2', 'INC3'], target: 99.4, met: true });
    expect(serviceReport(period, [incident(1, { major: true, openedAt: T0, resolvedAt: T0 + 4 * 24 * H })], [], 99.5).availability.met).toBe(false);
  });

  it('is CSV with one figure a row', () => {
    const csv = reportCsv('Payroll, EU', null, serviceReport(period, [], [{ openedAt: T0, fulfilledAt: T0 + 2 * H }], null));
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('service,customer,from,to,section,priority,figure,value');
    expect(lines).toContain('"Payroll, EU",,2026-11-01T00:00:00.000Z,2026-12-01T00:00:00.000Z,requests,all,meanHoursToFulfil,2');
  });

  it('counts request fulfilment targets as the incident clocks: met when ended in time, missed when due or failed, in the period that happened', () => {
    const req = (target: { dueAt: number; endedAt: number | null; met: boolean | null }) => ({ openedAt: T0 + H, fulfilledAt: target.met ? target.endedAt : null, fulfilment: { target } });
    const r = serviceReport(period, [], [
      req({ dueAt: T0 + 5 * H, endedAt: T0 + 2 * H, met: true }), // met
      req({ dueAt: T0 + 5 * H, endedAt: T0 + 2 * H, met: false }), // failed before it fell due: missed
      req({ dueAt: T0 + 5 * H, endedAt: T0 + 9 * H, met: false }), // late: missed
      req({ dueAt: T0 + 5 * H, endedAt: null, met: null }), // still running, past its due time: missed
      req({ dueAt: period.to + H, endedAt: null, met: null }), // still running, not yet due: not counted
      req({ dueAt: T0 - 5 * H, endedAt: T0 - 6 * H, met: true }), // met in October: not counted
    ], null, period.to);
    expect(r.requests.fulfilment).toEqual({ met: 1, missed: 3, percent: 25 });
  });
});
