/** Release and deployment over HTTP: create, list, read, history, commands, the release calendar. */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Role } from '../domain/actor';
import type { ChangePolicyBody, ChangeRecord } from '../domain/change';
import { RELEASE_STATES, RELEASE_TABLE, RELEASE_TYPES, releaseNumber, windowProblems, type ReleaseCommand, type ReleasePolicyBody, type ReleaseRecord } from '../domain/release';
import { PageOf } from '../domain/schemas/answers';
import { CreateReleaseInput, ReleaseAnswer, ReleaseCalendarAnswer, ReleaseCommandInputs, ReleaseNumber, ReleaseRecordAnswer, type DeploymentWindow } from '../domain/schemas/release';
import type { Models } from '../models';
import { planCiUpdate } from '../models/configuration-item';
import { linkKey } from '../models/link';
import { latestPolicy, policyVersion } from '../models/policies';
import { findIndexed } from '../models/query';
import { releaseOpened, releaseUpdates, releaseWorkflow } from '../workflows/release';
import { caseRoutes } from './case-resource';
import { fromStore, loadCase, openCase, withWork } from './cases';
import { freeFromLostRelease, releaseProcessGone } from './lost-releases';
import { linkedTargets, Page, pageInMemory, pageOf } from './lists';
import { badRequest, conflict, notFound } from './problem';
import { route } from './route';

const MANAGERS: Role[] = ['agent', 'admin'];
/** The most releases one calendar answer shows. */
const CALENDAR_LIMIT = 2_000;
type Issue = { in: string; path: string; message: string };

