/**
 * The SLA clock building block: a response and a resolution clock on one business calendar.
 * The arithmetic is the pure code in domain/sla; this holds the pair and says what falls due.
 */
import type { Calendar } from '../domain/calendar';
import {
  computable,
  pauseClock,
  reopenClock,
  resumeClock,
  startClock,
  stopClock,
  thresholdAt,
  type Clock,
  type ClockName,
  workingMsBetween,
} from '../domain/sla';

export interface Alarm {
  clock: ClockName;
  kind: 'warning' | 'breach';
}

export class SlaClocks {
  private constructor(
    private readonly cal: Calendar,
    readonly warningPercent: number,
    private response: Clock,
    private resolution: Clock,
  ) {}

  static start(cal: Calendar, warningPercent: number, target: { responseMinutes: number; resolutionMinutes: number }, now: number) {
    const ref = { id: cal.id, version: cal.version };
    return new SlaClocks(
      cal,
      warningPercent,
      startClock('response', target.responseMinutes * 60_000, ref, now),
      startClock('resolution', target.resolutionMinutes * 60_000, ref, now),
    );
  }

  /** The clocks as a snapshot left them (a case continued from an earlier run). */
  static restore(cal: Calendar, warningPercent: number, snapshot: { response: Clock; resolution: Clock }) {
    return new SlaClocks(cal, warningPercent, snapshot.response, snapshot.resolution);
  }

  /** The clocks as the record keeps them, each running one with when it falls due (lists filter on it). */
  snapshot(): { response: Clock; resolution: Clock } {
    const due = (c: Clock): Clock => ({ ...c, dueAt: c.stoppedAt === null ? thresholdAt(c, this.cal, 1) : null });
    return { response: due(this.response), resolution: due(this.resolution) };
  }

  /** Business time between two instants less the time on hold: the time a group really had the case. */
  workingMsBetween(from: number, to: number): number {
    return workingMsBetween(this.cal, from, to, this.resolution.pauses);
  }

  /** First response given: the response clock stops for good. */
  respond(now: number) {
    this.response = stopClock(this.response, this.cal, now);
  }

  /** New targets (the incident re-prioritised): a clock still running or paused takes its new target; one stopped keeps the one it met or missed. */
  retarget(target: { responseMinutes: number; resolutionMinutes: number }) {
    if (this.response.stoppedAt === null) this.response = { ...this.response, targetMs: target.responseMinutes * 60_000 };
    if (this.resolution.stoppedAt === null) this.resolution = { ...this.resolution, targetMs: target.resolutionMinutes * 60_000 };
  }

  hold(now: number, reason: string) {
    this.resolution = pauseClock(this.resolution, this.cal, now, reason);
  }

  resume(now: number) {
    this.resolution = resumeClock(this.resolution, now);
  }

  resolve(now: number) {
    this.response = stopClock(this.response, this.cal, now);
    this.resolution = stopClock(this.resolution, this.cal, now);
  }

  reopen(now: number) {
    this.resolution = reopenClock(this.resolution, now, 'resolved, then reopened');
  }

  /** Whether the resolution clock runs now (not on a hold that stops it, not stopped). */
  resolutionRunning(): boolean {
    return this.resolution.runningSince !== null;
  }

  /** The clocks whose breach cannot be computed on the calendar (it has no working time for them): they raise no alarms. */
  uncomputable(): ClockName[] {
    return [this.response, this.resolution].filter((c) => !computable(c, this.cal)).map((c) => c.name);
  }

  /** The next instant at which a warning or a breach falls due; null when none can. */
  nextDue(): number | null {
    const due = this.alarmsPending().map((a) => a.at);
    return due.length ? Math.min(...due) : null;
  }

  /**
   * Marks and returns the alarms due at `now`, warnings before breaches. The clock records the
   * instant its threshold was crossed; the escalation records when it was raised.
   */
  fire(now: number): Alarm[] {
    const fired = this.alarmsPending().filter((a) => a.at <= now);
    for (const a of fired) {
      const c = a.clock === 'response' ? this.response : this.resolution;
      const marked = a.kind === 'warning' ? { ...c, warnedAt: a.at } : { ...c, breachedAt: a.at };
      if (a.clock === 'response') this.response = marked;
      else this.resolution = marked;
    }
    return fired.map(({ clock, kind }) => ({ clock, kind }));
  }

  private alarmsPending(): Array<Alarm & { at: number }> {
    const out: Array<Alarm & { at: number }> = [];
    for (const c of [this.response, this.resolution]) {
      if (c.warnedAt === null) {
        const at = thresholdAt(c, this.cal, this.warningPercent / 100);
        if (at !== null) out.push({ clock: c.name, kind: 'warning', at });
      }
      if (c.breachedAt === null) {
        const at = thresholdAt(c, this.cal, 1);
        if (at !== null) out.push({ clock: c.name, kind: 'breach', at });
      }
    }
    return out.sort((a, b) => a.at - b.at || (a.kind === 'warning' ? -1 : 1));
  }
}
