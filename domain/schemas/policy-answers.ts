/**
 * What the platform's own resources answer: the versioned policies (priority matrix, incident SLA,
 * problem and change policies, calendars, approval policies), API keys, delegations and health.
 * A policy answers with its body as it was stored (defaults filled in when it was written) and the
 * version it is at; every field the body has is always there.
 */
import { z } from 'zod';
import { CiVerificationPolicyBody } from './verification';
import { ReleasePolicyBody } from './release';
import { ROLES } from '../actor';
import { APPROVAL_PROCESSES } from '../approval';
import { WEEKDAYS, type Weekday } from '../calendar';
import { PRIORITIES, type Priority as PriorityName } from '../priority';
import { Instant, ListOf } from './answers';
import { Condition, OnDeadline } from './approval';
import { ChangePolicyBody } from './change';
import { Priority } from './priority';
import { ProblemPolicyBody, ProblemTrendBody } from './problem';

// ---- every policy version ----

/** What a policy's answer adds to its body (a PUT may send them back as read). */
const PolicyVersion = {
  version: z.number().int().min(1).describe('the version shown; a PUT over it sends it back, as `If-Match: "<version>"` or in the body'),
  updatedAt: Instant.describe('when this version was written'),
  updatedBy: z.string().describe('who wrote this version (`system` for a default policy)'),
};

// ---- the priority matrix ----

const PriorityRow = z.strictObject({ '1': Priority, '2': Priority, '3': Priority }).describe('the priority by urgency (1 the highest)');
export const PriorityMatrixAnswer = z.strictObject({
  ...PolicyVersion,
  matrix: z.strictObject({ '1': PriorityRow, '2': PriorityRow, '3': PriorityRow }).describe('matrix[impact][urgency] → P1–P4 (1 is the highest impact or urgency)'),
});

// ---- the incident SLA policy ----

const SlaTarget = z.strictObject({
  responseMinutes: z.number().int().describe('business minutes until the first response is due'),
  resolutionMinutes: z.number().int().describe('business minutes until the resolution is due'),
  calendarId: z.string().optional().describe("the calendar this priority's clocks run on; absent: the policy's calendar"),
});
export const IncidentSlaAnswer = z.strictObject({
  ...PolicyVersion,
  calendarId: z.string().describe('the calendar the clocks count business minutes on, unless a target names its own'),
  warningPercent: z.number().int().describe('how much of a target is used when the warning is raised'),
  autoCloseDays: z.number().int().describe('calendar days a resolved incident waits for the caller before it closes'),
  targets: z.strictObject(Object.fromEntries(PRIORITIES.map((p) => [p, SlaTarget])) as Record<PriorityName, typeof SlaTarget>),
  holdReasons: z
    .array(z.strictObject({ code: z.string(), label: z.string(), stopsClock: z.boolean() }))
    .optional()
    .describe('the reasons an incident may be held for, and whether each stops the resolution clock (absent: awaiting_customer, awaiting_supplier and awaiting_change stop it; awaiting_internal_team does not)'),
});

// ---- the problem and change policies ----

export const ReferencesPolicyAnswer = z.strictObject({
  ...PolicyVersion,
  freeText: z
    .strictObject({ incident: z.boolean(), problem: z.boolean(), change: z.boolean() })
    .describe('per process: true lets its cases name services and CIs not in the portfolio and the CMDB (a transition period); false (the default) refuses them with 400'),
});

export const ProblemPolicyAnswer = z.strictObject({
  ...PolicyVersion,
  verificationDays: z.number().int().describe('days a resolved problem is watched for recurrence before it closes'),
  onResolve: ProblemPolicyBody.shape.onResolve.describe('what happens to its open incidents when a problem is resolved'),
});

export const ChangePolicyAnswer = z.strictObject({
  ...PolicyVersion,
  blackouts: z.array(
    z.strictObject({
      name: z.string(),
      start: Instant.describe('as the owner wrote it (its offset kept)'),
      end: Instant.describe('as the owner wrote it (its offset kept)'),
      services: z.array(z.string()).describe('the services it holds for; none: every service'),
    }),
  ),
  standardTemplates: z.array(z.strictObject({ id: z.string(), name: z.string(), description: z.string() })).describe('the pre-approved standard changes'),
  onConflict: ChangePolicyBody.shape.onConflict.describe('a blackout or collision: refuse the change, or route it to an extra approval policy'),
});

// ---- calendars ----

const WorkingInterval = z.strictObject({ start: z.string().describe('HH:MM'), end: z.string().describe('HH:MM (24:00 for the end of the day)') });
export const CalendarAnswer = z.strictObject({
  id: z.string(),
  ...PolicyVersion,
  name: z.string(),
  timeZone: z.string().describe('an IANA time zone'),
  workingHours: z.strictObject(Object.fromEntries(WEEKDAYS.map((d) => [d, z.array(WorkingInterval)])) as Record<Weekday, z.ZodArray<typeof WorkingInterval>>).describe('working intervals per weekday, in the time zone'),
  holidays: z.array(z.union([z.strictObject({ date: z.string().describe('YYYY-MM-DD'), name: z.string() }), z.strictObject({ yearly: z.string().describe('MM-DD, every year'), name: z.string() })])),
  extraWorkingDays: z.array(z.strictObject({ date: z.string().describe('YYYY-MM-DD'), hours: z.array(z.strictObject({ start: z.string(), end: z.string() })), name: z.string() })).optional().describe('days worked with hours of their own, replacing the weekday’s hours and any holiday'),
});
export const CalendarList = ListOf(CalendarAnswer).describe('the latest version of every calendar, by id');

