/** The incident SLA policy as a process owner writes it, as the API validates it. */
import { z } from 'zod';
import { PRIORITIES, type Priority } from '../priority';

const Target = z.strictObject({
  responseMinutes: z.number().int().positive().max(525_600),
  resolutionMinutes: z.number().int().positive().max(525_600),
  /** a priority may run on its own calendar (a P1 around the clock, say) */
  calendarId: z.string().min(1).max(100).optional(),
});

/** Why an incident waits, as the process owner names the reasons: waiting for the customer stops the resolution clock; waiting for an internal team does not. */
export const HoldReason = z.strictObject({
  code: z.string().regex(/^[a-z][a-z0-9_]{0,49}$/, 'a code such as awaiting_customer'),
  label: z.string().trim().min(1).max(200),
  stopsClock: z.boolean(),
});
export type HoldReason = z.infer<typeof HoldReason>;

export const IncidentSlaBody = z
  .strictObject({
    calendarId: z.string().min(1).max(100),
    warningPercent: z.number().int().min(1).max(99),
    /** calendar days a resolved incident waits for the caller's confirmation before it closes */
    autoCloseDays: z.number().int().min(1).max(90),
    targets: z.strictObject(Object.fromEntries(PRIORITIES.map((p) => [p, Target])) as Record<Priority, typeof Target>),
    /** the reasons an incident may be put on hold for (a policy written before has the defaults) */
    holdReasons: z.array(HoldReason).min(1).max(30).optional(),
  })
  .superRefine((sla, ctx) => {
    sla.holdReasons?.forEach((h, i, all) => {
      if (all.findIndex((o) => o.code === h.code) !== i) ctx.addIssue({ code: 'custom', path: ['holdReasons', i, 'code'], message: `${h.code} is there twice` });
    });
    for (const p of PRIORITIES) {
      if (sla.targets[p].responseMinutes > sla.targets[p].resolutionMinutes) {
        ctx.addIssue({ code: 'custom', path: ['targets', p, 'responseMinutes'], message: 'the response target cannot exceed the resolution target' });
      }
    }
  });
export type IncidentSlaBody = z.infer<typeof IncidentSlaBody>;
