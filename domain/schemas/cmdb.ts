/**
 * What the configuration management API takes and answers: CI classes (kept by the process owner
 * as versioned data), configuration items with their attributes and relationships, their
 * histories, impact analyses and baselines.
 */
import { z } from 'zod';
import { CI_NAME, CI_STATUSES, IMPACT_DEPTH_DEFAULT, IMPACT_DEPTH_MAX, RELATIONSHIP_TYPE_NAMES } from '../cmdb';
import { Instant, ListOf, PageOf } from './answers';
import { FormField } from './request';

const text = z.string().trim().min(1).max(200);
export const CiName = z.string().regex(CI_NAME, 'a CI name: letters, digits and . _ : - (up to 100), such as vm-1');
export const CiClassName = z.string().regex(/^[a-z][a-z0-9_]{0,49}$/, 'a class name such as database_server');
const why = z.string().trim().min(1).max(1000).describe('why: kept in the CI’s history');

export const CiClassBody = z
  .strictObject({
    description: z.string().max(4000).default(''),
    /** the attributes a CI of the class has, checked on every write (the fields of a catalogue form) */
    attributes: z.array(FormField).max(50).default([]),
    /** CIs of the class change only through a change: a direct edit is refused */
    changeControlled: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    const names = c.attributes.map((a) => a.name);
    names.forEach((n, i) => names.indexOf(n) !== i && ctx.addIssue({ code: 'custom', path: ['attributes', i, 'name'], message: `${n} is named twice` }));
  });
export type CiClassBody = z.infer<typeof CiClassBody>;

export const CiClassAnswer = z.strictObject({
  name: CiClassName,
  version: z.number().int().min(1),
  updatedAt: Instant,
  updatedBy: z.string(),
  description: z.string(),
  attributes: z.array(z.record(z.string(), z.unknown())),
  changeControlled: z.boolean(),
});
export const CiClassList = ListOf(CiClassAnswer);

const Attributes = z.record(z.string(), z.unknown()).describe('as the class defines them');
export const RelationshipInput = z.strictObject({
  type: z.enum(RELATIONSHIP_TYPE_NAMES).describe('read “this CI <type> to”: depends_on, runs_on, hosted_on, uses, connects_to, backed_up_by, part_of'),
  to: CiName,
});

export const RegisterCiInput = z.strictObject({
  name: CiName,
  class: CiClassName,
  description: z.string().max(4000).default(''),
  owner: text.describe('who is accountable for the CI (a person or a group)'),
  status: z.enum(CI_STATUSES).default('live'),
  attributes: Attributes.default({}),
  relationships: z.array(RelationshipInput).max(500).default([]),
  why: why.default('registered'),
});
export type RegisterCiInput = z.infer<typeof RegisterCiInput>;

export const UpdateCiInput = z.strictObject({
  description: z.string().max(4000).optional(),
  owner: text.optional(),
  status: z.enum(CI_STATUSES).optional(),
  /** merged into the CI's attributes; null removes one */
  attributes: Attributes.optional(),
  why,
});
export type UpdateCiInput = z.infer<typeof UpdateCiInput>;

export const AddRelationshipInput = RelationshipInput.extend({ why });
export const RemoveRelationshipQuery = z.strictObject({ why });

const Rel = z.strictObject({ from: z.string(), type: z.string(), to: z.string() });

export const CiAnswer = z.strictObject({
  name: z.string(),
  class: z.string(),
  classVersion: z.number().int(),
  description: z.string(),
  owner: z.string(),
  status: z.enum(CI_STATUSES),
  attributes: z.record(z.string(), z.unknown()),
  relationships: z.array(Rel).describe('from this CI to others'),
  dependents: z.array(Rel).describe('from others to this CI'),
  changeControlled: z.boolean().describe('its class is under change control: it changes only through a change'),
  version: z.number().int().describe('each change of its attributes or relationships is a version; a write may send it as If-Match'),
  verifiedAt: Instant.nullable().describe('when a verification last found it (as recorded or not): GET /verifications'),
  verification: z.strictObject({ case: z.string(), result: z.enum(['verified', 'different']), findings: z.string().nullable(), by: z.string(), at: Instant }).nullable().describe('the last verification: the case, what it found, who, when'),
  createdAt: Instant,
  createdBy: z.string(),
  updatedAt: Instant,
  updatedBy: z.string(),
});
export const CiPage = PageOf(CiAnswer.omit({ dependents: true }));

export const CiHistoryEntry = z.strictObject({
  version: z.number().int(),
  action: z.enum(['registered', 'updated', 'relationship_added', 'relationship_removed']),
  at: Instant,
  by: z.string(),
  why: z.string(),
  change: z.string().nullable().describe('the change that made it, when a change did'),
  changes: z.array(z.strictObject({ field: z.string().describe('attributes.<name>, owner, status, description, class or relationships'), from: z.unknown(), to: z.unknown() })),
});
export const CiHistory = z.strictObject({ name: z.string(), items: z.array(CiHistoryEntry) });

