/** A service transition as it is opened, its commands' input, its policy and its answers, as the API validates them. */
import { z } from 'zod';
import { ITEM_KINDS, TRANSITION_KINDS, TRANSITION_STATES, type TransitionCommand } from '../transition';
import { Instant, VersionRef } from './answers';
import { ServiceId } from './service';
import { CaseWork, EpochMs } from './work';

const text = (max: number) => z.string().trim().min(1).max(max);
const name = text(200);

export const NewItem = z
  .strictObject({
    kind: z.enum(ITEM_KINDS),
    title: name,
    /** who answers for it; the transition's owner unless named */
    owner: name.optional(),
    /** what shows it is done, when it is already */
    evidence: text(2000).optional(),
  })
  .refine((i) => i.kind !== 'acceptance_criterion' || i.evidence === undefined, { path: ['evidence'], message: 'an acceptance criterion is met at acceptance (meet_criterion), not given evidence in the design' });

export const CreateTransitionInput = z.strictObject({
  /** new: a pipeline service brought live; change: a service changed and brought (back) live; retire: a live service taken out of operation */
  kind: z.enum(TRANSITION_KINDS),
  service: ServiceId,
  title: name,
  description: text(10_000),
  /** the transition manager */
  owner: name,
  /** the team doing the work */
  group: name,
  /** the design checklist it starts with */
  items: z.array(NewItem).max(100).default([]),
});
export type CreateTransitionInput = z.infer<typeof CreateTransitionInput>;

export const TransitionCommandInputs = {
  add_item: NewItem,
  record_evidence: z.strictObject({ item: z.string().regex(/^I\d+$/, 'an item id such as I1'), evidence: text(2000) }),
  submit_design: z.strictObject({ note: text(2000).optional() }),
  /** the API adds the releases that name the transition, as it found them */
  submit_for_acceptance: z.strictObject({ note: text(2000).optional() }),
  meet_criterion: z.strictObject({ item: z.string().regex(/^I\d+$/, 'an item id such as I1'), evidence: text(2000) }),
  accept: z.strictObject({ note: text(2000).optional() }),
  refuse: z.strictObject({ reason: text(2000) }),
  add_improvement: z.strictObject({ title: name, benefit: text(2000).optional() }),
  cancel: z.strictObject({ reason: text(2000) }),
  comment: z.strictObject({ text: text(2000) }),
} satisfies Record<TransitionCommand, z.ZodType>;
/** What the workflow receives: the body, and for submit_for_acceptance the releases the API found. */
export type TransitionCommandInput<C extends TransitionCommand> = z.infer<(typeof TransitionCommandInputs)[C]> &
  (C extends 'submit_for_acceptance' ? { releases: Array<{ number: string; state: string }> } : unknown);

export const TransitionPolicyBody = z.strictObject({
  /** days after acceptance the post-transition review falls due */
  reviewAfterDays: z.number().int().min(1).max(365).default(30),
  /** the group that reviews; null: the transition's own group */
  reviewGroup: name.nullable().default(null),
  /** days the reviewers have for the review task; after it they are reminded once, and the transition waits on */
  reviewDueDays: z.number().int().min(1).max(90).default(14),
});
export type TransitionPolicyBody = z.infer<typeof TransitionPolicyBody>;

export const TransitionPolicyAnswer = z.strictObject({
  version: z.number().int().min(1).describe('the version shown; a PUT over it sends it back, as `If-Match: "<version>"` or in the body'),
  updatedAt: Instant.describe('when this version was written'),
  updatedBy: z.string().describe('who wrote this version (`system` for a default policy)'),
  ...TransitionPolicyBody.shape,
});

export const TransitionNumber = z.string().regex(/^TRN\d{7,}$/, 'a transition number such as TRN0000001');

const ItemAnswer = z.strictObject({
  id: z.string(),
  kind: z.enum(ITEM_KINDS),
  title: z.string(),
  owner: z.string(),
  evidence: z.string().nullable().describe('what shows it is done; for an acceptance criterion, that it was met at acceptance'),
  evidenceBy: z.string().nullable(),
  evidenceAt: EpochMs.nullable(),
  by: z.string(),
  at: EpochMs,
});

export const TransitionRecordAnswer = z.strictObject({
  number: TransitionNumber,
  state: z.enum(TRANSITION_STATES),
  kind: z.enum(TRANSITION_KINDS),
  service: z.strictObject({ id: z.string(), name: z.string(), owner: z.string(), status: z.string().describe('its status when the transition opened') }),
  title: z.string(),
  description: z.string(),
  owner: z.string(),
  group: z.string(),
  openedBy: z.string(),
  openedAt: EpochMs,
  items: z.array(ItemAnswer),
  approval: z.strictObject({ policy: VersionRef.nullable(), outcome: z.enum(['approved', 'rejected']), reason: z.string(), at: EpochMs }).nullable().describe('the last decision on the design'),
  releases: z.array(z.strictObject({ number: z.string(), state: z.string() })).describe('the releases that transitioned it, as they stood when it went to acceptance'),
  accepted: z.strictObject({ by: z.string(), at: EpochMs }).nullable(),
  portfolio: z
    .strictObject({
      service: z.strictObject({ id: z.string(), from: z.string(), to: z.string(), version: z.number().int().nullable() }),
      slas: z.array(z.strictObject({ id: z.string(), active: z.boolean(), version: z.number().int().nullable(), note: z.string().nullable() })),
      catalogItems: z.array(z.strictObject({ id: z.string(), active: z.boolean(), version: z.number().int().nullable() })),
    })
    .nullable()
    .describe('what acceptance wrote in the portfolio (version null: already so, left as it was)'),
  review: z.strictObject({
    dueAt: EpochMs.describe('when the post-transition review falls due (set at acceptance; 0 before)'),
    taskDueAt: EpochMs.nullable(),
    overdueAt: EpochMs.nullable(),
    outcome: z.string().nullable(),
    lessons: z.string().nullable(),
    notes: z.string().nullable(),
    by: z.string().nullable(),
    at: EpochMs.nullable(),
  }),
  improvements: z.array(z.strictObject({ number: z.string(), title: z.string(), by: z.string(), at: EpochMs })),
  policy: z.strictObject({ version: z.number().int(), ...TransitionPolicyBody.shape }),
  closedAt: EpochMs.nullable(),
  cancelReason: z.string().nullable(),
  comments: z.array(z.strictObject({ at: EpochMs, by: z.string(), text: z.string() })),
  seq: z.number().int(),
});
export const TransitionAnswer = TransitionRecordAnswer.extend(CaseWork);
