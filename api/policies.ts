/**
 * Process owners' rules as data: the priority matrix, the incident SLA policy and business
 * calendars. Every PUT makes a new version; running cases keep the versions they started with.
 * `If-Match: "<version>"` makes a PUT apply only over the version the owner read.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { CalendarBody } from '../domain/schemas/calendar';
import { reachableWithin } from '../domain/calendar';
import { PriorityMatrixBody } from '../domain/schemas/priority';
import { IncidentSlaBody } from '../domain/schemas/sla';
import { ChangePolicyBody } from '../domain/schemas/change';
import { ProblemPolicyBody } from '../domain/schemas/problem';
import { CalendarAnswer, CalendarList, ChangePolicyAnswer, CiVerificationPolicyAnswer, ReleasePolicyAnswer, IncidentSlaAnswer, PriorityMatrixAnswer, ProblemPolicyAnswer, ReferencesPolicyAnswer, DueAnswer } from '../domain/schemas/policy-answers';
import { CiVerificationPolicyBody } from '../domain/schemas/verification';
import { ReleasePolicyBody } from '../domain/schemas/release';
import { TransitionPolicyAnswer, TransitionPolicyBody } from '../domain/schemas/transition';
import { ReferencesPolicyBody } from '../domain/schemas/cmdb';
import type { Models } from '../models';
import { findLatestPolicy, latestPolicies, policyVersion, putPolicy, PolicyVersionConflict, type PolicyKind, type StoredPolicy } from '../models/policies';
import { badRequest, conflict, HttpProblem, notFound } from './problem';
import { route } from './route';
import { calendarProblems, refuseIf, slaProblems } from './policy-checks';

const OWNERS = ['process_owner', 'admin'] as const;
const VersionQuery = z.strictObject({ version: z.coerce.number().int().min(1).optional() });
const CalendarId = z.strictObject({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and dashes') });

export function present<T>(p: StoredPolicy<T>) {
  return { version: p.version, updatedAt: p.createdAt, updatedBy: p.createdBy, ...p.body };
}

/** What GET adds to a policy; a PUT may send it back as read. */
export const READ_ONLY = ['id', 'version', 'updatedAt', 'updatedBy'] as const;

/** The version the owner read: If-Match, else the `version` of a policy sent back as read. */
export function expectedVersion(req: Request): number | undefined {
  const h = req.get('if-match');
  if (h) {
    const m = /^"?(\d+)"?$/.exec(h.trim());
    if (!m) throw badRequest('If-Match must be the version you read, e.g. "3"');
    return Number(m[1]);
  }
  const v = (req.body as { version?: unknown } | undefined)?.version;
  if (v === undefined) return undefined;
  if (!Number.isInteger(v)) throw badRequest('version must be the whole number you read', [{ in: 'body', path: 'version', message: 'a whole number' }]);
  return v as number;
}

/**
 * Adds a policy's next version and answers with it and its ETag. Over a version other than the one
 * the owner read (If-Match, or the version sent back): 412; two writers at the same moment: 409.
 */
export async function writeVersion<T>(models: Models, req: Request, res: Response, kind: PolicyKind, key: string, body: T, by: string) {
  const expected = expectedVersion(req);
  try {
    const p = await putPolicy(models, kind, key, body, by, expected);
    res.set('ETag', `"${p.version}"`);
    return present(p);
  } catch (err) {
    if (err instanceof PolicyVersionConflict) {
      throw expected !== undefined ? new HttpProblem(412, 'precondition-failed', 'Precondition failed', `${err.message}: read it again`) : conflict(err.message);
    }
    throw err;
  }
}

/**
 * A versioned record as a GET asks for it: its latest version, or `?version=N`; 404 naming it
 * (`noun`, e.g. "SLA sla-1") otherwise; its version as the ETag a PUT sends back.
 */
export async function readVersion<T>(models: Models, res: Response, kind: PolicyKind, key: string, version: number | undefined, noun = `${kind} ${key}`): Promise<StoredPolicy<T>> {
  const p = version ? await policyVersion<T>(models, kind, key, version) : await findLatestPolicy<T>(models, kind, key);
  if (!p) throw notFound(version ? `${noun} has no version ${version}` : `there is no ${noun}`);
  res.set('ETag', `"${p.version}"`);
  return p;
}

