/** An incident as it is logged, its commands' input and its number, as the API validates them. */
import { z } from 'zod';
import { INCIDENT_STATES, RESOLUTION_CODES, type IncidentCommand } from '../incident';
import { PRIORITIES } from '../priority';
import { ClockAnswer, Comment, Instant, VersionRef } from './answers';
import { Level } from './priority';

export const IncidentState = z.enum(INCIDENT_STATES);
export type IncidentState = z.infer<typeof IncidentState>;

const text = (max: number) => z.string().trim().min(1).max(max);
const name = text(200);

export const OpenIncidentInput = z.strictObject({
  title: text(200),
  description: text(10_000),
  caller: name,
  service: name,
  configurationItem: name,
  /** the customer it is for, when the service has SLAs per customer (an SLA of the service for this customer sets its targets) */
  customer: name.optional(),
  category: name,
  impact: Level,
  urgency: Level,
});
export type OpenIncidentInput = z.infer<typeof OpenIncidentInput>;

export const IncidentCommandInputs = {
  assign: z.strictObject({ group: name, assignee: name.optional(), note: text(2000).optional() }),
  start: z.strictObject({ note: text(2000).optional() }),
  reprioritise: z.strictObject({ impact: Level, urgency: Level, reason: text(2000) }),
  hold: z.strictObject({
    reason: text(500),
    /** one of the hold reasons of the incident's SLA or SLA policy; without one the resolution clock stops, as it always did */
    code: z.string().regex(/^[a-z][a-z0-9_]{0,49}$/, 'a hold reason code such as awaiting_customer').optional(),
  }),
  resume: z.strictObject({ note: text(2000).optional() }),
  resolve: z.strictObject({ resolutionCode: z.enum(RESOLUTION_CODES), resolution: text(10_000) }),
  confirm: z.strictObject({ note: text(2000).optional() }),
  reopen: z.strictObject({ reason: text(2000) }),
  close: z.strictObject({ note: text(2000) }),
  comment: z.strictObject({ text: text(2000) }),
} satisfies Record<IncidentCommand, z.ZodType>;
export type IncidentCommandInput<C extends IncidentCommand> = z.infer<(typeof IncidentCommandInputs)[C]>;

export const IncidentNumber = z.string().regex(/^INC\d{7,}$/, 'an incident number such as INC0000001');

/** An incident as every answer shows it (GET, a command's answer, a list's item): its SLA clocks as of the answer. */
export const IncidentAnswer = z.strictObject({
  number: IncidentNumber,
  state: IncidentState,
  priority: z.enum(PRIORITIES),
  major: z.boolean(),
  title: z.string(),
  description: z.string(),
  caller: z.string(),
  service: z.string(),
  configurationItem: z.string(),
  customer: z.string().nullable().describe('the customer it is for, when given: an SLA of its service for this customer sets its targets'),
  category: z.string(),
  impact: Level,
  urgency: Level,
  assignmentGroup: z.string().nullable(),
  assignee: z.string().nullable(),
  openedBy: z.string(),
  openedAt: Instant,
  resolvedAt: Instant.nullable(),
  closedAt: Instant.nullable(),
  autoCloseAt: Instant.nullable(),
  resolutionCode: z.enum(RESOLUTION_CODES).nullable(),
  resolution: z.string().nullable(),
  holdReason: z.string().nullable(),
  holdCode: z.string().nullable().optional().describe('the hold reason’s code; whether it stopped the resolution clock shows in `sla.resolution.status`'),
  reopenCount: z.number().int(),
  assignments: z.array(
    z.strictObject({
      group: z.string(),
      assignee: z.string().nullable(),
      from: Instant,
      to: Instant.nullable(),
      businessMinutes: z.number(),
      ola: z.strictObject({ targetMinutes: z.number(), warnedAt: Instant.nullable(), breachedAt: Instant.nullable() }).nullable().describe('the OLA of the group, from the SLA the incident runs by: its target for the priority and the alarms raised'),
    }),
  ),
  escalations: z.array(z.strictObject({ at: Instant, clock: z.enum(['response', 'resolution']), kind: z.enum(['warning', 'breach']), level: z.number().int() })),
  comments: z.array(Comment),
  problems: z.array(z.string()).describe('the problems this incident is linked to'),
  knownErrors: z.array(z.strictObject({ problem: z.string(), symptoms: z.string(), workaround: z.string() })).describe('known errors on its CI or category when it was logged: the workarounds to try first'),
  affects: z
    .strictObject({
      services: z.array(z.strictObject({ id: z.string(), name: z.string(), owner: z.string(), customers: z.array(z.string()) })),
      cis: z.number().int(),
      dependents: z.array(z.string()).optional(),
      truncated: z.boolean(),
    })
    .nullable()
    .describe('what depends on its CI, as the CMDB said when it was logged: the services impacted (null: logged before the CMDB)'),
  policy: z
    .strictObject({
      priorityMatrix: z.number().int(),
      incidentSla: z.number().int().nullable().describe('the incident SLA policy’s version, when no SLA of its service set its targets'),
      sla: VersionRef.nullable().optional().describe('the SLA of its service (and customer) that set its targets (GET /slas/{id}?version=)'),
      calendar: VersionRef,
    })
    .describe('the versions of the rules it runs by'),
  sla: z.strictObject({ response: ClockAnswer, resolution: ClockAnswer, breached: z.boolean() }),
  seq: z.number().int().describe('how many transitions it has had'),
});

/** An incident as a list shows it: without its description, assignments, escalations, comments, known errors, problems and policy versions (GET /incidents/{number} has them). */
export const IncidentSummaryAnswer = IncidentAnswer.omit({ description: true, assignments: true, escalations: true, comments: true, knownErrors: true, problems: true, policy: true, affects: true });
