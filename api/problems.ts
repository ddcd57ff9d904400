/** Problem management over HTTP: problems, their commands and history, and the known error database. */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Role } from '../domain/actor';
import { PROBLEM_COMMANDS, PROBLEM_STATES, ProblemCommandInputs, ProblemNumber, problemNumber, ProblemTrendBody, RaiseProblemInput, type ProblemCommand } from '../domain/problem';
import { latestPolicy } from '../models/policies';
import { ensureTrendSchedule } from '../worker/schedules';
import { present, READ_ONLY, writeVersion } from './policies';
import type { Models } from '../models';
import { problemOpened, problemUpdates, problemWorkflow, type ProblemRecord } from '../workflows/problem';
import { caseHistory, openCase } from './cases';
import { sendCommand } from './commands';
import { Page, pageOf } from './lists';
import { illegalTransition, notFound } from './problem';
import { route } from './route';

const NumberParam = z.strictObject({ number: ProblemNumber });
const STAFF: Role[] = ['agent', 'admin'];
const SUMMARIES: Record<ProblemCommand, string> = {
  investigate: 'Start the investigation (opens a task for the problem team)',
  record_known_error: 'Record the root cause and publish the workaround: the problem becomes a known error',
  link_change: 'Link the RFC raised to remove the root cause; its successful close resolves the problem',
  link_incidents: 'Link incidents (during verification, a recurrence: back to investigation)',
  cancel: 'Cancel the problem with a reason',
  comment: 'Add a comment',
};
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A problem with a known error, as the KEDB shows it. */
const knownError = (p: ProblemRecord) => ({
  id: p.number,
  problem: p.number,
  state: p.state,
  title: p.title,
  service: p.service,
  configurationItem: p.configurationItem ?? null,
  category: p.category,
  symptoms: p.knownError!.symptoms,
  rootCause: p.knownError!.rootCause,
  workaround: p.knownError!.workaround,
  recordedBy: p.knownError!.by,
  recordedAt: new Date(p.knownError!.at).toISOString(),
  change: p.change,
});