export function policyRoutes({ models }: { models: Models }): Router {
  const router = Router();

  const read = async (res: Response, kind: PolicyKind, key: string, version?: number) => present(await readVersion(models, res, kind, key, version));

  const write = <T>(req: Request, res: Response, kind: PolicyKind, key: string, body: T, by: string) => writeVersion(models, req, res, kind, key, body, by);

  const simple = [
    { path: '/policies/priority-matrix', kind: 'priority-matrix' as const, schema: PriorityMatrixBody, response: PriorityMatrixAnswer, name: 'priority matrix (matrix[impact][urgency] → P1–P4)' },
    { path: '/policies/incident-sla', kind: 'incident-sla' as const, schema: IncidentSlaBody, response: IncidentSlaAnswer, name: 'incident SLA policy (targets per priority, warning %, auto-close days, calendars)' },
    { path: '/policies/problem', kind: 'problem' as const, schema: ProblemPolicyBody, response: ProblemPolicyAnswer, name: 'problem policy (verification days, what resolving a problem does to its incidents)' },
    { path: '/policies/references', kind: 'references' as const, schema: ReferencesPolicyBody, response: ReferencesPolicyAnswer, name: 'references policy (per process: whether cases may name services and CIs not in the portfolio and the CMDB)' },
    { path: '/policies/ci-verification', kind: 'ci-verification' as const, schema: CiVerificationPolicyBody, response: CiVerificationPolicyAnswer, name: 'CI verification policy (how often each CI class is verified, what a difference opens)' },
    { path: '/policies/transition', kind: 'transition' as const, schema: TransitionPolicyBody, response: TransitionPolicyAnswer, name: 'transition policy (days after acceptance the post-transition review falls due, who reviews, days to do it)' },
    { path: '/policies/release', kind: 'release' as const, schema: ReleasePolicyBody, response: ReleasePolicyAnswer, name: 'release policy (the environments in deployment order, how each is deployed and verified, early life support and its exit criteria)' },
    { path: '/policies/change', kind: 'change' as const, schema: ChangePolicyBody, response: ChangePolicyAnswer, name: 'change policy (blackout windows, standard change templates, what a schedule conflict does)' },
  ];
  for (const p of simple) {
    route(router, {
      method: 'get',
      path: p.path,
      tag: 'Policies',
      summary: `The ${p.name}; ?version=N for an earlier version`,
      roles: 'authenticated',
      query: VersionQuery,
      response: p.response,
      handler: ({ query, res }) => read(res, p.kind, 'default', query.version),
    });
    route(router, {
      method: 'put',
      path: p.path,
      tag: 'Policies',
      summary: `Replace the ${p.name} with a new version`,
      roles: OWNERS,
      body: p.schema as z.ZodType<unknown>,
      readOnlyFields: READ_ONLY,
      response: p.response,
      handler: async ({ body, actor, req, res }) => {
        if (p.kind === 'incident-sla') refuseIf(await slaProblems(models, body as IncidentSlaBody));
        return write(req, res, p.kind, 'default', body, actor.name);
      },
    });
  }

  route(router, {
    method: 'get',
    path: '/calendars',
    tag: 'Policies',
    summary: 'Business-hours calendars (latest versions)',
    roles: 'authenticated',
    response: CalendarList,
    handler: async () => {
      const latest = await latestPolicies(models, 'calendar');
      return { items: latest.map((p) => ({ id: p.key, ...present(p) })) };
    },
  });
  route(router, {
    method: 'get',
    path: '/calendars/:id',
    tag: 'Policies',
    summary: 'A business-hours calendar; ?version=N for an earlier version',
    roles: 'authenticated',
    params: CalendarId,
    query: VersionQuery,
    response: CalendarAnswer,
    handler: async ({ params, query, res }) => ({ id: params.id, ...(await read(res, 'calendar', params.id, query.version)) }),
  });
  route(router, {
    method: 'get',
    path: '/calendars/:id/due',
    tag: 'Policies',
    summary: 'When a number of business minutes from an instant fall due on a calendar (its latest version): a target previewed',
    roles: 'authenticated',
    params: CalendarId,
    query: z.strictObject({
      from: z.iso.datetime({ offset: true }).optional().describe('the start, with its offset (now unless given)'),
      minutes: z.coerce.number().int().min(1).max(525_600).describe('business minutes'),
    }),
    response: DueAnswer,
    handler: async ({ params, query }) => {
      const cal = await findLatestPolicy<CalendarBody>(models, 'calendar', params.id);
      if (!cal) throw notFound(`there is no calendar ${params.id}`);
      const from = query.from ? Date.parse(query.from) : Date.now();
      const due = reachableWithin(cal.body, from, query.minutes * 60_000);
      if (due === null) throw badRequest(`minutes: ${query.minutes} business minutes do not fall due within ten years on calendar ${params.id}`, [{ in: 'query', path: 'minutes', message: 'more working time than the calendar has in ten years' }]);
      return { calendar: { id: params.id, version: cal.version }, from: new Date(from).toISOString(), minutes: query.minutes, dueAt: new Date(due).toISOString() };
    },
  });
  route(router, {
    method: 'put',
    path: '/calendars/:id',
    tag: 'Policies',
    summary: 'Create a calendar, or replace it with a new version (working hours per weekday, time zone, holidays)',
    roles: OWNERS,
    params: CalendarId,
    body: CalendarBody,
    readOnlyFields: READ_ONLY,
    response: CalendarAnswer,
    handler: async ({ params, body, actor, req, res }) => {
      refuseIf(await calendarProblems(models, params.id, body));
      return { id: params.id, ...(await write(req, res, 'calendar', params.id, body, actor.name)) };
    },
  });

  return router;
}
