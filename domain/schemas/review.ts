/** A service review as it is opened and its commands' input, as the API validates them. */
import { z } from 'zod';
import { REVIEW_STATES, type ReviewCommand } from '../review';
import { TaskAnswer, EpochMs } from './work';

const text = (max: number) => z.string().trim().min(1).max(max);

export const OpenReviewInput = z.strictObject({
  /** the SLA reviewed */
  sla: z.string().regex(/^sla-\d+$/, 'an SLA id such as sla-1'),
  /** the last month of the period reviewed (the SLA's review.everyMonths months ending with it) */
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month such as 2026-11'),
});
export type OpenReviewInput = z.infer<typeof OpenReviewInput>;

export const ReviewCommandInputs = {
  /** an action agreed in the review; `improvement: true` opens a PDCA improvement for it that names the review */
  add_action: z.strictObject({
    title: text(200),
    owner: text(200),
    due: z.iso.date().optional(),
    improvement: z.boolean().default(false),
    /** the benefit the improvement is to bring (when it opens one) */
    benefit: text(2000).optional(),
  }),
  cancel: z.strictObject({ reason: text(2000) }),
  comment: z.strictObject({ text: text(2000) }),
} satisfies Record<ReviewCommand, z.ZodType>;
export type ReviewCommandInput<C extends ReviewCommand> = z.infer<(typeof ReviewCommandInputs)[C]>;

export const ReviewNumber = z.string().regex(/^REV\d{7,}$/, 'a service review number such as REV0000001');

export const ReviewRecordAnswer = z.strictObject({
  number: ReviewNumber,
  state: z.enum(REVIEW_STATES),
  sla: z.strictObject({ id: z.string(), version: z.number().int(), name: z.string() }),
  service: z.strictObject({ id: z.string(), name: z.string(), owner: z.string() }),
  customer: z.string().nullable(),
  period: z.strictObject({ from: EpochMs, to: EpochMs, months: z.array(z.string()) }),
  report: z.record(z.string(), z.unknown()).nullable().describe('the service report of the period (GET /reports/services/{id}), attached when the review opened'),
  group: z.string(),
  openedBy: z.string(),
  openedAt: EpochMs,
  dueAt: EpochMs.describe('when the review task is due; after it the owner is reminded, and the review stays open'),
  overdueAt: EpochMs.nullable(),
  outcome: z.strictObject({ result: z.string(), minutes: z.string(), decisions: z.string().nullable(), by: z.string(), at: EpochMs }).nullable(),
  actions: z.array(z.strictObject({ n: z.number().int(), title: z.string(), owner: z.string(), due: z.string().nullable(), improvement: z.string().nullable(), by: z.string(), at: EpochMs })),
  closedAt: EpochMs.nullable(),
  cancelReason: z.string().nullable(),
  comments: z.array(z.strictObject({ at: EpochMs, by: z.string(), text: z.string() })),
  seq: z.number().int(),
});
export const ReviewAnswer = ReviewRecordAnswer.extend({ tasks: z.array(TaskAnswer) });
