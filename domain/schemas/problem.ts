/** A problem as it is raised, its commands' input, the problem policy and the trend policy, as the API validates them. */
import { z } from 'zod';
import { PROBLEM_STATES, TREND_KEYS, type ProblemCommand } from '../problem';
import { Instant } from './answers';
import { CaseWork, EpochMs } from './work';

const text = (max: number) => z.string().trim().min(1).max(max);
const name = text(200);

export const RaiseProblemInput = z.strictObject({
  title: text(200),
  description: text(10_000),
  service: name,
  configurationItem: name.optional(),
  category: name,
  impact: z.enum(['low', 'medium', 'high']),
  /** the team that investigates it */
  group: name,
  incidents: z.array(z.string().regex(/^INC\d{7,}$/)).max(500).default([]),
});
export type RaiseProblemInput = z.infer<typeof RaiseProblemInput>;

export const ProblemCommandInputs = {
  investigate: z.strictObject({ note: text(2000).optional() }),
  /** the root cause found and the workaround published: the problem becomes a known error */
  record_known_error: z.strictObject({ symptoms: text(4000), rootCause: text(10_000), workaround: text(10_000) }),
  /** the RFC raised to remove the root cause; its successful close resolves the problem */
  link_change: z.strictObject({ change: z.string().regex(/^CHG\d{7,}$/, 'a change number such as CHG0000001') }),
  link_incidents: z.strictObject({ incidents: z.array(z.string().regex(/^INC\d{7,}$/)).min(1).max(500) }),
  cancel: z.strictObject({ reason: text(2000) }),
  comment: z.strictObject({ text: text(2000) }),
} satisfies Record<ProblemCommand, z.ZodType>;
/** A command's input as the workflow gets it: as sent, and for `link_incidents` when each incident opened (the API adds it from the records). */
export type ProblemCommandInput<C extends ProblemCommand> = z.infer<(typeof ProblemCommandInputs)[C]> & (C extends 'link_incidents' ? { openedAt?: Record<string, number> } : unknown);

export const ProblemPolicyBody = z.strictObject({
  /** days a resolved problem is watched for recurrence before it closes */
  verificationDays: z.number().int().min(1).max(365),
  /** what happens to its open incidents when a problem is resolved */
  onResolve: z.enum(['resolve_incidents', 'leave_to_teams']),
});
export type ProblemPolicyBody = z.infer<typeof ProblemPolicyBody>;

export const ProblemNumber = z.string().regex(/^PRB\d{7,}$/, 'a problem number such as PRB0000001');

export const ProblemTrendBody = z.strictObject({
  enabled: z.boolean().default(true),
  /** incidents sharing this field form a trend */
  groupBy: z.enum(TREND_KEYS),
  /** how many incidents within the window make a trend */
  threshold: z.number().int().min(2).max(1000),
  windowMinutes: z.number().int().min(1).max(525_600),
  /** how often the scan runs (a Temporal Schedule) */
  scanIntervalMinutes: z.number().int().min(1).max(10_080),
  /** the problem team a trend's problem goes to */
  group: name,
  impact: z.enum(['low', 'medium', 'high']).default('medium'),
});
export type ProblemTrendBody = z.infer<typeof ProblemTrendBody>;

/** A problem's record as answers show it (instants as epoch ms): a list's item. */
export const ProblemRecordAnswer = z.strictObject({
  ...RaiseProblemInput.shape,
  number: ProblemNumber,
  state: z.enum(PROBLEM_STATES),
  raisedBy: z.string(),
  openedAt: EpochMs,
  knownError: z.strictObject({ symptoms: z.string(), rootCause: z.string(), workaround: z.string(), by: z.string(), at: EpochMs }).nullable(),
  change: z.string().nullable().describe('the change raised to remove the root cause'),
  resolvedAt: EpochMs.nullable(),
  verifyUntil: EpochMs.nullable().describe('until when a resolved problem is watched for recurrence'),
  closedAt: EpochMs.nullable(),
  recurrences: z.number().int(),
  cancelReason: z.string().nullable(),
  comments: z.array(z.strictObject({ at: EpochMs, by: z.string(), text: z.string() })),
  policy: z.strictObject({ problem: z.number().int(), onResolve: ProblemPolicyBody.shape.onResolve, verificationDays: z.number().int() }),
  trend: z.strictObject({ groupBy: z.string(), key: z.string() }).nullable().describe('the incident trend that raised it, if one did'),
  seq: z.number().int(),
});
/** A problem as every answer about it shows it: its record with its investigation tasks. */
export const ProblemAnswer = ProblemRecordAnswer.extend({ tasks: CaseWork.tasks });

/** A known error as the KEDB shows it. */
export const KnownErrorAnswer = z.strictObject({
  id: ProblemNumber,
  problem: ProblemNumber,
  state: z.enum(PROBLEM_STATES),
  title: z.string(),
  service: z.string(),
  configurationItem: z.string().nullable(),
  category: z.string(),
  symptoms: z.string(),
  rootCause: z.string(),
  workaround: z.string(),
  recordedBy: z.string(),
  recordedAt: Instant,
  change: z.string().nullable(),
});
