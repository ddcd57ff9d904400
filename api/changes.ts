/** Change management over HTTP: raise, list, read, history, commands, the change calendar. */
import { CHANGE_TABLE, refuseChangeCommand } from '../domain/change';
import { caseRoutes } from './case-resource';
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Actor, Role } from '../domain/actor';
import {
  CHANGE_COMMANDS,
  CHANGE_STATES,
  CHANGE_TYPES,
  changeNumber,
  HOLDS_WINDOW,
  RISKS,
  scheduleConflicts,
  type ChangeCommand,
  type ChangeImpact,
  type ChangePolicyBody,
} from '../domain/change';
import { ChangeCommandInputs, ChangeNumber, RaiseChangeInput, ChangeAnswer, ChangeCalendarAnswer, ChangeRecordAnswer } from '../domain/schemas/change';
import { PageOf } from '../domain/schemas/answers';
import type { Models } from '../models';
import { latestPoliciesCounted, latestPolicy, type StoredPolicy } from '../models/policies';
import { cmdbGraph, type CmdbGraph } from '../models/cmdb-graph';
import { planCiUpdate } from '../models/configuration-item';
import { IMPACT_DEPTH_DEFAULT, relationshipText } from '../domain/cmdb';
import type { ServiceBody } from '../domain/schemas/service';
import type { CiUpdate } from '../domain/schemas/change';
import { impactAnswer } from './cmdb';
import type { ChangeRecord } from '../domain/change';
import { changeOpened, changeUpdates, changeWorkflow } from '../workflows/change';
import { fromStore, loadCase, openCase, withWork } from './cases';
import { freeFromLostRelease, releaseProcessGone } from './lost-releases';
import { linkedTargets, Page, pageInMemory, pageOf } from './lists';
import { linkKey } from '../models/link';
import { findIndexed, type Filter } from '../models/query';
import { badRequest, conflict } from './problem';
import { checkReferences } from './references';
import { route } from './route';

/** The most changes one calendar answer shows. */
const CALENDAR_LIMIT = 2_000;
const MANAGERS: Role[] = ['agent', 'admin'];
const COMMAND_ROLES: Record<ChangeCommand, Role[]> = {
  submit: ['requester', 'agent', 'admin'],
  assess: MANAGERS,
  implement: MANAGERS,
  complete: MANAGERS,
  cancel: ['requester', 'agent', 'admin'],
  comment: ['requester', 'agent', 'admin'],
};
const SUMMARIES: Record<ChangeCommand, string> = {
  submit: 'Submit the RFC: to assessment (a standard change goes straight to scheduled)',
  assess: 'Record the risk assessment: on to authorization by the matching approval policy',
  implement: 'Start implementing a scheduled change',
  complete: 'Record the implementation result: successful goes to review, failed opens a back-out task',
  cancel: 'Cancel the change (before implementation)',
  comment: 'Add a comment',
};

/** How many CIs related to a change's CIs its collision check looks at, the nearest first. */
export const RELATED_CIS_CHECKED = 200;

/**
 * The CIs one relationship away from a change's CIs (what they depend on and what depends on
 * them), each with the relationship: a change on one of them in the same window collides.
 */
export function relatedCis(graph: CmdbGraph, cis: string[]): Map<string, string> {
  const related = new Map<string, string>();
  for (const ci of cis) {
    const rels = [...(graph.node(ci)?.relationships ?? []), ...graph.relationshipsTo(ci)];
    for (const rel of rels) {
      const other = rel.from === ci ? rel.to : rel.from;
      if (!cis.includes(other) && !related.has(other) && related.size < RELATED_CIS_CHECKED) related.set(other, relationshipText(rel));
    }
  }
  return related;
}

/** The services that depend on a change's CIs, and how many CIs do. */
export function affectsOf(graph: CmdbGraph, services: Array<StoredPolicy<ServiceBody>>, cis: string[]): ChangeImpact {
  const found = new Map<string, ChangeImpact['services'][number]>();
  const dependents = new Map<string, number>();
  let truncated = false;
  for (const ci of cis) {
    const impact = impactAnswer(ci, IMPACT_DEPTH_DEFAULT, graph, services);
    truncated ||= impact.truncated;
    for (const c of impact.cis) if (!cis.includes(c.name) && !dependents.has(c.name)) dependents.set(c.name, c.depth);
    for (const s of impact.services) found.set(s.id, { id: s.id, name: s.name, owner: s.owner, customers: s.customers });
  }
  const nearest = [...dependents].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).slice(0, 100).map(([name]) => name);
  return { services: [...found.values()].sort((a, b) => a.name.localeCompare(b.name)), cis: dependents.size, dependents: nearest, truncated };
}

