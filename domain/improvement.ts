/**
 * Continual improvement [ISO/IEC 20000-1 10.2] as Plan-Do-Check-Act cycles: the improvement
 * register, a cycle's plan (objective, measurable targets, actions), measurements against the
 * targets, and the review that closes the improvement or starts the next cycle.
 */
import { z } from 'zod';
import type { Actor } from './actor';

const text = (max: number) => z.string().trim().min(1).max(max);
const name = text(200);

export const IMPROVEMENT_SOURCES = ['nonconformity', 'audit_finding', 'incident_trend', 'problem', 'suggestion', 'complaint', 'management_review'] as const;
export const IMPROVEMENT_STATES = ['plan', 'approval', 'do', 'check', 'closed', 'cancelled'] as const;
export type ImprovementState = (typeof IMPROVEMENT_STATES)[number];
/** the PDCA phase each state belongs to */
export const PHASE_OF: Record<ImprovementState, 'plan' | 'do' | 'check' | 'act' | 'closed'> = {
  plan: 'plan',
  approval: 'plan',
  do: 'do',
  check: 'check',
  closed: 'closed',
  cancelled: 'closed',
};

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

export const IMPROVEMENT_COMMANDS = ['plan', 'measure', 'review', 'cancel', 'comment'] as const;
export type ImprovementCommand = (typeof IMPROVEMENT_COMMANDS)[number];
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

const FROM: Record<ImprovementCommand, readonly ImprovementState[]> = {
  plan: ['plan'],
  measure: ['do', 'check'],
  review: ['check'],
  cancel: ['plan', 'approval', 'do', 'check'],
  comment: ['plan', 'approval', 'do', 'check'],
};

/** Improvement managers and the owner steer an improvement; anyone may comment. */
export function refuseImprovementCommand(i: { state: ImprovementState; owner: string }, command: ImprovementCommand, actor: Actor): { kind: 'forbidden' | 'conflict'; message: string } | null {
  if (!FROM[command].includes(i.state)) return { kind: 'conflict', message: `cannot ${command} an improvement that is in ${i.state}` };
  if (command === 'comment' || actor.roles.includes('admin') || actor.roles.includes('improvement_manager') || actor.name === i.owner) return null;
  return { kind: 'forbidden', message: `only an improvement manager or the owner (${i.owner}) can ${command} this improvement` };
}

/** Whether a measurement reaches a target: whichever way the target lies from the baseline. */
export function targetMet(t: Pick<Target, 'baseline' | 'target'>, value: number): boolean {
  return t.target > t.baseline ? value >= t.target : value <= t.target;
}

export function improvementNumber(n: number): string {
  return `IMP${String(n).padStart(7, '0')}`;
}
export const ImprovementNumber = z.string().regex(/^IMP\d{7,}$/, 'an improvement number such as IMP0000001');
