import { addBusinessMs, businessMsBetween, DEFAULT_CALENDARS } from '../../domain/calendar';
import { CalendarBody } from '../../domain/schemas/calendar';

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const london = DEFAULT_CALENDARS.find((c) => c.id === 'business-hours')!.body; // Mon–Fri 09–17 Europe/London
const allDayLondon: CalendarBody = { ...DEFAULT_CALENDARS.find((c) => c.id === '24x7')!.body, timeZone: 'Europe/London' };

describe('business-hours arithmetic', () => {
  it('counts only working hours on a span over a weekend', () => {
    // Friday 16:00 → Monday 10:00 (GMT in November): one hour on Friday, one on Monday
    expect(businessMsBetween(london, at('2026-11-20T16:00:00Z'), at('2026-11-23T10:00:00Z'))).toBe(2 * H);
    expect(addBusinessMs(london, at('2026-11-20T16:00:00Z'), 2 * H)).toBe(at('2026-11-23T10:00:00Z'));
  });

  it('counts nothing outside working hours and nothing for an empty span', () => {
    expect(businessMsBetween(london, at('2026-11-21T09:00:00Z'), at('2026-11-22T18:00:00Z'))).toBe(0);
    expect(businessMsBetween(london, at('2026-11-23T10:00:00Z'), at('2026-11-23T10:00:00Z'))).toBe(0);
    expect(businessMsBetween(london, at('2026-11-23T12:00:00Z'), at('2026-11-23T10:00:00Z'))).toBe(0);
  });

  it('skips holidays', () => {
    const withHoliday: CalendarBody = { ...london, holidays: [{ date: '2026-11-23', name: 'company day' }] };
    expect(businessMsBetween(withHoliday, at('2026-11-20T16:00:00Z'), at('2026-11-24T10:00:00Z'))).toBe(2 * H);
    // time starting on a holiday begins on the next working day
    expect(addBusinessMs(withHoliday, at('2026-11-23T08:00:00Z'), 30 * 60_000)).toBe(at('2026-11-24T09:30:00Z'));
  });

  it('works in the calendar’s own time zone', () => {
    const newYork: CalendarBody = { ...london, timeZone: 'America/New_York' };
    // 09:00–17:00 in New York is 14:00–22:00 UTC in November (EST, UTC−5)
    expect(businessMsBetween(newYork, at('2026-11-23T00:00:00Z'), at('2026-11-24T00:00:00Z'))).toBe(8 * H);
    expect(addBusinessMs(newYork, at('2026-11-23T12:00:00Z'), H)).toBe(at('2026-11-23T15:00:00Z'));
    const tokyo: CalendarBody = { ...london, timeZone: 'Asia/Tokyo' };
    // Monday 09:00 in Tokyo is Monday 00:00 UTC
    expect(addBusinessMs(tokyo, at('2026-11-22T20:00:00Z'), H)).toBe(at('2026-11-23T01:00:00Z'));
  });

  it('counts real elapsed time across the spring daylight-saving change', () => {
    // London moves to BST at 01:00 UTC on Sunday 29 March 2026: that day has 23 hours
    expect(businessMsBetween(allDayLondon, at('2026-03-28T12:00:00Z'), at('2026-03-29T11:00:00Z'))).toBe(23 * H);
    // working hours follow the wall clock: Monday 09:00 BST is 08:00 UTC
    expect(businessMsBetween(london, at('2026-03-27T16:00:00Z'), at('2026-03-30T09:00:00Z'))).toBe(2 * H);
    expect(addBusinessMs(london, at('2026-03-27T16:00:00Z'), 2 * H)).toBe(at('2026-03-30T09:00:00Z'));
  });

  it('counts real elapsed time across the autumn daylight-saving change', () => {
    // back to GMT at 01:00 UTC on Sunday 25 October 2026: that day has 25 hours
    expect(businessMsBetween(allDayLondon, at('2026-10-24T11:00:00Z'), at('2026-10-25T12:00:00Z'))).toBe(25 * H);
    expect(businessMsBetween(london, at('2026-10-23T15:00:00Z'), at('2026-10-26T10:00:00Z'))).toBe(2 * H);
  });

  it('handles split working days and long spans', () => {
    const split: CalendarBody = { ...london, workingHours: { ...london.workingHours, mon: [{ start: '13:00', end: '17:00' }, { start: '08:00', end: '12:00' }] } };
    expect(businessMsBetween(split, at('2026-11-23T00:00:00Z'), at('2026-11-24T00:00:00Z'))).toBe(8 * H);
    expect(addBusinessMs(split, at('2026-11-23T11:00:00Z'), 2 * H)).toBe(at('2026-11-23T14:00:00Z'));
    // 52 weeks of a 40-hour week
    expect(businessMsBetween(london, at('2025-11-24T00:00:00Z'), at('2026-11-23T00:00:00Z'))).toBe(52 * 40 * H);
  });

  it('adds back exactly what it counts (any span, any calendar)', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const nyc: CalendarBody = { ...london, timeZone: 'America/New_York', holidays: [{ date: '2026-11-26', name: 'Thanksgiving' }] };
    for (const cal of [london, allDayLondon, nyc]) {
      for (let i = 0; i < 200; i++) {
        const from = at('2026-01-01T00:00:00Z') + Math.floor(rand() * 330 * 24) * H + Math.floor(rand() * 60) * 60_000;
        const ms = Math.floor(rand() * 100 * H / 60_000) * 60_000 + 60_000;
        const end = addBusinessMs(cal, from, ms);
        expect(businessMsBetween(cal, from, end)).toBe(ms);
      }
    }
  });

  it('refuses a calendar that cannot be measured on, naming the field', () => {
    const tz = CalendarBody.safeParse({ ...london, timeZone: 'Mars/Olympus' });
    expect(tz.success).toBe(false);
    expect(tz.error!.issues[0].path).toEqual(['timeZone']);
    const overlap = CalendarBody.safeParse({ ...london, workingHours: { ...london.workingHours, tue: [{ start: '09:00', end: '13:00' }, { start: '12:00', end: '17:00' }] } });
    expect(overlap.success).toBe(false);
    expect(overlap.error!.issues[0].path).toEqual(['workingHours', 'tue']);
    const backwards = CalendarBody.safeParse({ ...london, workingHours: { ...london.workingHours, wed: [{ start: '17:00', end: '09:00' }] } });
    expect(backwards.success).toBe(false);
    const none = CalendarBody.safeParse({ ...london, workingHours: { sun: [], mon: [], tue: [], wed: [], thu: [], fri: [], sat: [] } });
    expect(none.success).toBe(false);
    expect(none.error!.issues[0].path).toEqual(['workingHours']);
  });
});
