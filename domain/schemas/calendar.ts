/** A business-hours calendar as a process owner writes it, as the API validates it. */
import { z } from 'zod';
import { isTimeZone, minutesOf, WEEKDAYS, type Weekday } from '../calendar';

const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time of day as HH:MM (24:00 for the end of the day)');

export const WorkingInterval = z
  .strictObject({ start: hhmm, end: hhmm })
  .refine((i) => minutesOf(i.start) < minutesOf(i.end), { message: 'start must be before end' });

/** a month and day that exist in some year, as MM-DD (02-29 is one; 02-30 is not) */
const monthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a month and day as MM-DD').refine((md) => !Number.isNaN(Date.parse(`2024-${md}T00:00:00Z`)) && new Date(`2024-${md}T00:00:00Z`).toISOString().slice(5, 10) === md, 'a month and day that exist, as MM-DD');

/** a day that exists, as YYYY-MM-DD (2026-13-45 and 2027-02-29 do not) */
const isoDate = z.iso.date({ message: 'a date that exists, as YYYY-MM-DD' });

export const CalendarBody = z
  .strictObject({
    name: z.string().min(1).max(200),
    timeZone: z.string().refine(isTimeZone, { message: 'an IANA time zone such as Europe/London' }),
    workingHours: z.strictObject(
      Object.fromEntries(WEEKDAYS.map((d) => [d, z.array(WorkingInterval).max(8).default([])])) as Record<
        Weekday,
        z.ZodDefault<z.ZodArray<typeof WorkingInterval>>
      >,
    ),
    /** days off: on a date, or every year on a month and day (`"yearly":"12-25"`; 02-29 only in leap years) */
    holidays: z
      .array(z.union([z.strictObject({ date: isoDate, name: z.string().max(200).default('') }), z.strictObject({ yearly: monthDay, name: z.string().max(200).default('') })]))
      .max(1000)
      .default([]),
    /** days worked with hours of their own (a Saturday before a bridge day, a yearly holiday worked this year): they replace the weekday's hours and any holiday */
    extraWorkingDays: z.array(z.strictObject({ date: isoDate, hours: z.array(WorkingInterval).min(1).max(8), name: z.string().max(200).default('') })).max(1000).default([]),
  })
  .superRefine((cal, ctx) => {
    for (const day of WEEKDAYS) {
      const sorted = [...cal.workingHours[day]].sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
      for (let i = 1; i < sorted.length; i++) {
        if (minutesOf(sorted[i].start) < minutesOf(sorted[i - 1].end)) {
          ctx.addIssue({ code: 'custom', path: ['workingHours', day], message: 'working intervals overlap' });
        }
      }
    }
    cal.extraWorkingDays.forEach((d, i) => {
      if (cal.holidays.some((h) => 'date' in h && h.date === d.date)) ctx.addIssue({ code: 'custom', path: ['extraWorkingDays', i, 'date'], message: `${d.date} is a holiday of the calendar too: one or the other` });
      if (cal.extraWorkingDays.findIndex((o) => o.date === d.date) !== i) ctx.addIssue({ code: 'custom', path: ['extraWorkingDays', i, 'date'], message: `${d.date} is there twice` });
    });
    if (WEEKDAYS.every((d) => cal.workingHours[d].length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['workingHours'], message: 'a calendar needs at least one working interval' });
    }
  });
type Parsed = z.infer<typeof CalendarBody>;
/** calendars written before extra working days have none */
export type CalendarBody = Omit<Parsed, 'extraWorkingDays'> & { extraWorkingDays?: Parsed['extraWorkingDays'] };
