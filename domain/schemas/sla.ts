/** The incident SLA policy as a process owner writes it, as the API validates it. */
import { z } from 'zod';
import { PRIORITIES, type Priority } from '../priority';

const Target = z.strictObject({
  responseMinutes: z.number().int().positive().max(525_600),
  resolutionMinutes: z.number().int().positive().max(525_600),
  /** a priority may run on its own calendar (a P1 around the clock, say) */
  calendarId: z.string().min(1).max(100).optional(),
});

export const IncidentSlaBody = z
  .strictObject({
    calendarId: z.string().min(1).max(100),
    warningPercent: z.number().int().min(1).max(99),
    /** calendar days a resolved incident waits for the caller's confirmation before it closes */
    autoCloseDays: z.number().int().min(1).max(90),
    targets: z.strictObject(Object.fromEntries(PRIORITIES.map((p) => [p, Target])) as Record<Priority, typeof Target>),
  })
  .superRefine((sla, ctx) => {
    for (const p of PRIORITIES) {
      if (sla.targets[p].responseMinutes > sla.targets[p].resolutionMinutes) {
        ctx.addIssue({ code: 'custom', path: ['targets', p, 'responseMinutes'], message: 'the response target cannot exceed the resolution target' });
      }
    }
  });
export type IncidentSlaBody = z.infer<typeof IncidentSlaBody>;