export function changeRoutes({ models, client, taskQueue }: { models: Models; client: Client; taskQueue: string }): Router {
  const router = Router();

  async function view(rec: ChangeRecord) {
    return withWork(models, rec);
  }
  /** A change's CI updates fit the CMDB as it is now (they are checked again when applied). */
  async function checkCiUpdates(updates: CiUpdate[]): Promise<void> {
    const plans = await Promise.all(updates.map((u) => planCiUpdate(models, u)));
    const errors = plans.flatMap((p, i) => (p.ok ? [] : p.errors.map((e) => ({ in: 'body', path: `ciUpdates.${i}.${e.path}`, message: e.message }))));
    if (errors.length) throw badRequest(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  }

  /** Changes holding a window now on any of these CIs: found through the CIs' links to open changes. */
  async function scheduledOn(cis: string[]): Promise<ChangeRecord[]> {
    const open = await linkedTargets<ChangeRecord & Record<string, unknown>>(models, models.Change, cis.map((ci) => linkKey('changes', 'configurationItems', ci)), {
      open: true,
      direction: 1,
      accept: (c) => HOLDS_WINDOW.includes(c.state),
    });
    return open.map((c) => fromStore<ChangeRecord>(c));
  }

  route(router, {
    method: 'post',
    path: '/changes',
    tag: 'Changes',
    summary: 'Raise a request for change (RFC)',
    description: 'A blackout window or another scheduled change on the same CI in the planned window is refused with 409 naming the conflicts, or routed to an extra approval when the change policy says so.',
    roles: ['requester', 'agent', 'admin'],
    body: RaiseChangeInput,
    status: 201,
    response: ChangeAnswer,
    idempotent: true,
    handler: async ({ body, actor, res, idempotency }) => {
      const policy = await latestPolicy<ChangePolicyBody>(models, 'change', 'default');
      if (body.type === 'standard' && !policy.body.standardTemplates.some((t) => t.id === body.template)) {
        throw badRequest(`there is no standard change template ${body.template}`, [{ in: 'body', path: 'template', message: `there is no standard change template ${body.template}` }]);
      }
      const canonical = await checkReferences(models, 'change', [
        ...body.services.map((name, i) => ({ path: `services.${i}`, kind: 'service' as const, name })),
        ...body.configurationItems.map((name, i) => ({ path: `configurationItems.${i}`, kind: 'ci' as const, name })),
      ]);
      await checkCiUpdates(body.ciUpdates ?? []);
      const [graph, services] = await Promise.all([cmdbGraph(models).upToDate(), latestPoliciesCounted<ServiceBody>(models, 'service')]);
      const related = relatedCis(graph, body.configurationItems);
      const scheduled = await scheduledOn([...body.configurationItems, ...related.keys()]);
      const conflicts = scheduleConflicts(body, policy.body, scheduled, related);
      if (conflicts.length && policy.body.onConflict.action === 'refuse') {
        const names = conflicts.map((c) => (c.kind === 'blackout' ? `the blackout "${c.with}"` : `${c.with} on ${c.configurationItem}${c.via ? ` (${c.via})` : ''}`));
        throw conflict(`the planned window conflicts with ${names.join(', ')}`, { conflicts });
      }
      return openCase({ client, models, idempotency, counter: 'CHG', format: changeNumber, path: '/changes', res, opened: changeOpened, taskQueue }, changeWorkflow, (number) => [{ number, input: { ...body, services: body.services.map(canonical) }, actor, conflicts, affects: affectsOf(graph, services, body.configurationItems) }]);
    },
  });

  route(router, {
    method: 'get',
    path: '/changes',
    tag: 'Changes',
    summary: 'List changes, newest first, filtered, paged by cursor',
    description: 'By state, type, risk or requester on an index; by a service or CI through its links (at most the 2,000 latest changes of one service or CI), other filters then applied to those.',
    roles: 'authenticated',
    query: z.strictObject({
      state: z.enum(CHANGE_STATES).optional(),
      type: z.enum(CHANGE_TYPES).optional(),
      risk: z.enum(RISKS).optional(),
      service: z.string().min(1).optional(),
      configurationItem: z.string().min(1).optional(),
      requestedBy: z.string().min(1).optional(),
      ...Page.shape,
    }),
    response: PageOf(ChangeRecordAnswer),
    handler: async ({ query }) => {
      const { limit, cursor, service, configurationItem, ...rest } = query;
      const filter: Filter = { ...rest };
      if (!service && !configurationItem) return pageOf(models.Change, filter, [['_id', -1]], { limit, cursor }, (r) => fromStore(r));
      const keys = [service && linkKey('changes', 'services', service), configurationItem && linkKey('changes', 'configurationItems', configurationItem)].filter((k): k is string => !!k);
      const matches = (c: Record<string, unknown>) =>
        Object.entries(filter).every(([k, v]) => c[k] === v) && (!service || (c.services as string[]).includes(service)) && (!configurationItem || (c.configurationItems as string[]).includes(configurationItem));
      const docs = await linkedTargets(models, models.Change, keys.slice(0, 1), { direction: -1, accept: matches });
      return pageInMemory(docs, { limit, cursor }, -1, (d) => fromStore(d));
    },
  });

  caseRoutes<ChangeRecord, ChangeCommand, unknown>(router, { models, client }, {
    path: '/changes',
    tag: 'Changes',
    noun: 'change',
    model: models.Change,
    number: ChangeNumber,
    table: CHANGE_TABLE,
    readRoles: 'authenticated',
    present: view,
    answer: ChangeAnswer,
    summaries: {
      one: 'A change with its approvals and tasks',
      history: 'Every transition, decision, escalation and task of a change: who, when, from, to, note',
      commands: SUMMARIES,
    },
    commandRoles: COMMAND_ROLES,
    commandBodies: ChangeCommandInputs as Record<ChangeCommand, z.ZodType<unknown>>,
    updates: changeUpdates,
    prepare: { implement: unbundleIfReleaseGone('implement'), complete: unbundleIfReleaseGone('complete'), cancel: unbundleIfReleaseGone('cancel') },
  });

  /**
   * A change its release deploys is implemented, completed or let go by that release alone. Should
   * the release's process be gone (terminated by an operator, or ended without letting go), the
   * change would refuse these for ever: before such a command, a release with no running process
   * loses the change, said in its history, and the command goes on as for a change of its own.
   * Only for a command the actor may give it then (a refused command changes nothing).
   */
  function unbundleIfReleaseGone(command: 'implement' | 'complete' | 'cancel') {
    return async (input: unknown, actor: Actor, number: string) => {
      const rec = await loadCase<ChangeRecord>(models.Change, number);
      if (!rec?.release || refuseChangeCommand({ ...rec, release: null }, command, actor)) return input;
      const gone = await releaseProcessGone(client, rec.release);
      if (gone) await freeFromLostRelease(client, number, rec.release, gone);
      return input;
    };
  }

  route(router, {
    method: 'get',
    path: '/change-calendar',
    tag: 'Changes',
    summary: 'Scheduled and running changes and blackout windows between two instants',
    roles: 'authenticated',
    query: z.strictObject({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }),
    response: ChangeCalendarAnswer,
    handler: async ({ query }) => {
      if (Date.parse(query.to) <= Date.parse(query.from)) throw badRequest('to must be after from', [{ in: 'query', path: 'to', message: 'after from' }]);
      // open changes planned to start before the end of the period (few: the open ones), then those still running into it
      const [changes, policy] = await Promise.all([
        findIndexed(models.Change, { open: true, plannedStartAt: { $lt: Date.parse(query.to) }, plannedEndAt: { $gt: Date.parse(query.from) }, state: { $in: [...HOLDS_WINDOW] } }, {
          sort: [['plannedStartAt', 1], ['_id', 1]],
          limit: CALENDAR_LIMIT,
          projection: { _id: 0, number: 1, title: 1, state: 1, type: 1, risk: 1, plannedStart: 1, plannedEnd: 1, configurationItems: 1, services: 1 },
        }),
        latestPolicy<ChangePolicyBody>(models, 'change', 'default'),
      ]);
      const blackouts = policy.body.blackouts.filter((b) => Date.parse(b.start) < Date.parse(query.to) && Date.parse(b.end) > Date.parse(query.from));
      return { from: query.from, to: query.to, changes, blackouts };
    },
  });

  return router;
}
