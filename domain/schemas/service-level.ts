/**
 * Service level agreements [ISO/IEC 20000-1 8.3.3] as records a process owner keeps (versioned like
 * policies): for one service and one customer (or every customer of the service), the incident
 * response and resolution targets per priority on a business calendar. The SLA of an incident's
 * service and customer sets its clocks; the incident SLA policy is the fallback.
 */
import { z } from 'zod';
import { Instant, ListOf } from './answers';
import { ServiceId } from './service';
import { IncidentSlaBody } from './sla';
import { PRIORITIES, type Priority } from '../priority';
import { DEFAULT_REVIEW } from '../review';

export const SlaId = z.string().regex(/^sla-\d+$/, 'an SLA id such as sla-1');

export const SlaBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  /** the service of the portfolio it is agreed for */
  service: ServiceId,
  /** the customer it is agreed with; null: every customer of the service without one of their own */
  customer: z.string().trim().min(1).max(200).nullable().default(null),
  /** an SLA no longer in force sets no clocks (running cases keep the version they started with) */
  active: z.boolean().default(true),
  /** the share of the time the service is to be up (no major incident open), per period: a report compares */
  availabilityPercent: z.number().min(0).max(100).nullable().default(null),
  /** the share of resolution clocks to be met per month: a report compares; missed two months running raises an improvement */
  resolutionCompliancePercent: z.number().min(0).max(100).nullable().default(null),
  /** the operational level agreements of the supporting groups: how long a group may hold an incident (business time with the group, less holds that stop the clock), warned and breached like the SLA */
  olas: z
    .array(
      z.strictObject({
        group: z.string().trim().min(1).max(200),
        warningPercent: z.number().int().min(1).max(99).default(75),
        targets: z.strictObject(Object.fromEntries(PRIORITIES.map((p) => [p, z.strictObject({ resolutionMinutes: z.number().int().positive().max(525_600) })])) as Record<Priority, z.ZodObject<{ resolutionMinutes: z.ZodNumber }>>),
      }),
    )
    .max(50)
    .refine((o) => new Set(o.map((x) => x.group)).size === o.length, 'each group once')
    .default([]),
  /**
   * request fulfilment targets per catalogue item of the service: business minutes on the SLA's
   * calendar (incidents.calendarId) from the start of fulfilment (approval done) to fulfilled,
   * warned at warningPercent and breached like an incident's clock
   */
  requests: z
    .array(
      z.strictObject({
        catalogItem: z.string().regex(/^cat-\d+$/, 'a catalogue item id such as cat-1'),
        fulfilmentMinutes: z.number().int().positive().max(525_600),
        warningPercent: z.number().int().min(1).max(99).default(75),
      }),
    )
    .max(200)
    .refine((r) => new Set(r.map((x) => x.catalogItem)).size === r.length, 'each catalogue item once')
    .default([]),
  /**
   * the scheduled service review: every `everyMonths` months (quarterly by default: periods end in
   * March, June, September, December), a review case for the service owner, with `dueDays` to do it;
   * members of `group` may take it over. null: no scheduled review (one may still be opened).
   */
  review: z
    .strictObject({
      everyMonths: z.union([z.literal(1), z.literal(3), z.literal(6), z.literal(12)]).default(DEFAULT_REVIEW.everyMonths),
      group: z.string().trim().min(1).max(200).default(DEFAULT_REVIEW.group),
      dueDays: z.number().int().min(1).max(90).default(DEFAULT_REVIEW.dueDays),
    })
    .nullable()
    .default({ ...DEFAULT_REVIEW }),
  /** response and resolution targets per priority, the calendar, the warning threshold, the days to auto-close: as the incident SLA policy has them */
  incidents: IncidentSlaBody,
});
export type SlaBody = z.infer<typeof SlaBody>;

export const SlaAnswer = z.strictObject({
  id: SlaId,
  version: z.number().int().min(1).describe('the version shown; a PUT over it sends it back, as `If-Match: "<version>"` or in the body'),
  updatedAt: Instant,
  updatedBy: z.string(),
  name: z.string(),
  service: ServiceId,
  customer: z.string().nullable(),
  active: z.boolean(),
  availabilityPercent: z.number().nullable().optional(),
  resolutionCompliancePercent: z.number().nullable().optional(),
  olas: z.array(z.record(z.string(), z.unknown())).optional().describe('per supporting group: warningPercent and resolutionMinutes per priority'),
  review: z.strictObject({ everyMonths: z.number().int(), group: z.string(), dueDays: z.number().int() }).nullable().optional().describe('the scheduled service review: every everyMonths months, for the service owner, dueDays to do it; null: none scheduled'),
  requests: z.array(z.strictObject({ catalogItem: z.string(), fulfilmentMinutes: z.number().int(), warningPercent: z.number().int() })).optional().describe('fulfilment targets per catalogue item, business minutes on the SLA calendar from the start of fulfilment'),
  incidents: z.record(z.string(), z.unknown()).describe('calendarId, warningPercent, autoCloseDays, and targets per priority (responseMinutes, resolutionMinutes, calendarId)'),
});
export const SlaList = ListOf(SlaAnswer);

const Compliance = z.strictObject({ met: z.number().int(), missed: z.number().int(), percent: z.number().nullable().describe('met ÷ (met + missed); null when no clock ended in the period') });
export const ServiceReportAnswer = z.strictObject({
  service: z.strictObject({ id: z.string(), name: z.string() }),
  customer: z.string().nullable(),
  sla: z.strictObject({ id: z.string(), version: z.number().int() }).nullable().describe('the SLA in force for the service and customer now (its availability target is compared)'),
  from: z.string(),
  to: z.string(),
  incidents: z.strictObject({
    logged: z.number().int(),
    resolved: z.number().int(),
    backlog: z.number().int().describe('open at the end of the period'),
    breaches: z.number().int().describe('response and resolution clocks breached in the period'),
    response: Compliance,
    resolution: Compliance,
    byPriority: z.record(z.string(), z.strictObject({ logged: z.number().int(), resolved: z.number().int(), response: Compliance, resolution: Compliance })),
    meanBusinessMinutesToRespond: z.number().nullable(),
    meanBusinessMinutesToResolve: z.number().nullable(),
  }),
  availability: z.strictObject({
    percent: z.number().describe('calendar time with no major incident of the service open'),
    downMinutes: z.number().int(),
    majorIncidents: z.array(z.string()),
    target: z.number().nullable(),
    met: z.boolean().nullable(),
  }),
  requests: z.strictObject({
    logged: z.number().int(),
    fulfilled: z.number().int(),
    meanHoursToFulfil: z.number().nullable(),
    fulfilment: Compliance.optional().describe('requests with an SLA fulfilment target: met when fulfilment ended in time in the period, missed when the target fell due in the period unmet (absent from reports stored before targets existed)'),
  }),
  incidentsRead: z.number().int().describe('the incident records read (at most 20,000, the latest logged before the end)'),
});

/** An SLA's review settings as stored: an SLA agreed before reviews were scheduled is reviewed quarterly. */
export function reviewOf(sla: { review?: SlaBody['review'] }): { everyMonths: number; group: string; dueDays: number } | null {
  if (sla.review === null) return null;
  return sla.review ?? { ...DEFAULT_REVIEW };
}
