/** An improvement's registration, its cycle's plan and its commands' input, as the API validates them. */
import { z } from 'zod';
import { IMPROVEMENT_SOURCES, type ImprovementCommand } from '../improvement';

const text = (max: number) => z.string().trim().min(1).max(max);
const name = text(200);

export const RegisterImprovementInput = z.strictObject({
  title: text(200),
  description: text(10_000),
  source: z.enum(IMPROVEMENT_SOURCES),
  /** the case it came from: a problem, an audit finding, a nonconformity … */
  sourceRef: z.string().max(100).optional(),
  service: name,
  /** the person accountable for it */
  owner: name,
  benefit: text(4000),
});
export type RegisterImprovementInput = z.infer<typeof RegisterImprovementInput>;

export const Target = z
  .strictObject({
    name: z.string().regex(/^[a-z][a-zA-Z0-9_]{0,49}$/, 'a target name such as firstCallResolution'),
    description: name,
    baseline: z.number(),
    target: z.number(),
    unit: z.string().trim().min(1).max(30),
  })
  .refine((t) => t.target !== t.baseline, { message: 'a target must differ from its baseline', path: ['target'] });
export type Target = z.infer<typeof Target>;

export const PlanInput = z
  .strictObject({
    objective: text(4000),
    targets: z.array(Target).min(1).max(20),
    actions: z.array(z.strictObject({ title: name, group: name, due: z.iso.datetime({ offset: true }) })).min(1).max(50),
  })
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.targets.forEach((t, i) => {
      if (seen.has(t.name)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'name'], message: `two targets are named ${t.name}` });
      seen.add(t.name);
    });
  });
export type PlanInput = z.infer<typeof PlanInput>;

export const ImprovementCommandInputs = {
  plan: PlanInput,
  measure: z.strictObject({ target: z.string().min(1).max(50), value: z.number(), note: z.string().max(2000).optional() }),
  /** the Check decision, and the Act that follows: met closes the improvement, otherwise a next cycle begins */
  review: z
    .strictObject({
      decision: z.enum(['met', 'partly_met', 'not_met']),
      notes: text(10_000),
      lessons: text(10_000),
      /** met: how the improvement is made the standard way of working */
      standardisation: text(10_000).optional(),
    })
    .refine((r) => r.decision !== 'met' || r.standardisation, { message: 'a met improvement says how it is standardised', path: ['standardisation'] }),
  cancel: z.strictObject({ reason: text(2000) }),
  comment: z.strictObject({ text: text(2000) }),
} satisfies Record<ImprovementCommand, z.ZodType>;
export type ImprovementCommandInput<C extends ImprovementCommand> = z.infer<(typeof ImprovementCommandInputs)[C]>;

export const ImprovementNumber = z.string().regex(/^IMP\d{7,}$/, 'an improvement number such as IMP0000001');
