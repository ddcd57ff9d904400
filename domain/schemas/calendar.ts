/** A business-hours calendar as a process owner writes it, as the API validates it. */
import { z } from 'zod';
import { isTimeZone, minutesOf, WEEKDAYS, type Weekday } from '../calendar';

const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time of day as HH:MM (24:00 for the end of the day)');

export const WorkingInterval = z
  .strictObject({ start: hhmm, end: hhmm })
  .refine((i) => minutesOf(i.start) < minutesOf(i.end), { message: 'start must be before end' });

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
    holidays: z.array(z.strictObject({ date: isoDate, name: z.string().max(200).default('') })).max(1000).default([]),
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
    if (WEEKDAYS.every((d) => cal.workingHours[d].length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['workingHours'], message: 'a calendar needs at least one working interval' });
    }
  });
export type CalendarBody = z.infer<typeof CalendarBody>;