export const ImpactQuery = z.strictObject({
  depth: z.coerce.number().int().min(1).max(IMPACT_DEPTH_MAX).default(IMPACT_DEPTH_DEFAULT),
});
const Path = z.array(Rel).describe('the relationships that carry the impact, from the affected CI back to the one analysed');
export const ImpactAnswer = z.strictObject({
  ci: z.string(),
  depth: z.number().int().describe('how many relationships away it looked'),
  truncated: z.boolean().describe('the depth or the CI bound left some dependents out'),
  cis: z.array(z.strictObject({ name: z.string(), class: z.string(), owner: z.string(), status: z.enum(CI_STATUSES), depth: z.number().int(), path: Path })),
  services: z.array(
    z.strictObject({
      id: z.string(),
      name: z.string(),
      owner: z.string(),
      customers: z.array(z.string()),
      status: z.string(),
      through: z.string().describe('the CI of the service that is affected'),
      path: Path,
    }),
  ),
});
export type ImpactAnswer = z.infer<typeof ImpactAnswer>;

/** The changes implemented lately on an incident's CI and on the CIs it depends on: a major incident's first question. */
export const RecentChangesQuery = z.strictObject({ hours: z.coerce.number().int().min(1).max(24 * 30).default(72) });
export const RecentChangesAnswer = z.strictObject({
  number: z.string(),
  configurationItem: z.string().nullable(),
  hours: z.number().int(),
  since: Instant,
  cis: z.array(z.strictObject({ name: z.string(), depth: z.number().int(), path: Path })).describe('the incident’s CI and the CIs it depends on (nearest first), the ones looked at'),
  truncated: z.boolean().describe('the CIs it depends on were more than were looked at'),
  changes: z.array(
    z.strictObject({
      number: z.string(),
      title: z.string(),
      state: z.string(),
      outcome: z.string().nullable(),
      implementedAt: Instant,
      configurationItem: z.string().describe('the CI it was implemented on, among those looked at'),
      path: Path.describe('how the incident’s CI depends on it (empty: the same CI)'),
    }),
  ),
});

/** How many CIs one baseline keeps at most. */
export const BASELINE_CIS_MAX = 2_000;
export const BaselineId = z.string().regex(/^bl-\d+$/, 'a baseline id such as bl-1');
export const TakeBaselineInput = z
  .strictObject({
    name: text,
    description: z.string().max(4000).default(''),
    /** the CIs it keeps: these by name, or every CI of a class */
    cis: z.array(CiName).min(1).max(BASELINE_CIS_MAX).optional(),
    class: CiClassName.optional(),
  })
  .superRefine((b, ctx) => {
    if (!!b.cis === !!b.class) ctx.addIssue({ code: 'custom', path: ['cis'], message: 'name the CIs (cis) or a class (class), one of the two' });
    if (b.cis && new Set(b.cis).size !== b.cis.length) ctx.addIssue({ code: 'custom', path: ['cis'], message: 'each CI once' });
  });
const BaselineItemAnswer = z.strictObject({
  name: z.string(),
  class: z.string(),
  classVersion: z.number().int(),
  description: z.string(),
  owner: z.string(),
  status: z.enum(CI_STATUSES),
  attributes: z.record(z.string(), z.unknown()),
  relationships: z.array(z.strictObject({ type: z.string(), to: z.string() })),
  version: z.number().int(),
});
const BaselineHead = {
  id: BaselineId,
  name: z.string(),
  description: z.string(),
  scope: z.union([z.strictObject({ cis: z.array(z.string()) }), z.strictObject({ class: z.string() })]),
  createdAt: Instant,
  createdBy: z.string(),
  count: z.number().int().describe('how many CIs it keeps'),
};
export const BaselineAnswer = z.strictObject({ ...BaselineHead, items: z.array(BaselineItemAnswer) });
export const BaselinePage = PageOf(z.strictObject(BaselineHead));
const ChangeAnswer = z.strictObject({ field: z.string(), from: z.unknown(), to: z.unknown() });
export const BaselineDiffAnswer = z.strictObject({
  id: BaselineId,
  name: z.string(),
  createdAt: Instant,
  changed: z.array(z.strictObject({ name: z.string(), baselineVersion: z.number().int(), version: z.number().int(), changes: z.array(ChangeAnswer) })).describe('CIs that differ today, field by field from the baseline to today'),
  added: z.array(z.string()).describe('CIs of the baseline’s class registered since (a baseline of a class)'),
  unchanged: z.number().int(),
});

/** Whether a process's cases may name services and CIs that are not in the portfolio and the CMDB (a transition period), per process. */
export const ReferencesPolicyBody = z.strictObject({
  freeText: z.strictObject({
    incident: z.boolean().default(false),
    problem: z.boolean().default(false),
    change: z.boolean().default(false),
  }),
});
export type ReferencesPolicyBody = z.infer<typeof ReferencesPolicyBody>;
