/**
 * Business-hours calendars: working hours per weekday in an IANA time zone, minus holidays.
 * Pure functions over epoch milliseconds, used by workflows (SLA clocks), activities and the API,
 * so an SLA figure is computed by the same code wherever it is shown.
 */
import type { CalendarBody } from './schemas/calendar';

export type { CalendarBody } from './schemas/calendar';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export type Calendar = CalendarBody & { id: string; version: number };

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Minutes past midnight of a time of day written HH:MM. */
export function minutesOf(t: string): number {
  const [h, m] = t.split(':').map(Number);
  return h * 60 + m;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Offset of the zone from UTC at an instant, in ms (positive east of Greenwich). */
export function zoneOffset(tz: string, at: number): number {
  if (tz === 'UTC' || tz === 'Etc/UTC') return 0;
  // offsets change only at transitions on quarter-hour boundaries, so one reading serves the quarter
  const quarter = Math.floor(at / QUARTER_HOUR);
  const key = `${tz}|${quarter}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    offset = readOffset(tz, quarter * QUARTER_HOUR);
    if (offsets.size > 200_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}
const QUARTER_HOUR = 900_000;
const offsets = new Map<string, number>();

function readOffset(tz: string, at: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(at))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour % 24, parts.minute, parts.second) - at;
}

/** The local calendar date (as a UTC-midnight day number) of an instant in a zone. */
function localDay(tz: string, at: number): number {
  return Math.floor((at + zoneOffset(tz, at)) / DAY);
}

/**
 * The instant at which the wall clock in `tz` shows `minutes` past midnight of local day `day`.
 * The offset is the one in force at the answer, not at the wall time read as UTC: on the day a
 * zone west of UTC springs forward, a wall time after the jump is still before it in UTC. A wall
 * time that repeats when the clocks go back is its first occurrence; one that does not exist (in
 * the gap when they go forward) is read with the offset before the gap, landing as far past the
 * gap's end as it is past the gap's start.
 */
function instantOf(tz: string, day: number, minutes: number): number {
  const wall = day * DAY + minutes * MINUTE;
  const o1 = zoneOffset(tz, wall);
  const o2 = zoneOffset(tz, wall - o1);
  if (o2 === o1) return wall - o1;
  const o3 = zoneOffset(tz, wall - o2);
  if (o3 === o2) return wall - o2;
  return wall - Math.min(o2, o3); // in the gap
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/** No calendar is searched further than this for working time (ten years). */
const MAX_DAYS = 3660;

function isoOfDay(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

/** A calendar's days that are not as their weekday: holidays (dated, and yearly by MM-DD) and extra working days. */
interface Exceptions {
  dated: Set<string>;
  yearly: Set<string>;
  extra: Map<string, ReadonlyArray<{ start: string; end: string }>>;
}

function holidaySet(cal: CalendarBody): Exceptions {
  const dated = new Set<string>();
  const yearly = new Set<string>();
  for (const h of cal.holidays) {
    if ('yearly' in h) yearly.add(h.yearly);
    else dated.add(h.date);
  }
  // calendars written before extra working days have none
  return { dated, yearly, extra: new Map((cal.extraWorkingDays ?? []).map((d) => [d.date, d.hours])) };
}

/** Working intervals of one local day as [start, end) instants, in order. */
function workingIntervals(cal: CalendarBody, days: Exceptions, day: number): Array<[number, number]> {
  const iso = isoOfDay(day);
  const extra = days.extra.get(iso);
  if (!extra && (days.dated.has(iso) || days.yearly.has(iso.slice(5)))) return [];
  const weekday = WEEKDAYS[new Date(day * DAY).getUTCDay()];
  return [...(extra ?? cal.workingHours[weekday])]
    .sort((a, b) => minutesOf(a.start) - minutesOf(b.start))
    .map((i) => [instantOf(cal.timeZone, day, minutesOf(i.start)), instantOf(cal.timeZone, day, minutesOf(i.end))]);
}

/** Business time in ms that elapses between two instants on the calendar (0 if to <= from). */
export function businessMsBetween(cal: CalendarBody, from: number, to: number): number {
  if (to <= from) return 0;
  const holidays = holidaySet(cal);
  let total = 0;
  const last = localDay(cal.timeZone, to);
  for (let day = localDay(cal.timeZone, from); day <= last; day++) {
    for (const [s, e] of workingIntervals(cal, holidays, day)) {
      const lo = Math.max(s, from);
      const hi = Math.min(e, to);
      if (hi > lo) total += hi - lo;
    }
  }
  return total;
}

/**
 * The instant at which `ms` of business time has elapsed after `from`; throws a RangeError when
 * the calendar has not that much working time within `maxDays` (ten years unless told).
 */
export function addBusinessMs(cal: CalendarBody, from: number, ms: number, maxDays = MAX_DAYS): number {
  const due = reachableWithin(cal, from, ms, maxDays);
  if (due === null) throw new RangeError(`calendar ${cal.name} has no working time within ${maxDays} days of ${new Date(from).toISOString()}`);
  return due;
}

/** The instant at which `ms` of business time has elapsed after `from`, or null when that is more than `days` away. */
export function reachableWithin(cal: CalendarBody, from: number, ms: number, days = MAX_DAYS): number | null {
  const holidays = holidaySet(cal);
  let remaining = ms;
  const first = localDay(cal.timeZone, from);
  for (let day = first; day < first + days; day++) {
    for (const [s, e] of workingIntervals(cal, holidays, day)) {
      const lo = Math.max(s, from);
      if (e <= lo) continue;
      if (remaining <= e - lo) return lo + remaining;
      remaining -= e - lo;
    }
  }
  return null;
}

/**
 * Why `minutes` of business time on this calendar cannot be counted within a year of `from`, or
 * null when they can: what a policy or calendar write is refused for, since no case could then
 * ever fall due.
 */
export function notWithinAYear(cal: CalendarBody, from: number, minutes: number): string | null {
  if (reachableWithin(cal, from, minutes * MINUTE, 366) !== null) return null;
  const weekly = WEEKDAYS.reduce((sum, d) => sum + cal.workingHours[d].reduce((m, i) => m + minutesOf(i.end) - minutesOf(i.start), 0), 0);
  return `${minutes} business minutes take more than a year on calendar ${cal.name} (${weekly} working minute${weekly === 1 ? '' : 's'} a week, less its holidays)`;
}

/** The deadline `ms` of business time after `from`; ten years out when the calendar cannot count that far (never a loop on a bad calendar). */
export function deadlineAfter(cal: CalendarBody, from: number, ms: number): number {
  return reachableWithin(cal, from, ms) ?? from + MAX_DAYS * DAY;
}

export const DEFAULT_CALENDARS: Array<{ id: string; body: CalendarBody }> = [
  {
    id: 'business-hours',
    body: {
      name: 'Business hours (Mon–Fri 09:00–17:00, London)',
      timeZone: 'Europe/London',
      workingHours: {
        sun: [],
        mon: [{ start: '09:00', end: '17:00' }],
        tue: [{ start: '09:00', end: '17:00' }],
        wed: [{ start: '09:00', end: '17:00' }],
        thu: [{ start: '09:00', end: '17:00' }],
        fri: [{ start: '09:00', end: '17:00' }],
        sat: [],
      },
      holidays: [],
    },
  },
  {
    id: '24x7',
    body: {
      name: 'Around the clock',
      timeZone: 'UTC',
      workingHours: Object.fromEntries(WEEKDAYS.map((d) => [d, [{ start: '00:00', end: '24:00' }]])) as CalendarBody['workingHours'],
      holidays: [],
    },
  },
];
