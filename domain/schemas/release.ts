/** Releases, their commands' input and the release policy, as the API validates them. */
import { z } from 'zod';
import { RELEASE_STATES, RELEASE_TYPES, DEPLOYMENT_STATES, type ReleaseCommand } from '../release';
import { VersionRef } from './answers';
import { CiName } from './cmdb';
import { CaseWork, EpochMs } from './work';

const text = (max: number) => z.string().trim().min(1).max(max);
const name = text(200);
const instant = z.iso.datetime({ offset: true });
const envName = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'an environment name such as staging');
const ChangeNumber = z.string().regex(/^CHG\d{7,}$/, 'a change number such as CHG0000001');

/** A deployment window for one environment: it must lie outside blackouts, and in production inside every change's approved window. */
export const DeploymentWindow = z
  .strictObject({ environment: envName, start: instant, end: instant })
  .refine((w) => Date.parse(w.end) > Date.parse(w.start), { path: ['end'], message: 'the window must end after it starts' })
  .refine((w) => Date.parse(w.end) - Date.parse(w.start) <= 7 * 86_400_000, { path: ['end'], message: 'a deployment window is at most 7 days long' });
export type DeploymentWindow = z.infer<typeof DeploymentWindow>;

export const CreateReleaseInput = z
  .strictObject({
    title: name,
    description: text(10_000),
    type: z.enum(RELEASE_TYPES),
    /** the team that builds, deploys, verifies and rolls back */
    group: name,
    /** the approved changes it bundles: each scheduled, in no other open release */
    changes: z.array(ChangeNumber).min(1).max(50),
    /** the CIs and versions it delivers: each a CI of one of its changes */
    deliverables: z.array(z.strictObject({ ci: CiName, version: text(100) })).min(1).max(100),
    /** the tests it must pass before acceptance, each a task with a recorded result; a failed mandatory test bars acceptance */
    tests: z.array(z.strictObject({ name, mandatory: z.boolean().default(true) })).min(1).max(50),
    /** the service transition it delivers (8.5.2), when it is part of one */
    transition: z.string().regex(/^TRN\d{7,}$/, 'a transition number such as TRN0000001').optional(),
    /** deployment windows known now (more with `schedule`) */
    windows: z.array(DeploymentWindow).max(20).default([]),
  })
  .superRefine((r, ctx) => {
    const dup = <T>(xs: T[], key: (x: T) => string, path: string, what: string) =>
      xs.forEach((x, i) => {
        if (xs.findIndex((y) => key(y) === key(x)) !== i) ctx.addIssue({ code: 'custom', path: [path, i], message: `${key(x)} is ${what} once, not twice` });
      });
    dup(r.changes, (c) => c, 'changes', 'bundled');
    dup(r.deliverables, (d) => d.ci, 'deliverables', 'delivered');
    dup(r.tests, (t) => t.name, 'tests', 'named');
    dup(r.windows, (w) => w.environment, 'windows', 'given a window');
  });
export type CreateReleaseInput = z.infer<typeof CreateReleaseInput>;

/** How one environment is deployed to: a task for the release's group, or a call to a deployment tool. */
export const Deployment = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('task') }),
  /** POSTed with an Idempotency-Key, retried while it fails with 5xx or no answer; its 2xx answer `{"status":"succeeded"|"failed","details"?}` completes the step */
  z.strictObject({ kind: z.literal('webhook'), url: z.url({ protocol: /^https?$/ }) }),
]);

export const ReleasePolicyBody = z
  .strictObject({
    /** the environments in deployment order; the last is production, the only one where the CMDB changes */
    environments: z
      .array(
        z.strictObject({
          name: envName,
          /** production: its window must lie inside every bundled change's approved window */
          production: z.boolean().default(false),
          deployment: Deployment.default({ kind: 'task' }),
          /** a verification task after the deployment (failed: rolled back) */
          verify: z.boolean().default(true),
        }),
      )
      .min(1)
      .max(10),
    /** days of early life support after production */
    earlyLifeSupportDays: z.number().int().min(1).max(180).default(14),
    /** how long early life support extends itself while its exit criteria are not met */
    extendDays: z.number().int().min(1).max(90).default(7),
    /** how often incidents on the release's CIs are looked for during early life support */
    checkEveryHours: z.number().int().min(1).max(168).default(24),
    /** exit criteria: no open incident of these priorities on the release's CIs */
    exitPriorities: z.array(z.enum(['P1', 'P2', 'P3', 'P4'])).min(1).max(4).default(['P1', 'P2']),
  })
  .superRefine((p, ctx) => {
    const prod = p.environments.filter((e) => e.production);
    if (prod.length !== 1 || !p.environments[p.environments.length - 1].production) ctx.addIssue({ code: 'custom', path: ['environments'], message: 'exactly one environment is production, and it is the last' });
    p.environments.forEach((e, i, all) => {
      if (all.findIndex((o) => o.name === e.name) !== i) ctx.addIssue({ code: 'custom', path: ['environments', i, 'name'], message: `${e.name} is listed twice` });
    });
  });
