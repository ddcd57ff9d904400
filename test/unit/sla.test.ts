import { DEFAULT_CALENDARS } from '../../domain/calendar';
import { clockStatus, clockView, pauseClock, reopenClock, resumeClock, startClock, stopClock, thresholdAt, usedAt } from '../../domain/sla';

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const cal = DEFAULT_CALENDARS.find((c) => c.id === 'business-hours')!.body;
const ref = { id: 'business-hours', version: 1 };

describe('an SLA clock', () => {
  it('measures business time and falls due on the calendar', () => {
    const c = startClock('resolution', 8 * H, ref, at('2026-11-23T09:00:00Z'));
    expect(usedAt(c, cal, at('2026-11-23T12:00:00Z'))).toBe(3 * H);
    expect(thresholdAt(c, cal, 0.75)).toBe(at('2026-11-23T15:00:00Z'));
    expect(thresholdAt(c, cal, 1)).toBe(at('2026-11-23T17:00:00Z'));
    expect(clockStatus(c, cal, at('2026-11-23T16:59:00Z'))).toBe('running');
    expect(clockStatus(c, cal, at('2026-11-24T09:01:00Z'))).toBe('breached');
  });

  it('pauses the resolution clock while on hold and keeps every pause', () => {
    let c = startClock('resolution', 8 * H, ref, at('2026-11-23T09:00:00Z'));
    c = pauseClock(c, cal, at('2026-11-23T10:00:00Z'), 'waiting for the caller');
    expect(clockStatus(c, cal, at('2026-11-25T10:00:00Z'))).toBe('paused');
    expect(usedAt(c, cal, at('2026-11-25T10:00:00Z'))).toBe(H);
    expect(thresholdAt(c, cal, 1)).toBeNull();
    c = resumeClock(c, at('2026-11-25T10:00:00Z'));
    c = pauseClock(c, cal, at('2026-11-25T11:00:00Z'), 'waiting for a supplier');
    c = resumeClock(c, at('2026-11-25T15:00:00Z'));
    expect(c.pauses).toEqual([
      { from: at('2026-11-23T10:00:00Z'), to: at('2026-11-25T10:00:00Z'), reason: 'waiting for the caller' },
      { from: at('2026-11-25T11:00:00Z'), to: at('2026-11-25T15:00:00Z'), reason: 'waiting for a supplier' },
    ]);
    // 1h + 1h before, then 15:00 → 17:00 and 09:00 → 13:00: 8h reached at 13:00 on Thursday
    expect(thresholdAt(c, cal, 1)).toBe(at('2026-11-26T13:00:00Z'));
  });

  it('never counts a pause twice, however often it is paused or resumed', () => {
    let c = startClock('resolution', 8 * H, ref, at('2026-11-23T09:00:00Z'));
    c = pauseClock(c, cal, at('2026-11-23T10:00:00Z'), 'hold');
    c = pauseClock(c, cal, at('2026-11-23T11:00:00Z'), 'hold again'); // already paused: no change
    c = resumeClock(c, at('2026-11-23T12:00:00Z'));
    c = resumeClock(c, at('2026-11-23T13:00:00Z')); // already running: no change
    expect(c.pauses).toHaveLength(1);
    expect(usedAt(c, cal, at('2026-11-23T14:00:00Z'))).toBe(3 * H);
  });

  it('stops for good when met, and shows the reopened gap as a pause', () => {
    let c = startClock('resolution', 8 * H, ref, at('2026-11-23T09:00:00Z'));
    c = stopClock(c, cal, at('2026-11-23T11:00:00Z'));
    expect(clockStatus(c, cal, at('2026-12-01T11:00:00Z'))).toBe('met');
    expect(usedAt(c, cal, at('2026-12-01T11:00:00Z'))).toBe(2 * H);
    c = reopenClock(c, at('2026-11-24T09:00:00Z'), 'reopened');
    expect(c.pauses).toEqual([{ from: at('2026-11-23T11:00:00Z'), to: at('2026-11-24T09:00:00Z'), reason: 'reopened' }]);
    expect(usedAt(c, cal, at('2026-11-24T10:00:00Z'))).toBe(3 * H);
  });

  it('shows its figures for an answer', () => {
    const c = startClock('response', 4 * H, ref, at('2026-11-23T09:00:00Z'));
    const v = clockView(c, cal, at('2026-11-23T12:00:00Z'));
    expect(v).toMatchObject({ status: 'running', targetMinutes: 240, businessMinutesUsed: 180, businessMinutesRemaining: 60, percentUsed: 75, dueAt: '2026-11-23T13:00:00.000Z' });
  });
});
