/** A nonconformity as it is raised and its commands' input, as the API validates them. */
import { z } from 'zod';
import { NONCONFORMITY_STATES, type NonconformityCommand } from '../nonconformity';
import { EpochMs } from './work';

const text = (max: number) => z.string().trim().min(1).max(max);
const name = text(200);

export const RaiseNonconformityInput = z.strictObject({
  title: text(200),
  /** where it was found: an internal audit, a process review, a customer complaint … */
  detectedIn: name,
  /** the requirement not met, e.g. "ISO/IEC 20000-1 8.6.1" or an SLA clause */
  requirement: name,
  evidence: text(10_000),
  severity: z.enum(['minor', 'major']),
  service: name,
  /** the person accountable for correcting it */
  owner: name,
});
export type RaiseNonconformityInput = z.infer<typeof RaiseNonconformityInput>;

export const NonconformityCommandInputs = {
  /** what was done at once to limit the effects */
  contain: z.strictObject({ actions: text(10_000) }),
  /** the root cause: a corrective action starts, as a PDCA improvement cycle */
  record_root_cause: z.strictObject({ rootCause: text(10_000) }),
  /** after the corrective action closed: effective closes it; not effective starts another corrective action */
  review_effectiveness: z.strictObject({ effective: z.boolean(), notes: text(10_000) }),
  cancel: z.strictObject({ reason: text(2000) }),
  comment: z.strictObject({ text: text(2000) }),
} satisfies Record<NonconformityCommand, z.ZodType>;
export type NonconformityCommandInput<C extends NonconformityCommand> = z.infer<(typeof NonconformityCommandInputs)[C]>;

export const NonconformityNumber = z.string().regex(/^NCR\d{7,}$/, 'a nonconformity number such as NCR0000001');

/** A nonconformity as every answer shows it (instants as epoch ms). */
export const NonconformityAnswer = z.strictObject({
  ...RaiseNonconformityInput.shape,
  number: NonconformityNumber,
  state: z.enum(NONCONFORMITY_STATES),
  raisedBy: z.string(),
  openedAt: EpochMs,
  containment: z.strictObject({ actions: z.string(), by: z.string(), at: EpochMs }).nullable(),
  rootCause: z.strictObject({ rootCause: z.string(), by: z.string(), at: EpochMs }).nullable(),
  correctiveActions: z
    .array(z.strictObject({ improvement: z.string(), startedAt: EpochMs, endedAt: EpochMs.nullable(), outcome: z.string().nullable() }))
    .describe('the improvements run as its corrective actions, newest last'),
  effectiveness: z.strictObject({ effective: z.boolean(), notes: z.string(), by: z.string(), at: EpochMs }).nullable(),
  closedAt: EpochMs.nullable(),
  cancelReason: z.string().nullable(),
  comments: z.array(z.strictObject({ at: EpochMs, by: z.string(), text: z.string() })),
  seq: z.number().int(),
});
