/** The CI verification policy, a verification as it is opened, and its commands' input, as the API validates them. */
import { z } from 'zod';
import { VERIFICATION_STATES, type VerificationCommand } from '../verification';
import { EpochMs, TaskAnswer } from './work';

const text = (max: number) => z.string().trim().min(1).max(max);
const name = text(200);
const Level = z.number().int().min(1).max(3);

export const CiVerificationPolicyBody = z.strictObject({
  /** the daily audit opens verifications; off: only on demand */
  enabled: z.boolean().default(true),
  /** days a CI may go unverified */
  everyDays: z.number().int().min(1).max(3650).default(180),
  /** days per CI class, where a class needs another period (network devices quarterly: 90) */
  classes: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,49}$/, 'a CI class name such as network_device'), z.number().int().min(1).max(3650)).default({}),
  /** the group that verifies every CI; null: each CI's owner, taken as a group (as the CMDB's owners are named in this installation) */
  verifierGroup: name.nullable().default(null),
  /** days the owner groups have for their tasks; after it they are reminded once */
  dueDays: z.number().int().min(1).max(90).default(14),
  /** the most CIs one audit opens tasks for (the oldest verified first); the rest wait for the next day */
  maxPerAudit: z.number().int().min(1).max(500).default(200),
  /** what a difference found opens: an incident (the CI is not as it should be), a change (to bring it and its record into agreement through change control), or nothing but the record */
  onDifference: z.enum(['incident', 'change', 'record']).default('incident'),
  incident: z
    .strictObject({ service: name.default('Configuration management'), category: name.default('configuration'), impact: Level.default(3), urgency: Level.default(3) })
    .default({ service: 'Configuration management', category: 'configuration', impact: 3, urgency: 3 }),
  change: z.strictObject({ leadDays: z.number().int().min(0).max(90).default(7) }).default({ leadDays: 7 }),
});
export type CiVerificationPolicyBody = z.infer<typeof CiVerificationPolicyBody>;

export const OpenVerificationInput = z.strictObject({
  /** the CIs to verify now; none: those the policy says are due (409 when none is) */
  cis: z.array(name).min(1).max(500).optional(),
});

export const VerificationCommandInputs = {
  cancel: z.strictObject({ reason: text(2000) }),
  comment: z.strictObject({ text: text(2000) }),
} satisfies Record<VerificationCommand, z.ZodType>;
export type VerificationCommandInput<C extends VerificationCommand> = z.infer<(typeof VerificationCommandInputs)[C]>;

export const VerificationNumber = z.string().regex(/^VER\d{7,}$/, 'a verification number such as VER0000001');

export const VerificationRecordAnswer = z.strictObject({
  number: VerificationNumber,
  state: z.enum(VERIFICATION_STATES),
  policy: z.strictObject({ version: z.number().int(), onDifference: z.string() }),
  openedBy: z.string(),
  openedAt: EpochMs,
  dueAt: EpochMs,
  overdueAt: EpochMs.nullable(),
  items: z
    .array(
      z.strictObject({
        ci: z.string(),
        class: z.string(),
        group: z.string(),
        service: z.string(),
        verifiedAt: EpochMs.nullable().describe('when it was last verified before this case'),
        task: z.string().nullable(),
        result: z.enum(['verified', 'different']).nullable(),
        findings: z.string().nullable(),
        by: z.string().nullable(),
        at: EpochMs.nullable(),
        opened: z.string().nullable().describe('the incident or change the difference opened'),
      }),
    )
    .describe('one per CI: its task, and what the verification found'),
  closedAt: EpochMs.nullable(),
  cancelReason: z.string().nullable(),
  comments: z.array(z.strictObject({ at: EpochMs, by: z.string(), text: z.string() })),
  seq: z.number().int(),
});
export const VerificationAnswer = VerificationRecordAnswer.extend({ tasks: z.array(TaskAnswer) });
