/** Requests for change, their commands' input and the change policy, as the API validates them. */
import { z } from 'zod';
import { CHANGE_STATES, CHANGE_TYPES, RISKS, type ChangeCommand } from '../change';
import { VersionRef } from './answers';
import { CiName, RelationshipInput } from './cmdb';
import { CI_STATUSES } from '../cmdb';
import { CaseWork, EpochMs } from './work';

const text = (max: number) => z.string().trim().min(1).max(max);
const name = text(200);
const instant = z.iso.datetime({ offset: true });

/** A CI update a change carries: applied to the CI when the change completes successfully (the way a CI under change control changes). */
export const CiUpdate = z.strictObject({
  ci: CiName.describe("one of the change's configurationItems"),
  owner: name.optional(),
  status: z.enum(CI_STATUSES).optional(),
  description: z.string().max(4000).optional(),
  /** merged into the CI's attributes; null removes one */
  attributes: z.record(z.string(), z.unknown()).optional(),
  addRelationships: z.array(RelationshipInput).max(100).default([]),
  removeRelationships: z.array(RelationshipInput).max(100).default([]),
});
export type CiUpdate = z.infer<typeof CiUpdate>;

export const RaiseChangeInput = z
  .strictObject({
    title: text(200),
    description: text(10_000),
    justification: text(10_000),
    type: z.enum(CHANGE_TYPES),
    /** a standard change names the pre-approved template it follows */
    template: z.string().min(1).max(100).optional(),
    configurationItems: z.array(name).min(1).max(100),
    services: z.array(name).max(100).default([]),
    risk: z.enum(RISKS),
    impact: z.enum(['low', 'medium', 'high']),
    plannedStart: instant,
    plannedEnd: instant,
    implementationPlan: text(20_000),
    backoutPlan: text(20_000),
    /** the group that implements it (and backs it out) */
    implementationGroup: name,
    incidents: z.array(z.string().regex(/^INC\d{7,}$/)).max(100).default([]),
    problems: z.array(z.string().regex(/^PRB\d{7,}$/)).max(100).default([]),
    cost: z.number().min(0).max(1e12).optional(),
    /** what the change does to its CIs in the CMDB, applied when it completes successfully */
    ciUpdates: z.array(CiUpdate).max(100).optional(),
  })
  .superRefine((c, ctx) => {
    if (Date.parse(c.plannedEnd) <= Date.parse(c.plannedStart)) ctx.addIssue({ code: 'custom', path: ['plannedEnd'], message: 'the planned end must be after the planned start' });
    if (c.type === 'standard' && !c.template) ctx.addIssue({ code: 'custom', path: ['template'], message: 'a standard change names its pre-approved template' });
    if (c.type !== 'standard' && c.template) ctx.addIssue({ code: 'custom', path: ['template'], message: 'only a standard change follows a template' });
    c.ciUpdates?.forEach((u, i, all) => {
      if (!c.configurationItems.includes(u.ci)) ctx.addIssue({ code: 'custom', path: ['ciUpdates', i, 'ci'], message: `${u.ci} is not among the change's configurationItems` });
      if (all.findIndex((o) => o.ci === u.ci) !== i) ctx.addIssue({ code: 'custom', path: ['ciUpdates', i, 'ci'], message: `${u.ci} has one update, not two` });
    });
  });
export type RaiseChangeInput = z.infer<typeof RaiseChangeInput>;

export const ChangePolicyBody = z.strictObject({
  blackouts: z
    .array(z.strictObject({ name, start: instant, end: instant, services: z.array(name).max(100).default([]) }))
    .max(500)
    .default([]),
  standardTemplates: z.array(z.strictObject({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/), name, description: z.string().max(2000).default('') })).max(500).default([]),
  /** a blackout or collision: refuse the change (409), or route it to an extra approval policy */
  onConflict: z.discriminatedUnion('action', [
    z.strictObject({ action: z.literal('refuse') }),
    z.strictObject({ action: z.literal('approve'), approvalPolicy: z.string().regex(/^ap-\d+$/) }),
  ]),
});
export type ChangePolicyBody = z.infer<typeof ChangePolicyBody>;