export function problemRoutes({ models, client, taskQueue, trendScheduleId }: { models: Models; client: Client; taskQueue: string; trendScheduleId?: string }): Router {
  const router = Router();

  route(router, {
    method: 'get',
    path: '/policies/problem-trend',
    tag: 'Problems',
    summary: 'The incident-trend policy: grouping key, threshold, window, scan interval, problem team',
    roles: 'authenticated',
    handler: async ({ res }) => {
      const p = await latestPolicy<ProblemTrendBody>(models, 'problem-trend', 'default');
      res.set('ETag', `"${p.version}"`);
      return present(p);
    },
  });
  route(router, {
    method: 'put',
    path: '/policies/problem-trend',
    tag: 'Problems',
    summary: 'Replace the incident-trend policy; the scan Schedule follows its interval at once',
    roles: ['process_owner', 'admin'],
    body: ProblemTrendBody,
    readOnlyFields: READ_ONLY,
    handler: async ({ body, actor, req, res }) => {
      const written = await writeVersion(models, req, res, 'problem-trend', 'default', body, actor.name);
      await ensureTrendSchedule(client, models, taskQueue, trendScheduleId);
      return written;
    },
  });

  async function load(number: string): Promise<ProblemRecord> {
    const rec = (await models.Problem.findOne({ number }, { _id: 0 }).lean()) as ProblemRecord | null;
    if (!rec) throw notFound(`there is no problem ${number}`);
    return rec;
  }

  route(router, {
    method: 'post',
    path: '/problems',
    tag: 'Problems',
    summary: 'Raise a problem (by hand), optionally with the incidents behind it',
    roles: STAFF,
    body: RaiseProblemInput,
    status: 201,
    handler: async ({ body, actor, res }) =>
      openCase({ client, models, counter: 'PRB', format: problemNumber, path: '/problems', res, opened: problemOpened }, (number, common) =>
        client.workflow.start(problemWorkflow, { taskQueue, ...common, args: [{ number, input: body, actor }] }),
      ),
  });

  route(router, {
    method: 'get',
    path: '/problems',
    tag: 'Problems',
    summary: 'List problems (newest first), filtered and paginated',
    roles: ['agent', 'admin', 'auditor', 'process_owner', 'improvement_manager'],
    query: z.strictObject({
      state: z.enum(PROBLEM_STATES).optional(),
      service: z.string().min(1).optional(),
      configurationItem: z.string().min(1).optional(),
      category: z.string().min(1).optional(),
      group: z.string().min(1).optional(),
      incident: z.string().regex(/^INC\d{7,}$/).optional(),
      ...Page.shape,
    }),
    handler: async ({ query }) => {
      const { limit, offset, incident, ...rest } = query;
      const filter: Record<string, unknown> = { ...rest };
      if (incident) filter.incidents = incident;
      return pageOf(models.Problem, filter, { openedAt: -1, number: -1 }, limit, offset, (r) => r);
    },
  });

  route(router, {
    method: 'get',
    path: '/problems/:number',
    tag: 'Problems',
    summary: 'A problem with its known error, linked incidents and change, and tasks',
    roles: ['agent', 'admin', 'auditor', 'process_owner', 'improvement_manager'],
    params: NumberParam,
    handler: async ({ params }) => {
      const rec = await load(params.number);
      const tasks = await models.Task.find({ caseId: rec.number }, { _id: 0 }).sort({ createdAt: 1 }).lean();
      return { ...rec, tasks };
    },
  });

  route(router, {
    method: 'get',
    path: '/problems/:number/history',
    tag: 'Problems',
    summary: 'Every step of a problem: who, when, from, to, note',
    roles: ['agent', 'admin', 'auditor', 'process_owner', 'improvement_manager'],
    params: NumberParam,
    handler: async ({ params }) => {
      await load(params.number);
      return caseHistory(models, params.number);
    },
  });

  for (const command of PROBLEM_COMMANDS) {
    route(router, {
      method: 'post',
      path: `/problems/:number/${command}`,
      tag: 'Problems',
      summary: SUMMARIES[command],
      roles: STAFF,
      params: NumberParam,
      body: ProblemCommandInputs[command] as z.ZodType<unknown>,
      handler: async ({ params, body, actor }) => {
        const rec = await load(params.number);
        if (rec.state === 'closed' || rec.state === 'cancelled') throw illegalTransition(`${params.number} is ${rec.state}: it takes no more commands`, rec.state);
        return sendCommand(client, params.number, problemUpdates[command], { actor, input: body as never }, async () => (await load(params.number)).state);
      },
    });
  }

  route(router, {
    method: 'get',
    path: '/known-errors',
    tag: 'Problems',
    summary: 'The known error database: search symptoms, root cause and workaround (?q=), or filter by CI, service, category',
    roles: 'authenticated',
    query: z.strictObject({
      q: z.string().trim().min(2).max(200).optional(),
      configurationItem: z.string().min(1).optional(),
      service: z.string().min(1).optional(),
      category: z.string().min(1).optional(),
      ...Page.shape,
    }),
    handler: async ({ query }) => {
      const { limit, offset, q, ...rest } = query;
      const filter: Record<string, unknown> = { ...rest, knownError: { $ne: null }, state: { $ne: 'cancelled' } };
      if (q) {
        const re = { $regex: escape(q), $options: 'i' };
        filter.$or = [{ 'knownError.symptoms': re }, { 'knownError.rootCause': re }, { 'knownError.workaround': re }, { title: re }];
      }
      return pageOf(models.Problem, filter, { openedAt: -1 }, limit, offset, (p) => knownError(p as ProblemRecord));
    },
  });

  route(router, {
    method: 'get',
    path: '/known-errors/:id',
    tag: 'Problems',
    summary: 'A known error (its id is its problem number)',
    roles: 'authenticated',
    params: z.strictObject({ id: ProblemNumber }),
    handler: async ({ params }) => {
      const p = await load(params.id);
      if (!p.knownError) throw notFound(`${params.id} has no known error recorded`);
      return knownError(p);
    },
  });

  return router;
}