export type ReleasePolicyBody = z.infer<typeof ReleasePolicyBody>;

export const ReleaseCommandInputs = {
  /** planning → building: the plan is agreed */
  build: z.strictObject({ note: text(2000).optional() }),
  /** building → testing: the build is ready; opens a task per test */
  build_done: z.strictObject({ build: text(200).describe('the build or package reference'), note: text(2000).optional() }),
  /** testing → building again: a new build (open test tasks are cancelled; the tests run again) */
  rebuild: z.strictObject({ reason: text(2000) }),
  /** testing → awaiting_acceptance: every test done and no mandatory one failed */
  submit: z.strictObject({ note: text(2000).optional() }),
  /** a deployment window for an environment not yet deployed (a missed or moved window) */
  schedule: DeploymentWindow,
  /** a deployment tool that took the deployment (answered 202) reports how it went */
  report_deployment: z.strictObject({
    environment: text(60),
    status: z.enum(['succeeded', 'failed']),
    details: text(2000).optional().describe('what the tool did, or why it failed'),
  }),
  /** stops deploying: the step in progress is cancelled and the environments reached are rolled back */
  abort: z.strictObject({ reason: text(2000) }),
  /** ends early life support by hand (the handover accepted despite open incidents) */
  end_support: z.strictObject({ reason: text(2000) }),
  cancel: z.strictObject({ reason: text(2000) }),
  comment: z.strictObject({ text: text(2000) }),
} satisfies Record<ReleaseCommand, z.ZodType>;
export type ReleaseCommandInput<C extends ReleaseCommand> = z.infer<(typeof ReleaseCommandInputs)[C]>;

export const ReleaseNumber = z.string().regex(/^REL\d{7,}$/, 'a release number such as REL0000001');

const Window = z.strictObject({ start: z.string(), end: z.string() });

export const ReleaseRecordAnswer = z.strictObject({
  number: ReleaseNumber,
  state: z.enum(RELEASE_STATES),
  title: z.string(),
  description: z.string(),
  type: z.enum(RELEASE_TYPES),
  group: z.string(),
  changes: z.array(z.string()),
  services: z.array(z.string()).describe('the services of its changes'),
  deliverables: z.array(z.strictObject({ ci: z.string(), version: z.string(), from: z.string().nullable().describe('the version the CMDB had when the release was created') })),
  tests: z.array(z.strictObject({ name: z.string(), mandatory: z.boolean(), task: z.string().nullable(), result: z.enum(['passed', 'failed']).nullable(), notes: z.string().nullable() })),
  transition: z.string().nullable(),
  build: z.string().nullable(),
  rounds: z.strictObject({ builds: z.number().int(), submissions: z.number().int() }).optional().describe('how often it was built and submitted for acceptance (each at most 20 times)'),
  deployments: z.array(
    z.strictObject({
      environment: z.string(),
      scheduled: z.number().int().optional().describe('how often its window was set by schedule (at most 20 times)'),
      report: z.strictObject({ status: z.enum(['succeeded', 'failed']), details: z.string(), by: z.string(), at: EpochMs }).nullable().optional().describe('what a deployment tool that took the deployment reported later'),
      production: z.boolean(),
      via: z.enum(['task', 'webhook']),
      verify: z.boolean(),
      window: Window.nullable(),
      state: z.enum(DEPLOYMENT_STATES),
      note: z.string().nullable(),
      at: EpochMs.nullable(),
    }),
  ),
  acceptance: z.strictObject({ policy: VersionRef.nullable(), outcome: z.enum(['approved', 'rejected']), reason: z.string(), at: EpochMs }).nullable(),
  rollback: z.strictObject({ environment: z.string(), reason: z.string(), at: EpochMs, environments: z.array(z.string()) }).nullable(),
  earlyLifeSupport: z
    .strictObject({
      from: EpochMs,
      until: EpochMs,
      extensions: z.number().int(),
      incidents: z.array(z.strictObject({ number: z.string(), priority: z.string(), state: z.string(), openedAt: EpochMs })),
      exit: z.enum(['criteria_met', 'ended_by_hand']).nullable(),
    })
    .nullable(),
  requestedBy: z.string(),
  openedAt: EpochMs,
  closedAt: EpochMs.nullable(),
  cancelReason: z.string().nullable(),
  comments: z.array(z.strictObject({ at: EpochMs, by: z.string(), text: z.string() })),
  policy: z.strictObject({ release: z.number().int() }),
  seq: z.number().int(),
});
export const ReleaseAnswer = ReleaseRecordAnswer.extend(CaseWork);

export const ReleaseCalendarAnswer = z.strictObject({
  from: z.string(),
  to: z.string(),
  windows: z.array(z.strictObject({ release: ReleaseNumber, title: z.string(), state: z.enum(RELEASE_STATES), environment: z.string(), production: z.boolean(), deployment: z.enum(DEPLOYMENT_STATES), start: z.string(), end: z.string() })),
  blackouts: z.array(z.strictObject({ name: z.string(), start: z.string(), end: z.string(), services: z.array(z.string()) })),
});