export const ChangeCommandInputs = {
  /** the requester hands the RFC in: to assessment, or straight to scheduled for a standard change */
  submit: z.strictObject({ note: text(2000).optional() }),
  /** the change manager's risk assessment: on to authorization by the matching approval policy */
  assess: z.strictObject({ risk: z.enum(RISKS), impact: z.enum(['low', 'medium', 'high']), assessment: text(10_000) }),
  implement: z.strictObject({ note: text(2000).optional() }),
  /** the implementation's result: successful goes to review; failed opens a back-out task first */
  complete: z.strictObject({ result: z.enum(['successful', 'failed']), notes: text(10_000) }),
  cancel: z.strictObject({ reason: text(2000) }),
  comment: z.strictObject({ text: text(2000) }),
} satisfies Record<ChangeCommand, z.ZodType>;
export type ChangeCommandInput<C extends ChangeCommand> = z.infer<(typeof ChangeCommandInputs)[C]>;

export const ChangeNumber = z.string().regex(/^CHG\d{7,}$/, 'a change number such as CHG0000001');

/** A change's record as answers show it (instants as epoch ms): a list's item. */
export const ChangeRecordAnswer = z.strictObject({
  ...RaiseChangeInput.shape,
  number: ChangeNumber,
  state: z.enum(CHANGE_STATES),
  requestedBy: z.string(),
  openedAt: EpochMs,
  assessment: z.strictObject({ risk: z.string(), impact: z.string(), assessment: z.string(), by: z.string(), at: EpochMs }).nullable(),
  conflicts: z
    .array(
      z.strictObject({
        kind: z.enum(['blackout', 'collision']),
        with: z.string().describe("the blackout's name, or the colliding change's number"),
        from: z.string(),
        to: z.string(),
        configurationItem: z.string().optional(),
        via: z.string().optional().describe('the relationship between a CI of this change and the colliding change’s CI'),
      }),
    )
    .describe('conflicts found when it was raised'),
  affects: z
    .strictObject({
      services: z.array(z.strictObject({ id: z.string(), name: z.string(), owner: z.string(), customers: z.array(z.string()) })),
      cis: z.number().int(),
      dependents: z.array(z.string()).optional().describe('the CIs that depend on its CIs, nearest first (at most 100)'),
      truncated: z.boolean(),
    })
    .nullable()
    .default(null)
    .describe('what depends on its CIs, as the CMDB said when it was raised: the owners of these services are told at assessment'),
  ciUpdateResults: z
    .array(z.strictObject({ ci: z.string(), outcome: z.enum(['applied', 'unchanged', 'refused']), version: z.number().int().nullable(), reason: z.string().nullable() }))
    .nullable()
    .default(null)
    .describe('what its CI updates came to when it completed successfully'),
  authorization: z.strictObject({ policy: VersionRef.nullable(), outcome: z.enum(['approved', 'rejected']), reason: z.string(), at: EpochMs }).nullable(),
  implementation: z.strictObject({ startedAt: EpochMs.nullable(), endedAt: EpochMs.nullable(), result: z.enum(['successful', 'failed']).nullable(), notes: z.string().nullable() }),
  backingOut: z.boolean(),
  release: z.string().nullable().default(null).describe('the release that deploys it: it implements, completes and lets go of the change'),
  outcome: z.string().nullable().describe("the review's verdict: successful, failed or backed_out"),
  closedAt: EpochMs.nullable(),
  cancelReason: z.string().nullable(),
  comments: z.array(z.strictObject({ at: EpochMs, by: z.string(), text: z.string() })),
  policy: z.strictObject({ change: z.number().int() }),
  seq: z.number().int(),
});
/** A change as every answer about it shows it: its record with its approvals and tasks. */
export const ChangeAnswer = ChangeRecordAnswer.extend(CaseWork);

/** The change calendar between two instants: the changes holding a window in it and the blackouts touching it. */
export const ChangeCalendarAnswer = z.strictObject({
  from: z.string(),
  to: z.string(),
  changes: z.array(
    z.strictObject({
      number: ChangeNumber,
      title: z.string(),
      state: z.enum(CHANGE_STATES),
      type: z.enum(CHANGE_TYPES),
      risk: z.enum(RISKS),
      plannedStart: z.string(),
      plannedEnd: z.string(),
      configurationItems: z.array(z.string()),
      services: z.array(z.string()),
    }),
  ),
  blackouts: z.array(z.strictObject({ name: z.string(), start: z.string(), end: z.string(), services: z.array(z.string()) })),
});
