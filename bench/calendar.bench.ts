/**
 * How fast the business-hours arithmetic is: it runs for every SLA figure the API shows (each
 * incident in a list has two clocks) and for every timer the workflow sets.
 *   npm run bench
 */
import { addBusinessMs, businessMsBetween, DEFAULT_CALENDARS, type CalendarBody } from '../domain/calendar';
import { incidentView, type IncidentRecord } from '../domain/incident';
import { startClock } from '../domain/sla';

const H = 3_600_000;
const DAY = 24 * H;
const london = DEFAULT_CALENDARS[0].body;
const withHolidays: CalendarBody = { ...london, holidays: Array.from({ length: 30 }, (_, i) => ({ date: `2026-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + i).padStart(2, '0')}`, name: 'h' })) };
const start = Date.parse('2026-11-23T10:17:00Z');

function measure(label: string, fn: (i: number) => unknown, minMs = 1000) {
  for (let i = 0; i < 200; i++) fn(i); // warm up
  let n = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 100; i++) fn(n++);
    elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  const perOp = (elapsed * 1000) / n;
  console.log(`${label.padEnd(58)} ${perOp.toFixed(2).padStart(9)} µs/op  ${Math.round(n / (elapsed / 1000)).toLocaleString('en').padStart(10)} ops/s`);
}

console.log(`node ${process.version}, ${new Date().toISOString()}`);
for (const [name, span] of [['1 day', DAY], ['1 week', 7 * DAY], ['30 days', 30 * DAY], ['365 days', 365 * DAY]] as const) {
  measure(`businessMsBetween over ${name}`, (i) => businessMsBetween(london, start + (i % 97) * 60_000, start + span));
}
measure('businessMsBetween over 30 days, 30 holidays', (i) => businessMsBetween(withHolidays, start + (i % 97) * 60_000, start + 30 * DAY));
measure('addBusinessMs 8 business hours (a P2 resolution target)', (i) => addBusinessMs(london, start + (i % 97) * 60_000, 8 * H));
measure('addBusinessMs 40 business hours (a P4 resolution target)', (i) => addBusinessMs(london, start + (i % 97) * 60_000, 40 * H));

const clock = startClock('resolution', 8 * H, { id: 'business-hours', version: 1 }, start);
const rec = {
  number: 'INC0000001', title: 't', description: 'd', caller: 'c', service: 's', configurationItem: 'ci', category: 'x', impact: 2, urgency: 2,
  state: 'in_progress', priority: 'P3', major: false, assignmentGroup: 'g', assignee: null, openedBy: 'a', openedAt: start,
  resolvedAt: null, closedAt: null, resolutionCode: null, resolution: null, holdReason: null, reopenCount: 0,
  assignments: [], escalations: [], comments: [], policy: { priorityMatrix: 1, incidentSla: 1, calendar: { id: 'business-hours', version: 1 } },
  sla: { response: { ...clock, name: 'response', targetMs: 4 * H }, resolution: clock }, autoCloseAt: null, seq: 3,
} as IncidentRecord;
measure('incidentView (one list item: two live clocks), 2 days open', () => incidentView(rec, london, start + 2 * DAY));
