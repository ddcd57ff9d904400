/** Continual improvement over HTTP: the improvement register, PDCA commands, tracking and the summary. */
import { IMPROVEMENT_TABLE } from '../domain/improvement';
import { caseRoutes } from './case-resource';
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { ROLES, type Role } from '../domain/actor';
import {
  IMPROVEMENT_SOURCES,
  IMPROVEMENT_STATES,
  improvementNumber,
  PHASE_OF,
  targetMet,
  type ImprovementCommand,
} from '../domain/improvement';
import { ImprovementCommandInputs, ImprovementNumber, RegisterImprovementInput, ImprovementAnswer, ImprovementRecordAnswer, ImprovementSummaryAnswer } from '../domain/schemas/improvement';
import { PageOf } from '../domain/schemas/answers';
import type { Models } from '../models';
import { improvementOpened, improvementUpdates, improvementWorkflow, type ImprovementRecord } from '../workflows/improvement';
import { fromStore, openCase, withWork } from './cases';
import { Page, pageOf } from './lists';
import { findIndexed } from '../models/query';
import { route } from './route';

/** How many improvements the summary reads at most: the register of a large organisation. */
const REGISTER_LIMIT = 20_000;
const SUMMARIES: Record<ImprovementCommand, string> = {
  plan: 'Plan the cycle: objective, measurable targets (baseline, target, unit), actions with groups and due dates; then plan approval',
  measure: 'Record a measurement against a target of the current cycle',
  review: 'Check review and Act: met closes the improvement (standardised, lessons learned); otherwise the next cycle starts with the targets carried over',
  cancel: 'Cancel the improvement with a reason',
  comment: 'Add a comment',
};

/** What tracking an improvement to closure needs: its phase, each target's figures, overdue actions. */
export function improvementView(rec: ImprovementRecord, now = Date.now()) {
  const c = rec.cycles[rec.cycles.length - 1];
  const targets = c.targets.map((t) => {
    const latest = [...c.measurements].reverse().find((m) => m.target === t.name) ?? null;
    return { ...t, latest: latest ? { value: latest.value, at: new Date(latest.at).toISOString() } : null, met: latest ? targetMet(t, latest.value) : false };
  });
  const overdueActions = c.actions.filter((a) => !a.done && Date.parse(a.due) < now && (rec.state === 'do' || rec.state === 'check'));
  return { ...rec, phase: PHASE_OF[rec.state], cycle: c.n, current: { ...c, targets }, overdueActions };
}

export function improvementRoutes({ models, client, taskQueue }: { models: Models; client: Client; taskQueue: string }): Router {
  const router = Router();

  /** an improvement as GET answers it, also the answer to every command */
  async function present(stored: ImprovementRecord) {
    const { approvals, tasks, ...rec } = await withWork(models, stored);
    return { ...improvementView(rec as ImprovementRecord), approvals, tasks };
  }

  route(router, {
    method: 'post',
    path: '/improvements',
    tag: 'Continual improvement',
    summary: 'Register an improvement opportunity from any source; its first PDCA cycle starts in Plan',
    roles: ROLES.filter((r) => r !== 'auditor') as Role[],
    body: RegisterImprovementInput,
    status: 201,
    response: ImprovementAnswer,
    idempotent: true,
    handler: async ({ body, actor, res, idempotency }) =>
      openCase({ client, models, idempotency, counter: 'IMP', format: improvementNumber, path: '/improvements', res, opened: improvementOpened, taskQueue }, improvementWorkflow, (number) => [{ number, input: body, actor }]).then((v) => improvementView(v)),
  });

  route(router, {
    method: 'get',
    path: '/improvements',
    tag: 'Continual improvement',
    summary: 'The improvement register (newest first), filtered and paginated',
    roles: 'authenticated',
    query: z.strictObject({
      state: z.enum(IMPROVEMENT_STATES).optional(),
      owner: z.string().min(1).optional(),
      service: z.string().min(1).optional(),
      source: z.enum(IMPROVEMENT_SOURCES).optional(),
      ...Page.shape,
    }),
    response: PageOf(ImprovementRecordAnswer),
    handler: async ({ query }) => {
      const { limit, cursor, ...filter } = query;
      return pageOf(models.Improvement, filter, [['_id', -1]], { limit, cursor }, (r) => improvementView(fromStore<ImprovementRecord>(r)));
    },
  });

  route(router, {
    method: 'get',
    path: '/improvements/summary',
    tag: 'Continual improvement',
    summary: 'Counts by phase and state, cycles closed with their targets met, mean cycle time',
    roles: 'authenticated',
    response: ImprovementSummaryAnswer,
    handler: async () => {
      // the whole register, on its index, in one read of at most REGISTER_LIMIT entries
      const all = await findIndexed<ImprovementRecord>(models.Improvement, {}, { sort: [['_id', 1]], limit: REGISTER_LIMIT, projection: { _id: 0, state: 1, cycles: 1 } });
      const byState = Object.fromEntries(IMPROVEMENT_STATES.map((s) => [s, 0])) as Record<string, number>;
      const byPhase: Record<string, number> = { plan: 0, do: 0, check: 0, closed: 0 };
      let ended = 0;
      let met = 0;
      let totalMs = 0;
      for (const r of all) {
        byState[r.state] += 1;
        byPhase[PHASE_OF[r.state]] += 1;
        for (const c of r.cycles) {
          if (c.endedAt === null) continue;
          ended += 1;
          totalMs += c.endedAt - c.startedAt;
          if (c.review?.decision === 'met') met += 1;
        }
      }
      return {
        improvements: all.length,
        byState,
        byPhase,
        cyclesEnded: ended,
        cyclesClosedWithTargetsMet: met,
        meanCycleTimeDays: ended ? Math.round((totalMs / ended / 86_400_000) * 100) / 100 : null,
      };
    },
  });

  caseRoutes<ImprovementRecord, ImprovementCommand, unknown>(router, { models, client }, {
    path: '/improvements',
    tag: 'Continual improvement',
    noun: 'improvement',
    model: models.Improvement,
    number: ImprovementNumber,
    table: IMPROVEMENT_TABLE,
    readRoles: 'authenticated',
    present,
    answer: ImprovementAnswer,
    summaries: {
      one: "An improvement: its cycle and phase, each target's baseline, target and latest measurement, overdue actions",
      history: 'Every step of an improvement: plans, approvals, actions, reminders, escalations, measurements, reviews',
      commands: SUMMARIES,
    },
    commandRoles: ROLES.filter((r) => r !== 'auditor'),
    commandBodies: ImprovementCommandInputs as Record<ImprovementCommand, z.ZodType<unknown>>,
    updates: improvementUpdates,
  });

  return router;
}
