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

  it('skips a yearly holiday every year, and works an extra working day with its own hours', () => {
    const christmas: CalendarBody = { ...london, holidays: [{ yearly: '12-25', name: 'Christmas Day' }] };
    // Friday 25 December 2026 and Monday 25 December 2028 are off; Thursday 24 December is not
    expect(businessMsBetween(christmas, at('2026-12-24T00:00:00Z'), at('2026-12-26T00:00:00Z'))).toBe(8 * H);
    expect(addBusinessMs(christmas, at('2028-12-22T16:00:00Z'), 2 * H)).toBe(at('2028-12-26T10:00:00Z'));
    const leap: CalendarBody = { ...london, holidays: [{ yearly: '02-29', name: 'leap day' }] };
    expect(businessMsBetween(leap, at('2028-02-29T00:00:00Z'), at('2028-03-01T00:00:00Z'))).toBe(0);
    // a Saturday worked 10:00–14:00 before a bridge day, and a yearly holiday worked this year
    const bridge: CalendarBody = { ...christmas, extraWorkingDays: [{ date: '2026-11-21', hours: [{ start: '10:00', end: '14:00' }], name: 'bridge' }, { date: '2026-12-25', hours: [{ start: '09:00', end: '12:00' }], name: 'on duty' }] };
    expect(businessMsBetween(bridge, at('2026-11-21T00:00:00Z'), at('2026-11-22T00:00:00Z'))).toBe(4 * H);
    expect(addBusinessMs(bridge, at('2026-11-20T16:00:00Z'), 2 * H)).toBe(at('2026-11-21T11:00:00Z'));
    expect(businessMsBetween(bridge, at('2026-12-25T00:00:00Z'), at('2026-12-26T00:00:00Z'))).toBe(3 * H);
  });

  it('refuses a yearly date that never comes, and a day that is both off and worked', () => {
    const body = (over: Record<string, unknown>) => CalendarBody.safeParse({ name: 'x', timeZone: 'Europe/London', workingHours: london.workingHours, ...over });
    expect(body({ holidays: [{ yearly: '02-30' }] }).error?.issues[0].path).toEqual(['holidays', 0, 'yearly']);
    expect(body({ holidays: [{ yearly: '02-29' }] }).success).toBe(true);
    const both = body({ holidays: [{ date: '2026-12-24' }], extraWorkingDays: [{ date: '2026-12-24', hours: [{ start: '09:00', end: '12:00' }] }] });
    expect(both.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['extraWorkingDays.0.date', '2026-12-24 is a holiday of the calendar too: one or the other']]);
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

  describe('daylight saving in zones east and west of UTC, and with a 30-minute offset', () => {
    const closed = { sun: [], mon: [], tue: [], wed: [], thu: [], fri: [], sat: [] };
    const sundays = (timeZone: string, start: string, end: string): CalendarBody => ({ name: `${timeZone} Sundays`, timeZone, workingHours: { ...closed, sun: [{ start, end }] }, holidays: [] });

    it('springs forward west of UTC: New York’s 01:00–04:00 Sunday shift on the day of the change is two real hours', () => {
      // EST (UTC−5) until 02:00 local on Sunday 14 March 2027, EDT (UTC−4) after: 01:00 EST = 06:00Z, 04:00 EDT = 08:00Z
      const ny = sundays('America/New_York', '01:00', '04:00');
      expect(businessMsBetween(ny, at('2027-03-13T00:00:00Z'), at('2027-03-15T00:00:00Z'))).toBe(2 * H);
      expect(addBusinessMs(ny, at('2027-03-13T12:00:00Z'), 2 * H)).toBe(at('2027-03-14T08:00:00Z'));
      // 150 minutes: the two hours of the shortened shift, then half an hour of the next Sunday (01:00 EDT = 05:00Z)
      expect(addBusinessMs(ny, at('2027-03-13T12:00:00Z'), 150 * 60_000)).toBe(at('2027-03-21T05:30:00Z'));
    });

    it('springs forward west of UTC: a Los Angeles desk open Sundays 08:00–17:00 starts at 08:00 PDT', () => {
      const la = sundays('America/Los_Angeles', '08:00', '17:00');
      expect(addBusinessMs(la, at('2027-03-13T20:00:00Z'), H)).toBe(at('2027-03-14T16:00:00Z'));
      expect(businessMsBetween(la, at('2027-03-14T00:00:00Z'), at('2027-03-15T00:00:00Z'))).toBe(9 * H);
    });

    it('falls back west of UTC: New York’s 00:00–03:00 shift on the day of the change is four real hours', () => {
      // EDT until 02:00 local on Sunday 7 November 2027, EST after: 00:00 EDT = 04:00Z, 03:00 EST = 08:00Z
      const ny = sundays('America/New_York', '00:00', '03:00');
      expect(businessMsBetween(ny, at('2027-11-06T00:00:00Z'), at('2027-11-08T00:00:00Z'))).toBe(4 * H);
      expect(addBusinessMs(ny, at('2027-11-06T00:00:00Z'), 4 * H)).toBe(at('2027-11-07T08:00:00Z'));
    });

    it('springs forward and falls back east of UTC (Berlin)', () => {
      // CET (UTC+1) until 02:00 local on Sunday 28 March 2027, CEST (UTC+2) after: 01:00 CET = 00:00Z, 04:00 CEST = 02:00Z
      const spring = sundays('Europe/Berlin', '01:00', '04:00');
      expect(businessMsBetween(spring, at('2027-03-27T00:00:00Z'), at('2027-03-29T00:00:00Z'))).toBe(2 * H);
      expect(addBusinessMs(spring, at('2027-03-27T00:00:00Z'), 2 * H)).toBe(at('2027-03-28T02:00:00Z'));
      // back to CET at 03:00 local on Sunday 31 October 2027: 01:00 CEST = 23:00Z the day before, 04:00 CET = 03:00Z
      const autumn = sundays('Europe/Berlin', '01:00', '04:00');
      expect(businessMsBetween(autumn, at('2027-10-30T00:00:00Z'), at('2027-11-01T00:00:00Z'))).toBe(4 * H);
    });

    it('handles a zone with a 30-minute offset and one whose clocks move by 30 minutes', () => {
      // Kolkata is UTC+05:30 all year: Monday 09:00 is 03:30Z
      const kolkata: CalendarBody = { ...london, timeZone: 'Asia/Kolkata' };
      expect(addBusinessMs(kolkata, at('2027-03-01T00:00:00Z'), H)).toBe(at('2027-03-01T04:30:00Z'));
      // Adelaide moves from UTC+10:30 to UTC+09:30 at 03:00 local on Sunday 4 April 2027: 00:00–06:00 local is 7 real hours
      const adelaide = sundays('Australia/Adelaide', '00:00', '06:00');
      expect(businessMsBetween(adelaide, at('2027-04-02T00:00:00Z'), at('2027-04-05T00:00:00Z'))).toBe(7 * H);
      // Lord Howe moves its clocks by half an hour: UTC+10:30 to UTC+11 at 02:00 local on Sunday 3 October 2027
      const lordHowe = sundays('Australia/Lord_Howe', '01:00', '04:00');
      expect(businessMsBetween(lordHowe, at('2027-10-01T00:00:00Z'), at('2027-10-04T00:00:00Z'))).toBe(2.5 * H);
      expect(addBusinessMs(lordHowe, at('2027-10-01T00:00:00Z'), 2.5 * H)).toBe(at('2027-10-02T17:00:00Z'));
    });
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
