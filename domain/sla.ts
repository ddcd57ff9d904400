/**
 * SLA clocks measured in business time. A clock runs in segments; pausing closes a segment and
 * adds its business time to `usedMs` once, so a pause is never lost or counted twice, and later
 * changes to a calendar cannot rewrite time already used (the clock keeps the calendar version
 * it started with).
 */
import { businessMsBetween, reachableWithin, type CalendarBody } from './calendar';
import type { Priority } from './priority';
import type { HoldReason, IncidentSlaBody } from './schemas/sla';

export type { IncidentSlaBody } from './schemas/sla';

export type ClockName = 'response' | 'resolution';
export type ClockStatus = 'running' | 'paused' | 'met' | 'breached';

export interface Pause {
  from: number;
  to: number | null;
  reason: string;
}

export interface Clock {
  name: ClockName;
  targetMs: number;
  calendar: { id: string; version: number };
  startedAt: number;
  /** business ms of the segments already closed */
  usedMs: number;
  /** start of the open segment, null while paused or stopped */
  runningSince: number | null;
  pauses: Pause[];
  stoppedAt: number | null;
  warnedAt: number | null;
  breachedAt: number | null;
  /** when it falls due, as of the last transition: null while paused or stopped (records written before it have none) */
  dueAt?: number | null;
}

/** Business time between two instants, less the business time of the pauses within them. */
export function workingMsBetween(cal: CalendarBody, from: number, to: number, pauses: Pause[]): number {
  let ms = businessMsBetween(cal, from, to);
  for (const p of pauses) {
    const lo = Math.max(from, p.from);
    const hi = Math.min(to, p.to ?? to);
    if (hi > lo) ms -= businessMsBetween(cal, lo, hi);
  }
  return ms;
}

export function startClock(name: ClockName, targetMs: number, calendar: Clock['calendar'], now: number): Clock {
  return { name, targetMs, calendar, startedAt: now, usedMs: 0, runningSince: now, pauses: [], stoppedAt: null, warnedAt: null, breachedAt: null };
}

export function usedAt(clock: Clock, cal: CalendarBody, now: number): number {
  return clock.usedMs + (clock.runningSince === null ? 0 : businessMsBetween(cal, clock.runningSince, now));
}

function closeSegment(clock: Clock, cal: CalendarBody, now: number): Clock {
  if (clock.runningSince === null) return clock;
  return { ...clock, usedMs: usedAt(clock, cal, now), runningSince: null };
}

export function pauseClock(clock: Clock, cal: CalendarBody, now: number, reason: string): Clock {
  if (clock.runningSince === null) return clock;
  const closed = closeSegment(clock, cal, now);
  return { ...closed, pauses: [...clock.pauses, { from: now, to: null, reason }] };
}

export function resumeClock(clock: Clock, now: number): Clock {
  if (clock.runningSince !== null) return clock;
  const pauses = clock.pauses.map((p) => (p.to === null ? { ...p, to: now } : p));
  return { ...clock, runningSince: now, stoppedAt: null, pauses };
}

/** Stops the clock for good (response given, incident resolved). */
export function stopClock(clock: Clock, cal: CalendarBody, now: number): Clock {
  if (clock.stoppedAt !== null) return clock;
  const closed = closeSegment(clock, cal, now);
  const pauses = closed.pauses.map((p) => (p.to === null ? { ...p, to: now } : p));
  return { ...closed, pauses, stoppedAt: now };
}

/**
 * Starts a stopped clock again (a resolved incident reopened). The time it stood stopped is kept
 * as a pause, so the record shows why that time was not counted.
 */
export function reopenClock(clock: Clock, now: number, reason: string): Clock {
  if (clock.stoppedAt === null) return clock;
  return { ...clock, stoppedAt: null, runningSince: now, pauses: [...clock.pauses, { from: clock.stoppedAt, to: now, reason }] };
}

/**
 * The instant at which the running clock reaches `fraction` of its target; null when not running,
 * or when its calendar has not the working time to reach it within ten years (see `computable`).
 */
