/** An improvement's registration, its cycle's plan and its commands' input, as the API validates them. */
import { z } from 'zod';
import { IMPROVEMENT_SOURCES, IMPROVEMENT_STATES, type ImprovementCommand } from '../improvement';
import { Instant, VersionRef } from './answers';
import { CaseWork, EpochMs } from './work';

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

const TargetAnswer = z.strictObject({ name: z.string(), description: z.string(), baseline: z.number(), target: z.number(), unit: z.string() });
const ActionAnswer = z.strictObject({
  title: z.string(),
  group: z.string(),
  due: Instant,
  task: z.string().nullable().describe('the task the action became'),
  done: z.boolean(),
  remindedAt: EpochMs.nullable(),
  escalatedAt: EpochMs.nullable(),
});
const CycleAnswer = z.strictObject({
  n: z.number().int(),
  startedAt: EpochMs,
  endedAt: EpochMs.nullable(),
  objective: z.string().nullable(),
  targets: z.array(TargetAnswer),
  actions: z.array(ActionAnswer),
  measurements: z.array(z.strictObject({ target: z.string(), value: z.number(), at: EpochMs, by: z.string(), note: z.string().nullable() })),
  approval: z.strictObject({ policy: VersionRef.nullable(), outcome: z.enum(['approved', 'rejected', 'not_required']), reason: z.string() }).nullable(),
  review: z
    .strictObject({ decision: z.enum(['met', 'partly_met', 'not_met']), notes: z.string(), lessons: z.string(), standardisation: z.string().nullable(), by: z.string(), at: EpochMs })
    .nullable(),
});

/** An improvement as the register lists it: its record, its phase, and the current cycle's targets with their latest figures. */
export const ImprovementRecordAnswer = z.strictObject({
  ...RegisterImprovementInput.shape,
  number: ImprovementNumber,
  state: z.enum(IMPROVEMENT_STATES),
  registeredBy: z.string(),
  openedAt: EpochMs,
  closedAt: EpochMs.nullable(),
  cancelReason: z.string().nullable(),
  cycles: z.array(CycleAnswer).describe('every PDCA cycle, the current one last'),
  lessons: z.array(z.string()).describe('lessons learned so far, carried into every next cycle'),
  comments: z.array(z.strictObject({ at: EpochMs, by: z.string(), text: z.string() })),
  seq: z.number().int(),
  phase: z.enum(['plan', 'do', 'check', 'act', 'closed']),
  cycle: z.number().int().describe('the current cycle'),
  current: CycleAnswer.extend({
    targets: z.array(TargetAnswer.extend({ latest: z.strictObject({ value: z.number(), at: Instant }).nullable(), met: z.boolean() })),
  }).describe("the current cycle, each target with its latest measurement and whether it meets the target"),
  overdueActions: z.array(ActionAnswer),
});
/** An improvement as every answer about it shows it: with its approvals and action tasks. */
export const ImprovementAnswer = ImprovementRecordAnswer.extend(CaseWork);

export const ImprovementSummaryAnswer = z.strictObject({
  improvements: z.number().int(),
  byState: z.record(z.enum(IMPROVEMENT_STATES), z.number().int()),
  byPhase: z.record(z.enum(['plan', 'do', 'check', 'closed']), z.number().int()),
  cyclesEnded: z.number().int(),
  cyclesClosedWithTargetsMet: z.number().int(),
  meanCycleTimeDays: z.number().nullable(),
});