// ---- approval policies ----

const StageAnswer = z.strictObject({
  name: z.string(),
  approvers: z.strictObject({ users: z.array(z.string()), groups: z.array(z.string()) }),
  mode: z.enum(['any', 'all', 'quorum']),
  quorum: z.number().int().optional().describe('with mode quorum (only): how many approvals carry the stage'),
  deadline: z.strictObject({ businessMinutes: z.number().int(), calendarId: z.string() }),
  onDeadline: OnDeadline,
});
export const ApprovalPolicyAnswer = z.strictObject({
  id: z.string().describe('ap-<n>'),
  ...PolicyVersion,
  name: z.string(),
  description: z.string(),
  process: z.enum(APPROVAL_PROCESSES),
  rank: z.number().int().describe('when several policies match a case, the lowest rank applies'),
  enabled: z.boolean(),
  match: z.array(Condition).describe('every condition must hold for the policy to match; none: every case of its process'),
  stages: z.array(StageAnswer),
});
export const ApprovalPolicyList = ListOf(ApprovalPolicyAnswer).describe('the latest version of every approval policy, lowest rank first');

// ---- API keys ----

export const ApiKeyAnswer = z.strictObject({
  id: z.string(),
  name: z.string().describe('who acts with the key: the name its actions are recorded under'),
  prefix: z.string().describe("the secret's first 8 characters, to tell keys apart"),
  roles: z.array(z.enum(ROLES)),
  groups: z.array(z.string()).describe('the groups its holder belongs to (assignment and approval groups)'),
  bootstrap: z.boolean().describe('the admin key made at the first start (or named by ADMIN_API_KEY)'),
  createdAt: Instant,
  createdBy: z.string().nullable(),
  revokedAt: Instant.nullable(),
});
export const CreatedApiKeyAnswer = z.strictObject({ ...ApiKeyAnswer.shape, key: z.string().describe('the secret, shown this once: send it as `Authorization: Bearer <key>`') });

// ---- delegations ----

export const DelegationAnswer = z.strictObject({
  id: z.string(),
  from: z.string().describe('the approver who is away'),
  to: z.string().describe('the delegate who holds their approvals meanwhile'),
  start: Instant,
  end: Instant.describe('the end of the period (not included)'),
  reason: z.string(),
  createdBy: z.string().nullable(),
  createdAt: Instant,
  revokedAt: Instant.nullable().describe('when it was withdrawn; null while it stands'),
});
export const DelegationList = ListOf(DelegationAnswer).describe('by start, earliest first');

// ---- health ----

export const LivenessAnswer = z.strictObject({ status: z.literal('ok') });

const ReadinessCheck = z.strictObject({
  ok: z.boolean(),
  detail: z.string().optional().describe('why it failed; for the worker, how many pollers answer on the task queue'),
});
export const ReadinessAnswer = z.strictObject({
  status: z.enum(['ready', 'not ready']),
  checks: z.strictObject({ database: ReadinessCheck, temporal: ReadinessCheck, worker: ReadinessCheck }),
});

// ---- the service catalogue ----

const FormFieldAnswer = z.strictObject({
  name: z.string(),
  label: z.string(),
  type: z.enum(['string', 'text', 'number', 'boolean', 'date', 'choice']),
  required: z.boolean(),
  options: z.array(z.string()).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
});
export const CatalogItemAnswer = z.strictObject({
  id: z.string().describe('cat- and a number'),
  ...PolicyVersion,
  name: z.string(),
  description: z.string(),
  category: z.string(),
  active: z.boolean().describe('offered to requesters'),
  service: z.string().nullable().describe('the service of the portfolio it belongs to; null for an item that names none'),
  form: z.array(FormFieldAnswer).describe("the fields a request of it fills in, checked against this form"),
  approvalPolicy: z.string().nullable().describe('the approval policy its requests go through; null: the request-process policies are matched'),
  fulfilment: z.strictObject({ mode: z.enum(['sequential', 'parallel']), tasks: z.array(z.strictObject({ title: z.string(), group: z.string() })) }),
  autoCloseDays: z.number().int().describe("days a fulfilled request waits for the requester's confirmation before it closes"),
});
export const CatalogItemList = ListOf(CatalogItemAnswer);

// ---- the incident-trend policy ----

export const ProblemTrendAnswer = z.strictObject({
  ...PolicyVersion,
  enabled: z.boolean(),
  groupBy: ProblemTrendBody.shape.groupBy.describe('incidents sharing this field form a trend'),
  threshold: z.number().int().describe('how many incidents within the window make a trend'),
  windowMinutes: z.number().int(),
  scanIntervalMinutes: z.number().int().describe('how often the scan runs (a Temporal Schedule)'),
  group: z.string().describe("the problem team a trend's problem goes to"),
  impact: z.enum(['low', 'medium', 'high']),
});

/** A due time previewed on a calendar. */
export const DueAnswer = z.strictObject({
  calendar: z.strictObject({ id: z.string(), version: z.number().int() }).describe('the calendar and the version it was counted on'),
  from: Instant,
  minutes: z.number().int(),
  dueAt: Instant.describe('when that many business minutes after `from` have passed'),
});

export const CiVerificationPolicyAnswer = z.strictObject({
  ...PolicyVersion,
  ...CiVerificationPolicyBody.shape,
});

export const ReleasePolicyAnswer = z.strictObject({
  ...PolicyVersion,
  ...ReleasePolicyBody.shape,
});
