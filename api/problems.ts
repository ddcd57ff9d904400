/** Problem management over HTTP: problems, their commands and history, and the known error database. */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Role } from '../domain/actor';
import { PROBLEM_STATES, PROBLEM_TABLE, problemNumber, type ProblemCommand } from '../domain/problem';
import { ProblemCommandInputs, ProblemNumber, type ProblemCommandInput, ProblemTrendBody, RaiseProblemInput, KnownErrorAnswer, ProblemAnswer, ProblemRecordAnswer } from '../domain/schemas/problem';
import { PageOf } from '../domain/schemas/answers';
import { ProblemTrendAnswer } from '../domain/schemas/policy-answers';
import { latestPolicy } from '../models/policies';
import { ensureTrendSchedule } from './schedules';
import { present, READ_ONLY, writeVersion } from './policies';
import type { Models } from '../models';
import { problemOpened, problemUpdates, problemWorkflow, type ProblemRecord } from '../workflows/problem';
import { caseRoutes } from './case-resource';
import { fromStore, loadCase, openCase, withWork } from './cases';
import { linkedTargets, Page, pageInMemory, pageOf, searchIndexed } from './lists';
import { linkKey } from '../models/link';
import { findIndexed, type Filter } from '../models/query';
import { illegalTransition, notFound } from './problem';
import { CHANGE_TABLE, type ChangeRecord } from '../domain/change';
import { checkReferences } from './references';
import { route } from './route';

const STAFF: Role[] = ['agent', 'admin'];
const SUMMARIES: Record<ProblemCommand, string> = {
  investigate: 'Start the investigation (opens a task for the problem team)',
  record_known_error: 'Record the root cause and publish the workaround: the problem becomes a known error',
  link_change: 'Link the RFC raised to remove the root cause; its successful close resolves the problem',
  link_incidents: 'Link incidents (during verification, a recurrence: back to investigation)',
  cancel: 'Cancel the problem with a reason',
  comment: 'Add a comment',
};

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
    response: ProblemTrendAnswer,
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
    response: ProblemTrendAnswer,
    handler: async ({ body, actor, req, res }) => {
      const written = await writeVersion(models, req, res, 'problem-trend', 'default', body, actor.name);
      await ensureTrendSchedule(client, models, taskQueue, trendScheduleId);
      return written;
    },
  });

  async function load(number: string): Promise<ProblemRecord> {
    const rec = await loadCase<ProblemRecord>(models.Problem, number);
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
    response: ProblemAnswer,
    idempotent: true,
    handler: async ({ body, actor, res, idempotency }) => {
      const canonical = await checkReferences(models, 'problem', [{ path: 'service', kind: 'service', name: body.service }, ...(body.configurationItem ? [{ path: 'configurationItem', kind: 'ci' as const, name: body.configurationItem }] : [])]);
      return openCase({ client, models, idempotency, counter: 'PRB', format: problemNumber, path: '/problems', res, opened: problemOpened, taskQueue }, problemWorkflow, (number) => [{ number, input: { ...body, service: canonical(body.service) }, actor }]);
    },
  });

  route(router, {
    method: 'get',
    path: '/problems',
    tag: 'Problems',
    summary: 'List problems, newest first, filtered, paged by cursor',
    description: 'By state, service, CI, category or group on an index; by an incident through its links.',
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
    response: PageOf(ProblemRecordAnswer),
    handler: async ({ query }) => {
      const { limit, cursor, incident, ...rest } = query;
      const filter: Filter = { ...rest };
      if (!incident) return pageOf(models.Problem, filter, [['_id', -1]], { limit, cursor }, (r) => fromStore(r));
      const docs = await linkedTargets(models, models.Problem, [linkKey('problems', 'incidents', incident)], { direction: -1, accept: (p) => Object.entries(filter).every(([k, v]) => p[k] === v) });
      return pageInMemory(docs, { limit, cursor }, -1, (d) => fromStore(d));
    },
  });

  caseRoutes<ProblemRecord, ProblemCommand, unknown>(router, { models, client }, {
    path: '/problems',
    tag: 'Problems',
    noun: 'problem',
    model: models.Problem,
    number: ProblemNumber,
    table: PROBLEM_TABLE,
    readRoles: ['agent', 'admin', 'auditor', 'process_owner', 'improvement_manager'],
    present: (rec) => withWork(models, rec, { approvals: false }),
    answer: ProblemAnswer,
    summaries: {
      one: 'A problem with its known error, linked incidents and change, and tasks',
      history: 'Every step of a problem: who, when, from, to, note',
      commands: SUMMARIES,
    },
    commandRoles: STAFF,
    commandBodies: ProblemCommandInputs as Record<ProblemCommand, z.ZodType<unknown>>,
    updates: problemUpdates,
    prepare: {
      // the change must exist and still be able to resolve the problem
      link_change: async (input: ProblemCommandInput<'link_change'>) => {
        const change = await loadCase<ChangeRecord>(models.Change, input.change);
        if (!change) throw notFound(`there is no change ${input.change}`);
        if (CHANGE_TABLE.final.includes(change.state)) throw illegalTransition(`${input.change} is ${change.state}: link a change that can still be implemented`, change.state);
        return input;
      },
      // the incidents must exist; when each opened tells a recurrence from a late link
      link_incidents: async (input: ProblemCommandInput<'link_incidents'>) => {
        const found = await Promise.all(input.incidents.map((n) => loadCase<{ number: string; openedAt: number }>(models.Incident, n)));
        const missing = input.incidents.filter((_, i) => !found[i]);
        if (missing.length) throw notFound(`there is no incident ${missing.join(', ')}`);
        return { ...input, openedAt: Object.fromEntries(found.map((i) => [i!.number, i!.openedAt])) };
      },
    },
  });

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
    response: PageOf(KnownErrorAnswer),
    handler: async ({ query }) => {
      const { limit, cursor, q, ...rest } = query;
      const filter: Filter = { ...rest, kedb: true };
      if (!q) return pageOf(models.Problem, filter, [['_id', -1]], { limit, cursor }, (p) => knownError(p as ProblemRecord));
      // a search reads the known errors in the filter's index order and matches their texts
      const needle = q.toLowerCase();
      const hit = (p: ProblemRecord) => [p.knownError?.symptoms, p.knownError?.rootCause, p.knownError?.workaround, p.title].some((t) => t?.toLowerCase().includes(needle));
      const docs = await searchIndexed<ProblemRecord & Record<string, unknown>>(models.Problem, filter, [['_id', -1]], hit);
      return pageInMemory(docs, { limit, cursor }, 1, (p) => knownError(p));
    },
  });

  route(router, {
    method: 'get',
    path: '/known-errors/:id',
    tag: 'Problems',
    summary: 'A known error (its id is its problem number)',
    roles: 'authenticated',
    params: z.strictObject({ id: ProblemNumber }),
    response: KnownErrorAnswer,
    handler: async ({ params }) => {
      const p = await load(params.id);
      if (!p.knownError) throw notFound(`${params.id} has no known error recorded`);
      return knownError(p);
    },
  });

  return router;
}