export function thresholdAt(clock: Clock, cal: CalendarBody, fraction: number): number | null {
  if (clock.runningSince === null) return null;
  const threshold = Math.ceil(clock.targetMs * fraction);
  const remaining = threshold - clock.usedMs;
  if (remaining <= 0) return clock.runningSince;
  return reachableWithin(cal, clock.runningSince, remaining);
}

/** Whether a running clock's breach can be computed on its calendar (a stopped or paused one always can). */
export function computable(clock: Clock, cal: CalendarBody): boolean {
  return clock.runningSince === null || thresholdAt(clock, cal, 1) !== null;
}

export function clockStatus(clock: Clock, cal: CalendarBody, now: number): ClockStatus {
  if (clock.breachedAt !== null || usedAt(clock, cal, now) > clock.targetMs) return 'breached';
  if (clock.stoppedAt !== null) return 'met';
  if (clock.runningSince === null) return 'paused';
  return 'running';
}

/** What an API answer shows of a clock: its status and figures as of `now`. */
export function clockView(clock: Clock, cal: CalendarBody, now: number) {
  const used = usedAt(clock, cal, now);
  const due = thresholdAt(clock, cal, 1);
  return {
    status: clockStatus(clock, cal, now),
    targetMinutes: clock.targetMs / 60_000,
    businessMinutesUsed: Math.floor(used / 60_000),
    businessMinutesRemaining: Math.max(0, Math.ceil((clock.targetMs - used) / 60_000)),
    percentUsed: Math.round((used / clock.targetMs) * 1000) / 10,
    dueAt: due === null ? null : new Date(due).toISOString(),
    calendar: clock.calendar,
    startedAt: new Date(clock.startedAt).toISOString(),
    stoppedAt: clock.stoppedAt === null ? null : new Date(clock.stoppedAt).toISOString(),
    warnedAt: clock.warnedAt === null ? null : new Date(clock.warnedAt).toISOString(),
    breachedAt: clock.breachedAt === null ? null : new Date(clock.breachedAt).toISOString(),
    pauses: clock.pauses.map((p) => ({
      from: new Date(p.from).toISOString(),
      to: p.to === null ? null : new Date(p.to).toISOString(),
      reason: p.reason,
    })),
  };
}
export type ClockView = ReturnType<typeof clockView>;

// ---- the incident SLA policy (process owner data) ----

export const DEFAULT_INCIDENT_SLA: IncidentSlaBody = {
  calendarId: 'business-hours',
  warningPercent: 75,
  autoCloseDays: 3,
  targets: {
    P1: { responseMinutes: 15, resolutionMinutes: 240, calendarId: '24x7' },
    P2: { responseMinutes: 30, resolutionMinutes: 480 },
    P3: { responseMinutes: 240, resolutionMinutes: 1440 },
    P4: { responseMinutes: 480, resolutionMinutes: 2400 },
  },
};

/** A supporting group's operational level agreement, as an incident holds it. */
export interface Ola {
  group: string;
  warningPercent: number;
  targets: Record<Priority, { resolutionMinutes: number }>;
}

/** The hold reasons of a policy or SLA written before they were data. */
export const DEFAULT_HOLD_REASONS: HoldReason[] = [
  { code: 'awaiting_customer', label: 'Waiting for the customer', stopsClock: true },
  { code: 'awaiting_supplier', label: 'Waiting for a supplier', stopsClock: true },
  { code: 'awaiting_change', label: 'Waiting for a scheduled change', stopsClock: true },
  { code: 'awaiting_internal_team', label: 'Waiting for another internal team', stopsClock: false },
];

export const holdReasonsOf = (sla: IncidentSlaBody): HoldReason[] => sla.holdReasons ?? DEFAULT_HOLD_REASONS;

export function calendarIdFor(sla: IncidentSlaBody, priority: Priority): string {
  return sla.targets[priority].calendarId ?? sla.calendarId;
}
