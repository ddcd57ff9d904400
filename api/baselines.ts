/**
 * Configuration baselines over HTTP [ISO/IEC 20000-1 8.2.6]: a named snapshot of a set of CIs (by
 * name, or every CI of a class), and what differs between it and today's CMDB.
 */
import { Router } from 'express';
import { z } from 'zod';
import { BASELINE_CIS_MAX, BaselineAnswer, BaselineDiffAnswer, BaselineId, BaselinePage, TakeBaselineInput } from '../domain/schemas/cmdb';
import type { Models } from '../models';
import type { BaselineDoc, BaselineItem } from '../models/baseline';
import { ciChanges, findCi, type CiDoc } from '../models/configuration-item';
import { nextNumber } from '../models/counter';
import { findIndexed } from '../models/query';
import { Page, pageOf } from './lists';
import { badRequest, conflict, notFound } from './problem';
import { route } from './route';

const KEEPERS = ['agent', 'process_owner', 'admin'] as const;
const Params = z.strictObject({ id: BaselineId });

export function baselineRoutes({ models }: { models: Models }): Router {
  const router = Router();

  /** every CI of a class, by name (at most the baseline bound: more is refused) */
  const ofClass = (cls: string) => findIndexed<CiDoc>(models.ConfigurationItem, { class: cls }, { sort: [['_id', 1]], limit: BASELINE_CIS_MAX + 1, projection: { lastChange: 0 } });

  async function load(id: string): Promise<BaselineDoc> {
    const b = (await models.Baseline.collection.findOne({ _id: id as never })) as unknown as BaselineDoc | null;
    if (!b) throw notFound(`there is no baseline ${id}`);
    return b;
  }
  const head = (b: BaselineDoc) => ({ id: b._id, name: b.name, description: b.description, scope: b.scope, createdAt: b.createdAt, createdBy: b.createdBy, count: b.items.length });

  route(router, {
    method: 'post',
    path: '/baselines',
    tag: 'Configuration management',
    summary: `Take a baseline: the named CIs, or every CI of a class, as they are now (at most ${BASELINE_CIS_MAX})`,
    roles: KEEPERS,
    body: TakeBaselineInput,
    status: 201,
    response: BaselineAnswer,
    handler: async ({ body, actor, res }) => {
      let cis: CiDoc[];
      if (body.cis) {
        const found = await Promise.all(body.cis.map((n) => findCi(models, n)));
        const missing = body.cis.flatMap((n, i) => (found[i] ? [] : [{ in: 'body', path: `cis.${i}`, message: `there is no CI ${n}` }]));
        if (missing.length) throw badRequest(missing.map((m) => m.message).join('; '), missing);
        cis = found as CiDoc[];
      } else {
        cis = await ofClass(body.class!);
        if (cis.length > BASELINE_CIS_MAX) throw conflict(`class ${body.class} has more than ${BASELINE_CIS_MAX} CIs, the most a baseline keeps: name the CIs`);
        if (!cis.length) throw badRequest(`class ${body.class} has no CIs`, [{ in: 'body', path: 'class', message: `no CI is of class ${body.class}` }]);
      }
      const items: BaselineItem[] = cis.map((c) => ({ name: c._id, class: c.class, classVersion: c.classVersion, description: c.description, owner: c.owner, status: c.status, attributes: c.attributes, relationships: c.relationships, version: c.version }));
      const doc: BaselineDoc = { _id: `bl-${await nextNumber(models.Counter, 'baseline')}`, name: body.name, description: body.description, scope: body.cis ? { cis: body.cis } : { class: body.class! }, createdAt: new Date(), createdBy: actor.name, items };
      await models.Baseline.collection.insertOne(doc as never);
      res.location(`/baselines/${doc._id}`);
      return { ...head(doc), items };
    },
  });

  route(router, {
    method: 'get',
    path: '/baselines',
    tag: 'Configuration management',
    summary: 'The baselines, newest first',
    roles: 'authenticated',
    query: Page.strict(),
    response: BaselinePage,
    handler: async ({ query }) => pageOf(models.Baseline, {}, [['createdAt', -1], ['_id', -1]], query, (b: BaselineDoc) => head(b)),
  });

  route(router, {
    method: 'get',
    path: '/baselines/:id',
    tag: 'Configuration management',
    summary: 'A baseline with the CIs it keeps, as they were',
    roles: 'authenticated',
    params: Params,
    response: BaselineAnswer,
    handler: async ({ params }) => {
      const b = await load(params.id);
      return { ...head(b), items: b.items };
    },
  });

  route(router, {
    method: 'get',
    path: '/baselines/:id/diff',
    tag: 'Configuration management',
    summary: 'What differs between a baseline and today: each changed CI field by field, and the CIs of its class registered since',
    roles: 'authenticated',
    params: Params,
    response: BaselineDiffAnswer,
    handler: async ({ params }) => {
      const b = await load(params.id);
      const now = 'class' in b.scope ? await ofClass(b.scope.class) : ((await Promise.all(b.items.map((i) => findCi(models, i.name)))).filter(Boolean) as CiDoc[]);
      const today = new Map(now.map((c) => [c._id, c]));
      const changed = b.items.flatMap((i) => {
        const c = today.get(i.name);
        if (!c || c.version === i.version) return [];
        const changes = ciChanges({ ...i, _id: i.name }, c, i.name);
        return changes.length ? [{ name: i.name, baselineVersion: i.version, version: c.version, changes }] : [];
      });
      const kept = new Set(b.items.map((i) => i.name));
      return { id: b._id, name: b.name, createdAt: b.createdAt, changed, added: now.filter((c) => !kept.has(c._id)).map((c) => c._id), unchanged: b.items.length - changed.length };
    },
  });

  return router;
}
