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

export const SlaId = z.string().regex(/^sla-\d+$/, 'an SLA id such as sla-1');

export const SlaBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  /** the service of the portfolio it is agreed for */
  service: ServiceId,
  /** the customer it is agreed with; null: every customer of the service without one of their own */
  customer: z.string().trim().min(1).max(200).nullable().default(null),
  /** an SLA no longer in force sets no clocks (running cases keep the version they started with) */
  active: z.boolean().default(true),
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
  incidents: z.record(z.string(), z.unknown()).describe('calendarId, warningPercent, autoCloseDays, and targets per priority (responseMinutes, resolutionMinutes, calendarId)'),
});
export const SlaList = ListOf(SlaAnswer);
