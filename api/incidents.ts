/** Incident management over HTTP: open, list, read, history, and one route per command. */
import { caseRoutes } from './case-resource';
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { Role } from '../domain/actor';
import {
  INCIDENT_COMMANDS,
  INCIDENT_STATES,
  INCIDENT_TABLE,
  incidentNumber,
  incidentSummary,
  incidentView,
  mayReadIncident,
  NOT_LISTED,
  type IncidentCommand,
  type IncidentRecord,
} from '../domain/incident';
import { IncidentAnswer, IncidentSummaryAnswer, IncidentCommandInputs, IncidentNumber, OpenIncidentInput } from '../domain/schemas/incident';
import { PageOf } from '../domain/schemas/answers';
import { PRIORITIES } from '../domain/priority';
import type { Models } from '../models';
import { incidentOpened, incidentUpdates, incidentWorkflow, type IncidentUpdate } from '../workflows/incident';
import { fromStore, loadCase, openCase } from './cases';
import { dependencyOf, impactOf, type Relationship } from '../domain/cmdb';
import type { ChangeRecord } from '../domain/change';
import { RecentChangesAnswer, RecentChangesQuery } from '../domain/schemas/cmdb';
import { cmdbGraph } from '../models/cmdb-graph';
import { findIndexed } from '../models/query';
import { CalendarCache } from './calendar-cache';
import { badRequest, forbidden, notFound } from './problem';
import { DEFAULT_INCIDENT_SLA, holdReasonsOf } from '../domain/sla';
import type { HoldReason, IncidentSlaBody } from '../domain/schemas/sla';
import type { SlaBody } from '../domain/schemas/service-level';
import { latestPoliciesCounted, policyVersion } from '../models/policies';
import type { ServiceBody } from '../domain/schemas/service';
import { affectsOf } from './changes';
import { checkReferences } from './references';
import { route } from './route';
import { Page, pageOf } from './lists';
import type { Filter, SortKeys } from '../models/query';

/** How far an incident's recent changes look through the CMDB: CIs it depends on, relationships away, and changes read at most. */
const RECENT_CHANGES_CIS = 50;
const RECENT_CHANGES_DEPTH = 5;
const RECENT_CHANGES_READ = 5_000;

export interface IncidentDeps {
  models: Models;
  client: Client;
  taskQueue: string;
}


/** Who may send each command (by role); the workflow then checks the case: group, caller. */
const COMMAND_ROLES: Record<IncidentCommand, Role[]> = {
  assign: ['agent', 'admin'],
  start: ['agent', 'admin'],
  hold: ['agent', 'admin'],
  resume: ['agent', 'admin'],
  resolve: ['agent', 'admin'],
  close: ['agent', 'admin'],
  confirm: ['requester', 'agent', 'admin'],
  reopen: ['requester', 'agent', 'admin'],
  comment: ['requester', 'agent', 'admin'],
  reprioritise: ['agent', 'admin'],
};

const COMMAND_SUMMARIES: Record<IncidentCommand, string> = {
  assign: 'Assign (or reassign) to a group and optionally a person',
  start: 'Start work (stops the response clock)',
  hold: 'Put on hold with a reason (pauses the resolution clock)',
  resume: 'Resume work (restarts the resolution clock)',
  resolve: 'Resolve with a resolution code and notes (stops the clocks)',
  confirm: "The caller confirms the resolution (closes)",
  reopen: 'Reopen a resolved incident (restarts the resolution clock)',
  close: 'Close a resolved incident without the caller (with a note)',
  comment: 'Add a comment',
  reprioritise: 'Change impact and urgency, saying why: the priority and the SLA targets are derived again (on the calendar the incident runs on), and the history shows both',
};

const ListQuery = z.strictObject({
  state: z.enum(INCIDENT_STATES).optional(),
  priority: z.enum(PRIORITIES).optional(),
  group: z.string().min(1).optional(),
  assignee: z.string().min(1).optional(),
  service: z.string().min(1).optional(),
  configurationItem: z.string().min(1).optional(),
  caller: z.string().min(1).optional(),
  breached: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  major: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  open: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  closedFrom: z.iso.datetime({ offset: true }).optional(),
  closedBefore: z.iso.datetime({ offset: true }).optional(),
  dueBefore: z.iso.datetime({ offset: true }).optional().describe('open incidents whose resolution falls due before this instant, the soonest first (paused ones have no due time)'),
  atRisk: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('open incidents with a clock past its warning and not breached'),
  ...Page.shape,
}).superRefine((q, ctx) => {
  if (q.dueBefore && (q.closedFrom || q.closedBefore)) ctx.addIssue({ code: 'custom', path: ['dueBefore'], message: 'dueBefore lists open incidents: not with closedFrom or closedBefore' });
  if (q.closedFrom && q.closedBefore && Date.parse(q.closedBefore) <= Date.parse(q.closedFrom)) ctx.addIssue({ code: 'custom', path: ['closedBefore'], message: 'closedBefore must be after closedFrom' });
});