export function releaseRoutes({ models, client, taskQueue }: { models: Models; client: Client; taskQueue: string }): Router {
  const router = Router();

  /** Every window's problems with the release as it stands: unknown environments 400, the rest (blackouts, change windows, order, over) 409. */
  async function checkWindows(windows: DeploymentWindow[], ctx: { policy: ReleasePolicyBody; services: string[]; changes: ChangeRecord[]; others: DeploymentWindow[] }, path: (i: number) => string) {
    const change = await latestPolicy<ChangePolicyBody>(models, 'change', 'default');
    const unknown: Issue[] = [];
    const conflicts: string[] = [];
    windows.forEach((w, i) => {
      if (!ctx.policy.environments.some((e) => e.name === w.environment)) {
        unknown.push({ in: 'body', path: `${path(i)}environment`, message: `there is no environment ${w.environment} (the release policy has ${ctx.policy.environments.map((e) => e.name).join(', ')})` });
        return;
      }
      conflicts.push(...windowProblems(w, { now: Date.now(), policy: ctx.policy, blackouts: change.body.blackouts, services: ctx.services, changes: ctx.changes, others: [...ctx.others.filter((o) => o.environment !== w.environment), ...windows.filter((o) => o !== w)] }));
    });
    if (unknown.length) throw badRequest(unknown.map((e) => `${e.path}: ${e.message}`).join('; '), unknown);
    if (conflicts.length) throw conflict(conflicts.join('; '), { windows: conflicts });
  }

  route(router, {
    method: 'post',
    path: '/releases',
    tag: 'Releases',
    summary: 'Create a release: the approved changes it bundles, the CI versions it delivers, its tests, deployment windows known now',
    description:
      'Each change must be scheduled (approved) and in no other open release; each deliverable a CI of one of its changes whose class takes a `version` attribute. A window must lie outside the change policy’s blackouts for the release’s services, start no earlier than the previous environment’s window, and (production) lie inside every change’s approved window: otherwise 409 naming each problem.',
    roles: MANAGERS,
    body: CreateReleaseInput,
    status: 201,
    response: ReleaseAnswer,
    idempotent: true,
    handler: async ({ body, actor, res, idempotency }) => {
      const policy = await latestPolicy<ReleasePolicyBody>(models, 'release', 'default');
      const found = await Promise.all(body.changes.map((n) => loadCase<ChangeRecord>(models.Change, n)));
      const unknown = body.changes.flatMap((n, i) => (found[i] ? [] : [{ in: 'body', path: `changes.${i}`, message: `there is no change ${n}` }]));
      if (unknown.length) throw badRequest(unknown.map((e) => `${e.path}: ${e.message}`).join('; '), unknown);
      const changes = found as ChangeRecord[];
      // bundled elsewhere: the change's record says so once its workflow heard; an open release's link says so at once.
      // A release whose process is gone holds nothing: a change it held is freed once the release is known good (lost-releases.ts)
      const lost: Array<{ change: string; release: string; status: string }> = [];
      const bundled = await Promise.all(
        changes.map(async (c) => {
          if (c.release) {
            const status = await releaseProcessGone(client, c.release);
            if (!status) return c.release;
            lost.push({ change: c.number, release: c.release, status });
            return null;
          }
          const links = await findIndexed<{ target: string }>(models.Link, { k: linkKey('releases', 'changes', c.number), open: true }, { limit: 5, projection: { target: 1 } });
          for (const l of links) if (!(await releaseProcessGone(client, l.target))) return l.target;
          return null;
        }),
      );
      const refused = changes.flatMap((c, i) => (c.state !== 'scheduled' ? [`${c.number} is ${c.state}: a release bundles approved (scheduled) changes`] : bundled[i] ? [`${c.number} is deployed by ${bundled[i]} already`] : []));
      if (refused.length) throw conflict(refused.join('; '), { changes: refused });
      const cis = new Set(changes.flatMap((c) => c.configurationItems));
      const issues: Issue[] = [];
      const from: Array<string | null> = [];
      for (const [i, d] of body.deliverables.entries()) {
        if (!cis.has(d.ci)) {
          issues.push({ in: 'body', path: `deliverables.${i}.ci`, message: `${d.ci} is not a CI of the release's changes` });
          continue;
        }
        const plan = await planCiUpdate(models, { ci: d.ci, attributes: { version: d.version } });
        if (!plan.ok) issues.push(...plan.errors.map((e) => ({ in: 'body', path: `deliverables.${i}.${e.path === 'ci' ? 'ci' : 'version'}`, message: e.message })));
        else from[i] = typeof plan.ci.attributes.version === 'string' ? plan.ci.attributes.version : null;
      }
      if (body.transition) {
        const t = await loadCase<{ state: string }>(models.Transition, body.transition);
        if (!t) issues.push({ in: 'body', path: 'transition', message: `there is no service transition ${body.transition}` });
        else if (['closed', 'cancelled'].includes(t.state)) issues.push({ in: 'body', path: 'transition', message: `${body.transition} is ${t.state}` });
      }
      if (issues.length) throw badRequest(issues.map((e) => `${e.path}: ${e.message}`).join('; '), issues);
      const services = [...new Set(changes.flatMap((c) => c.services))].sort();
      await checkWindows(body.windows, { policy: policy.body, services, changes, others: [] }, (i) => `windows.${i}.`);
      // freed only now: a refused release changes nothing
      for (const l of lost) await freeFromLostRelease(client, l.change, l.release, l.status);
      return openCase({ client, models, idempotency, counter: 'REL', format: releaseNumber, path: '/releases', res, opened: releaseOpened, taskQueue }, releaseWorkflow, (number) => [
        {
          number,
          input: body,
          actor,
          services,
          deliverables: body.deliverables.map((d, i) => ({ ci: d.ci, version: d.version, from: from[i] ?? null })),
          changes: changes.map((c) => ({ number: c.number, plannedStart: c.plannedStart, plannedEnd: c.plannedEnd, configurationItems: c.configurationItems })),
          policy: { version: policy.version, body: policy.body },
        },
      ]);
    },
  });

  route(router, {
    method: 'get',
    path: '/releases',
    tag: 'Releases',
    summary: 'List releases, newest first, filtered, paged by cursor',
    description: 'By state, type, group or transition on an index; by a change or CI through its links (at most the 2,000 latest releases of one), other filters then applied to those.',
    roles: 'authenticated',
    query: z.strictObject({
      state: z.enum(RELEASE_STATES).optional(),
      type: z.enum(RELEASE_TYPES).optional(),
      group: z.string().min(1).optional(),
      transition: z.string().regex(/^TRN\d{7,}$/).optional(),
      change: z.string().regex(/^CHG\d{7,}$/).optional(),
      configurationItem: z.string().min(1).optional(),
      ...Page.shape,
    }),
    response: PageOf(ReleaseRecordAnswer),
    handler: async ({ query }) => {
      const { limit, cursor, change, configurationItem, ...filter } = query;
      if (!change && !configurationItem) return pageOf(models.Release, filter, [['_id', -1]], { limit, cursor }, (r) => fromStore(r));
      const key = change ? linkKey('releases', 'changes', change) : linkKey('releases', 'configurationItems', configurationItem!);
      const matches = (r: Record<string, unknown>) =>
        Object.entries(filter).every(([k, v]) => r[k] === v) && (!change || (r.changes as string[]).includes(change)) && (!configurationItem || (r.deliverables as Array<{ ci: string }>).some((d) => d.ci === configurationItem));
      const docs = await linkedTargets(models, models.Release, [key], { direction: -1, accept: matches });
      return pageInMemory(docs, { limit, cursor }, -1, (d) => fromStore(d));
    },
  });

  caseRoutes<ReleaseRecord, ReleaseCommand, unknown>(router, { models, client }, {
    path: '/releases',
    tag: 'Releases',
    noun: 'release',
    model: models.Release,
    number: ReleaseNumber,
    table: RELEASE_TABLE,
    readRoles: 'authenticated',
    present: (rec) => withWork(models, rec),
    answer: ReleaseAnswer,
    summaries: {
      one: 'A release with its tests, deployments, acceptance, rollback, early life support, approvals and tasks',
      history: 'Every step of a release: who, when, from, to, note',
      commands: {
        build: 'The plan is agreed: start building',
        build_done: 'The build is ready: a test task per test',
        rebuild: 'A new build: open test tasks are cancelled and the tests run again',
        submit: 'Every test done and no mandatory one failed: to acceptance by the matching approval policy (409 naming a failed mandatory test)',
        schedule: 'A deployment window for an environment not yet deployed (409 naming a blackout, a change window or the order it breaks)',
        report_deployment: "A deployment tool that took a deployment (answered 202) reports how it went: the step completes as if it had answered so (409 once the deployment is over or reported)",
        abort: 'Stop deploying (a window no one can give, a problem found meanwhile): the step in progress is cancelled and the environments reached roll back',
        end_support: 'End early life support by hand (the handover accepted despite open incidents)',
        cancel: 'Cancel the release before it deploys: its changes are let go, still approved',
        comment: 'Add a comment',
      },
    },
    commandRoles: { build: MANAGERS, build_done: MANAGERS, rebuild: MANAGERS, submit: MANAGERS, schedule: MANAGERS, report_deployment: MANAGERS, abort: MANAGERS, end_support: MANAGERS, cancel: MANAGERS, comment: ['requester', 'agent', 'admin'] },
    commandBodies: ReleaseCommandInputs as Record<ReleaseCommand, z.ZodType<unknown>>,
    updates: releaseUpdates,
    prepare: {
      schedule: async (input: DeploymentWindow, _actor, number) => {
        const rec = await loadCase<ReleaseRecord>(models.Release, number);
        if (!rec) throw notFound(`there is no release ${number}`);
        // a deployment under way or over: the workflow says why its window can no longer move
        const d = rec.deployments.find((x) => x.environment === input.environment);
        if (d && d.state !== 'pending' && d.state !== 'waiting') return input;
        const policy = (await policyVersion<ReleasePolicyBody>(models, 'release', 'default', rec.policy.release)) ?? (await latestPolicy<ReleasePolicyBody>(models, 'release', 'default'));
        const changes = (await Promise.all(rec.changes.map((n) => loadCase<ChangeRecord>(models.Change, n)))).filter((c): c is ChangeRecord => !!c);
        const others = rec.deployments.flatMap((d) => (d.window ? [{ environment: d.environment, ...d.window }] : []));
        await checkWindows([input], { policy: policy.body, services: rec.services, changes, others }, () => '');
        return input;
      },
    },
  });

  route(router, {
    method: 'get',
    path: '/release-calendar',
    tag: 'Releases',
    summary: 'Deployment windows of open releases and blackout windows between two instants (beside the change calendar)',
    roles: 'authenticated',
    query: z.strictObject({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }),
    response: ReleaseCalendarAnswer,
    handler: async ({ query }) => {
      const from = Date.parse(query.from);
      const to = Date.parse(query.to);
      if (to <= from) throw badRequest('to must be after from', [{ in: 'query', path: 'to', message: 'after from' }]);
      const [releases, change] = await Promise.all([
        findIndexed<ReleaseRecord>(models.Release, { open: true, windowStartAt: { $lt: to }, windowEndAt: { $gt: from } }, { sort: [['windowStartAt', 1], ['_id', 1]], limit: CALENDAR_LIMIT, projection: { _id: 0, number: 1, title: 1, state: 1, deployments: 1 } }),
        latestPolicy<ChangePolicyBody>(models, 'change', 'default'),
      ]);
      const windows = releases
        .flatMap((r) =>
          r.deployments
            .filter((d) => d.window && Date.parse(d.window.start) < to && Date.parse(d.window.end) > from)
            .map((d) => ({ release: r.number, title: r.title, state: r.state, environment: d.environment, production: d.production, deployment: d.state, start: d.window!.start, end: d.window!.end })),
        )
        .sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.release.localeCompare(b.release));
      const blackouts = change.body.blackouts.filter((b) => Date.parse(b.start) < to && Date.parse(b.end) > from);
      return { from: query.from, to: query.to, windows, blackouts };
    },
  });

  return router;
}