const NEWEST_FIRST: SortKeys = [['_id', -1]];
const LATEST_CLOSED_FIRST: SortKeys = [['closedAt', -1], ['_id', -1]];
const SOONEST_DUE_FIRST: SortKeys = [['resolutionDueAt', 1], ['_id', 1]];

export function incidentRoutes({ models, client, taskQueue }: IncidentDeps): Router {
  const router = Router();
  const calendars = new CalendarCache(models);

  async function view(rec: IncidentRecord) {
    return incidentView(rec, await calendars.get(rec.policy.calendar.id, rec.policy.calendar.version), Date.now());
  }
  /** a list's item: read without what lists leave out (NOT_LISTED) */
  async function summary(rec: Omit<IncidentRecord, (typeof NOT_LISTED)[number]>) {
    const cal = rec.sla.resolution.calendar;
    return incidentSummary(rec, await calendars.get(cal.id, cal.version), Date.now());
  }
  const LISTED = { projection: Object.fromEntries(NOT_LISTED.map((f) => [f, 0 as const])) };

  route(router, {
    method: 'post',
    path: '/incidents',
    tag: 'Incidents',
    summary: 'Log an incident',
    description: 'Priority comes from the priority matrix (impact × urgency); the SLA clocks start at once. A P1 opens the major-incident path.',
    roles: ['agent', 'requester', 'admin'],
    body: OpenIncidentInput,
    status: 201,
    response: IncidentAnswer,
    idempotent: true,
    handler: async ({ body, actor, res, idempotency }) => {
      if (!actor.roles.some((r) => r !== 'requester') && body.caller !== actor.name) {
        throw forbidden('a requester logs incidents as their own caller');
      }
      const canonical = await checkReferences(models, 'incident', [
        { path: 'service', kind: 'service', name: body.service },
        { path: 'configurationItem', kind: 'ci', name: body.configurationItem },
      ]);
      const input = { ...body, service: canonical(body.service) };
      // the services that depend on its CI, through the CMDB: shown on the incident, and their SLA sets its targets when its own service has none
      const [graph, services] = await Promise.all([cmdbGraph(models).upToDate(), latestPoliciesCounted<ServiceBody>(models, 'service')]);
      const affects = graph.node(body.configurationItem) ? affectsOf(graph, services, [body.configurationItem]) : null;
      return openCase({ client, models, idempotency, counter: 'INC', format: incidentNumber, path: '/incidents', res, opened: incidentOpened, taskQueue }, incidentWorkflow, (number) => [{ number, input, actor, affects }]);
    },
  });

  route(router, {
    method: 'get',
    path: '/incidents',
    tag: 'Incidents',
    summary: 'List incidents, filtered, newest first (latest closed first with closedFrom/closedBefore), paged by cursor',
    description:
      'Served by an index: open incidents (`open=true`) by priority, group, assignee or breach; any incident by state, priority, group, assignee, breach, major, caller, service or CI; closed incidents by when they closed (`closedFrom`, `closedBefore`). Further filters narrow the indexed list. `next` is the `cursor` of the following page; `total` counts every match. A requester sees only the incidents they called in.',
    roles: 'authenticated',
    query: ListQuery,
    response: PageOf(IncidentSummaryAnswer),
    handler: async ({ query, actor }) => {
      const { limit, cursor, group, closedFrom, closedBefore, dueBefore, ...filters } = query;
      const filter: Filter = { ...filters };
      if (group) filter.assignmentGroup = group;
      if (!actor.roles.some((r) => r !== 'requester')) filter.caller = actor.name;
      let sort = NEWEST_FIRST;
      if (closedFrom || closedBefore) {
        filter.closedAt = { ...(closedFrom ? { $gte: Date.parse(closedFrom) } : { $gte: 0 }), ...(closedBefore ? { $lt: Date.parse(closedBefore) } : {}) };
        sort = LATEST_CLOSED_FIRST;
      }
      if (dueBefore) {
        filter.open = true;
        filter.resolutionDueAt = { $lt: Date.parse(dueBefore) };
        sort = SOONEST_DUE_FIRST;
      }
      if (filter.atRisk !== undefined && filter.open === undefined) filter.open = true;
      return pageOf(models.Incident, filter, sort, { limit, cursor }, async (r) => summary(fromStore(r)), LISTED);
    },
  });

  route(router, {
    method: 'get',
    path: '/incidents/:number/recent-changes',
    tag: 'Incidents',
    summary: 'The changes implemented in the last hours (72 unless ?hours=) on the incident’s CI and on the CIs it depends on',
    description: `The CIs looked at: the incident's CI and, through the CMDB's relationships, up to ${RECENT_CHANGES_CIS} CIs it depends on, nearest first and at most ${RECENT_CHANGES_DEPTH} relationships away.`,
    roles: 'authenticated',
    params: z.strictObject({ number: IncidentNumber }),
    query: RecentChangesQuery,
    response: RecentChangesAnswer,
    handler: async ({ params, query, actor }) => {
      const rec = await loadCase<IncidentRecord>(models.Incident, params.number);
      if (!rec) throw notFound(`there is no incident ${params.number}`);
      if (!mayReadIncident(rec, actor)) throw forbidden(`${params.number} is not one of your incidents`);
      const since = Date.now() - query.hours * 3_600_000;
      const ci = rec.configurationItem ?? null;
      const graph = await cmdbGraph(models).upToDate();
      const reached = ci ? impactOf(ci, (c) => graph.dependenciesOf(c), { depth: RECENT_CHANGES_DEPTH, maxCis: RECENT_CHANGES_CIS }, dependencyOf) : { cis: [], truncated: false };
      const cis = ci ? [{ name: ci, depth: 0, path: [] as Relationship[] }, ...reached.cis.map((c) => ({ name: c.ci, depth: c.depth, path: c.path }))] : [];
      const byName = new Map(cis.map((c) => [c.name, c]));
      // every change implemented since then, on any CI (few: a desk's three days), matched here against the CIs
      const implemented = await findIndexed<ChangeRecord & { implementedAt: number }>(models.Change, { implementedAt: { $gte: since } }, { sort: [['implementedAt', -1], ['_id', -1]], limit: RECENT_CHANGES_READ });
      const changes = implemented.flatMap((c) => {
        const on = c.configurationItems.map((x) => byName.get(x)).filter((x) => x !== undefined).sort((a, b) => a.depth - b.depth)[0];
        return on ? [{ number: c.number, title: c.title, state: c.state, outcome: c.outcome ?? null, implementedAt: new Date(c.implementedAt).toISOString(), configurationItem: on.name, path: on.path }] : [];
      });
      return { number: rec.number, configurationItem: ci, hours: query.hours, since: new Date(since).toISOString(), cis, truncated: reached.truncated, changes };
    },
  });

  async function holdReasonsFor(rec: IncidentRecord): Promise<HoldReason[]> {
    if (rec.policy.sla) return holdReasonsOf((await policyVersion<SlaBody>(models, 'sla', rec.policy.sla.id, rec.policy.sla.version))?.body.incidents ?? DEFAULT_INCIDENT_SLA);
    const version = rec.policy.incidentSla;
    return holdReasonsOf((version ? (await policyVersion<IncidentSlaBody>(models, 'incident-sla', 'default', version))?.body : null) ?? DEFAULT_INCIDENT_SLA);
  }

  caseRoutes<IncidentRecord, IncidentCommand, unknown>(router, { models, client }, {
    path: '/incidents',
    tag: 'Incidents',
    noun: 'incident',
    model: models.Incident,
    number: IncidentNumber,
    table: INCIDENT_TABLE,
    readRoles: 'authenticated',
    mayRead: mayReadIncident,
    present: view,
    answer: IncidentAnswer,
    summaries: {
      one: 'An incident with its live SLA status',
      history: 'Every transition of an incident: who, when, from, to, note',
      commands: COMMAND_SUMMARIES,
    },
    commandRoles: COMMAND_ROLES,
    commandBodies: IncidentCommandInputs as Record<IncidentCommand, z.ZodType<unknown>>,
    prepare: {
      // a hold reason's code is one of the incident's own SLA (or SLA policy), at the version it was logged with
      hold: async (input: { reason: string; code?: string }, _actor, number) => {
        if (!input.code) return input;
        const rec = await loadCase<IncidentRecord>(models.Incident, number);
        if (!rec) throw notFound(`there is no incident ${number}`);
        const reasons = await holdReasonsFor(rec);
        if (!reasons.some((h) => h.code === input.code)) {
          const message = `not a hold reason of ${number}'s ${rec.policy.sla ? `SLA ${rec.policy.sla.id}` : 'SLA policy'}: ${reasons.map((h) => `${h.code} (${h.stopsClock ? 'stops' : 'does not stop'} the clock)`).join(', ')}`;
          throw badRequest(`code: ${message}`, [{ in: 'body', path: 'code', message }]);
        }
        return input;
      },
    },
    updates: incidentUpdates as unknown as Record<IncidentCommand, IncidentUpdate>,
  });

  return router;
}
