/**
 * Configuration management over HTTP [ISO/IEC 20000-1 8.2.6]: CI classes (the process owner's
 * data: attribute schemas, change control), configuration items with their relationships, each
 * CI's history, and impact analysis through the relationships up to the services.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { CI_STATUSES, IMPACT_CIS_MAX, impactOf, RELATIONSHIP_TYPE_NAMES, RELATIONSHIPS_PER_CI_MAX, relationshipText, type Relationship } from '../domain/cmdb';
import {
  AddRelationshipInput,
  CiAnswer,
  CiClassAnswer,
  CiClassBody,
  CiClassList,
  CiClassName,
  CiHistory,
  CiName,
  CiPage,
  ImpactAnswer,
  ImpactQuery,
  RegisterCiInput,
  RemoveRelationshipQuery,
  UpdateCiInput,
} from '../domain/schemas/cmdb';
import { formSchema } from '../domain/schemas/request';
import type { ServiceBody } from '../domain/schemas/service';
import type { Models } from '../models';
import { cmdbGraph, type CmdbGraph } from '../models/cmdb-graph';
import { checkAttributes, ciChanges, CiConflict, ciHistory, findCi, planCiUpdate, registerCi, updateCi, type CiDoc, type CiHistoryEntry, type CiState, type CiUpdateRequest } from '../models/configuration-item';
import { findLatestPolicy, latestPolicies, latestPoliciesCounted, type StoredPolicy } from '../models/policies';
import { Page, pageOf } from './lists';
import { present, READ_ONLY, writeVersion } from './policies';
import { badRequest, conflict, HttpProblem, notFound } from './problem';
import { route } from './route';

const OWNERS = ['process_owner', 'admin'] as const;
/** who keeps the CMDB: the service teams register and edit CIs; the process owner too */
const KEEPERS = ['agent', 'process_owner', 'admin'] as const;
const ClassParams = z.strictObject({ name: CiClassName });
const CiParams = z.strictObject({ name: CiName });

export function cmdbRoutes({ models }: { models: Models }): Router {
  const router = Router();

  async function classOf(name: string, where = 'class'): Promise<StoredPolicy<CiClassBody>> {
    const c = await findLatestPolicy<CiClassBody>(models, 'ci-class', name);
    if (!c) throw badRequest(`there is no CI class ${name}`, [{ in: 'body', path: where, message: `there is no CI class ${name} (GET /ci-classes)` }]);
    return c;
  }

  async function ciOr404(name: string): Promise<CiDoc> {
    const ci = await findCi(models, name);
    if (!ci) throw notFound(`there is no CI ${name}`);
    return ci;
  }

  /** The class's attribute schema decides what a CI's attributes may be. */
  function attributesOf(cls: StoredPolicy<CiClassBody>, attributes: Record<string, unknown>): Record<string, unknown> {
    const checked = checkAttributes(cls.key, cls.body.attributes, attributes);
    if ('attributes' in checked) return checked.attributes;
    const errors = checked.errors.map((e) => ({ in: 'body', ...e }));
    throw badRequest(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  }

  /** Relationships from a CI: to CIs that exist, each once, never to itself, within the bound. */
  async function checkRelationships(from: string, rels: Array<{ type: string; to: string }>, where: string): Promise<void> {
    if (rels.length > RELATIONSHIPS_PER_CI_MAX) throw conflict(`${from} has ${RELATIONSHIPS_PER_CI_MAX} relationships of its own, the most a CI may have`);
    const seen = new Set<string>();
    for (const [i, r] of rels.entries()) {
      if (r.to === from) throw badRequest(`${where}: a CI does not relate to itself`, [{ in: 'body', path: `${where}.${i}.to`, message: 'a CI does not relate to itself' }]);
      const key = `${r.type} ${r.to}`;
      if (seen.has(key)) throw badRequest(`${where}: ${from} ${key} is there twice`, [{ in: 'body', path: `${where}.${i}`, message: `${from} ${key} is there twice` }]);
      seen.add(key);
    }
    const missing = (await Promise.all([...new Set(rels.map((r) => r.to))].map(async (to) => ((await findCi(models, to)) ? null : to)))).filter((x) => x !== null);
    if (missing.length) {
      throw badRequest(`there is no CI ${missing.join(', ')}`, rels.flatMap((r, i) => (missing.includes(r.to) ? [{ in: 'body', path: `${where}.${i}.to`, message: `there is no CI ${r.to}` }] : [])));
    }
  }

  /** A CI of a class under change control changes through a change, never directly. */
  function changeControl(ci: CiDoc, cls: StoredPolicy<CiClassBody> | null): void {
    if (cls?.body.changeControlled) {
      throw conflict(`${ci._id} is a ${ci.class}, a class under change control: it changes only through a change (the CI updates of its implementation, applied when it completes successfully)`, { rule: 'change-control' });
    }
  }

  function expectedVersion(req: Request, ci: CiDoc): void {
    const h = req.get('if-match');
    if (!h) return;
    const m = /^"?(\d+)"?$/.exec(h.trim());
    if (!m) throw badRequest('If-Match must be the version you read, e.g. "3"');
    if (Number(m[1]) !== ci.version) throw new HttpProblem(412, 'precondition-failed', 'Precondition failed', `${ci._id} is at version ${ci.version}, not ${m[1]}: read it again`);
  }

  async function answer(ci: CiDoc) {
    const [graph, cls] = await Promise.all([cmdbGraph(models).upToDate(), findLatestPolicy<CiClassBody>(models, 'ci-class', ci.class)]);
    return { ...listed(ci, cls), dependents: graph.relationshipsTo(ci._id).sort(byText) };
  }

  const listed = (ci: CiDoc, cls: StoredPolicy<CiClassBody> | null) => ({
    name: ci._id,
    class: ci.class,
    classVersion: ci.classVersion,
    description: ci.description,
    owner: ci.owner,
    status: ci.status,
    attributes: ci.attributes,
    relationships: ci.relationships.map((r) => ({ from: ci._id, type: r.type, to: r.to })),
    changeControlled: cls?.body.changeControlled ?? false,
    version: ci.version,
    verifiedAt: ci.verifiedAt,
    verification: ci.verification ?? null,
    createdAt: ci.createdAt,
    createdBy: ci.createdBy,
    updatedAt: ci.updatedAt,
    updatedBy: ci.updatedBy,
  });

  async function write<T>(w: () => Promise<T>): Promise<T> {
    try {
      return await w();
    } catch (err) {
      if (err instanceof CiConflict) throw conflict(err.message);
      throw err;
    }
  }

  /**
   * A direct edit of a CI, checked and worked out as a change's CI update is (planCiUpdate): refused
   * for a class under change control; nothing to change writes no version.
   */
  async function change(ci: CiDoc, update: CiUpdateRequest, action: CiHistoryEntry['action'], why: string, by: string, res: Response, pathOf: (path: string) => string) {
    changeControl(ci, await findLatestPolicy<CiClassBody>(models, 'ci-class', ci.class));
    const plan = await planCiUpdate(models, update);
    if (!plan.ok) {
      const gone = plan.errors.find((e) => e.path === 'ci' || e.path === 'addRelationships');
      if (gone) throw conflict(`${ci._id}: ${gone.message}`);
      const errors = plan.errors.map((e) => ({ in: 'body', path: pathOf(e.path), message: e.message }));
      throw badRequest(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
    }
    if (!plan.changes.length) return answer(ci);
    const next = await write(() => updateCi(models, plan.ci, plan.state, { action, by, why, change: null, changes: plan.changes }));
    res.set('ETag', `"${next.version}"`);
    return answer(next);
  }

  // ——— CI classes ———

  route(router, {
    method: 'get',
    path: '/ci-classes',
    tag: 'Configuration management',
    summary: 'The CI classes (latest versions)',
    roles: 'authenticated',
    response: CiClassList,
    handler: async () => ({ items: (await latestPolicies<CiClassBody>(models, 'ci-class')).map((p) => ({ name: p.key, ...present(p) })) }),
  });

  route(router, {
    method: 'get',
    path: '/ci-classes/:name',
    tag: 'Configuration management',
    summary: 'A CI class: its attribute schema and whether it is under change control',
    roles: 'authenticated',
    params: ClassParams,
    response: CiClassAnswer,
    handler: async ({ params, res }) => {
      const p = await findLatestPolicy<CiClassBody>(models, 'ci-class', params.name);
      if (!p) throw notFound(`there is no CI class ${params.name}`);
      res.set('ETag', `"${p.version}"`);
      return { name: p.key, ...present(p) };
    },
  });

  route(router, {
    method: 'put',
    path: '/ci-classes/:name',
    tag: 'Configuration management',
    summary: 'Define a CI class, or write its next version (If-Match: the version you read)',
    description: 'CIs keep the class version they were last written with; a new version applies to their next write.',
    roles: OWNERS,
    params: ClassParams,
    body: CiClassBody,
    readOnlyFields: [...READ_ONLY, 'name'],
    response: CiClassAnswer,
    handler: async ({ params, body, actor, req, res }) => ({ name: params.name, ...(await writeVersion(models, req, res, 'ci-class', params.name, body, actor.name)) }),
  });

  // ——— configuration items ———

  route(router, {
    method: 'post',
    path: '/cis',
    tag: 'Configuration management',
    summary: 'Register a configuration item, with the relationships that go from it',
    description: 'Registering is allowed for every class (it records what is there); afterwards a CI of a class under change control changes only through a change.',
    roles: KEEPERS,
    body: RegisterCiInput,
    status: 201,
    response: CiAnswer,
    handler: async ({ body, actor, res }) => {
      const cls = await classOf(body.class);
      const attributes = attributesOf(cls, body.attributes);
      await checkRelationships(body.name, body.relationships, 'relationships');
      const state: CiState = { class: body.class, classVersion: cls.version, description: body.description, owner: body.owner, status: body.status, attributes, relationships: body.relationships };
      const ci = await write(() =>
        registerCi(models, body.name, state, {
          action: 'registered',
          by: actor.name,
          why: body.why,
          change: null,
          changes: ciChanges(NOTHING, state, body.name),
        }),
      );
      res.location(`/cis/${encodeURIComponent(ci._id)}`).set('ETag', `"${ci.version}"`);
      return answer(ci);
    },
  });

  route(router, {
    method: 'get',
    path: '/cis',
    tag: 'Configuration management',
    summary: 'The configuration items by name, filtered by class, owner or status',
    roles: 'authenticated',
    query: Page.extend({ class: CiClassName.optional(), owner: z.string().min(1).max(200).optional(), status: z.enum(CI_STATUSES).optional() }).strict(),
    response: CiPage,
    handler: async ({ query }) => {
      const filter: Record<string, unknown> = {};
      for (const f of ['class', 'owner', 'status'] as const) if (query[f]) filter[f] = query[f];
      const classes = new Map((await latestPolicies<CiClassBody>(models, 'ci-class')).map((c) => [c.key, c]));
      return pageOf(models.ConfigurationItem, filter, [['_id', 1]], query, (d: CiDoc) => listed(d, classes.get(d.class) ?? null), { projection: { lastChange: 0 } });
    },
  });

  route(router, {
    method: 'get',
    path: '/cis/:name',
    tag: 'Configuration management',
    summary: 'A configuration item: attributes, relationships from it and to it',
    roles: 'authenticated',
    params: CiParams,
    response: CiAnswer,
    handler: async ({ params, res }) => {
      const ci = await ciOr404(params.name);
      res.set('ETag', `"${ci.version}"`);
      return answer(ci);
    },
  });

  route(router, {
    method: 'patch',
    path: '/cis/:name',
    tag: 'Configuration management',
    summary: 'Change a CI’s owner, status, description or attributes (null removes one), saying why',
    description: 'A CI of a class under change control is refused with 409 (`rule: change-control`): it changes through a change.',
    roles: KEEPERS,
    params: CiParams,
    body: UpdateCiInput,
    response: CiAnswer,
    handler: async ({ params, body, actor, req, res }) => {
      const ci = await ciOr404(params.name);
      expectedVersion(req, ci);
      const { why, ...update } = body;
      return change(ci, { ci: ci._id, ...update }, 'updated', why, actor.name, res, (path) => path);
    },
  });

  route(router, {
    method: 'post',
    path: '/cis/:name/relationships',
    tag: 'Configuration management',
    summary: 'Relate the CI to another: “this CI <type> to”, saying why',
    roles: KEEPERS,
    params: CiParams,
    body: AddRelationshipInput,
    status: 201,
    response: CiAnswer,
    handler: async ({ params, body, actor, res }) => {
      const ci = await ciOr404(params.name);
      if (ci.relationships.some((r) => r.type === body.type && r.to === body.to)) throw conflict(`${ci._id} ${body.type} ${body.to} is there already`);
      return change(ci, { ci: ci._id, addRelationships: [{ type: body.type, to: body.to }] }, 'relationship_added', body.why, actor.name, res, (path) => path.replace(/^addRelationships\.0\./, ''));
    },
  });

  route(router, {
    method: 'delete',
    path: '/cis/:name/relationships/:type/:to',
    tag: 'Configuration management',
    summary: 'Remove a relationship from the CI (?why=… is kept in its history)',
    roles: KEEPERS,
    params: z.strictObject({ name: CiName, type: z.enum(RELATIONSHIP_TYPE_NAMES), to: CiName }),
    query: RemoveRelationshipQuery,
    response: CiAnswer,
    handler: async ({ params, query, actor, res }) => {
      const ci = await ciOr404(params.name);
      if (!ci.relationships.some((r) => r.type === params.type && r.to === params.to)) throw notFound(`${ci._id} has no relationship ${params.type} ${params.to}`);
      return change(ci, { ci: ci._id, removeRelationships: [{ type: params.type, to: params.to }] }, 'relationship_removed', query.why, actor.name, res, (path) => path);
    },
  });

  route(router, {
    method: 'get',
    path: '/cis/:name/history',
    tag: 'Configuration management',
    summary: 'Every change of the CI: who, when, why, which change, and what changed from what to what',
    roles: 'authenticated',
    params: CiParams,
    response: CiHistory,
    handler: async ({ params }) => ({ name: params.name, items: await ciHistory(models, await ciOr404(params.name)) }),
  });

  route(router, {
    method: 'get',
    path: '/cis/:name/impact',
    tag: 'Configuration management',
    summary: 'Every CI and service that depends on this CI, through the relationships, with the path and their owners and customers',
    description: `Breadth first, so each dependent comes with a shortest path; at most \`depth\` relationships away and ${IMPACT_CIS_MAX} CIs (\`truncated\` says when a bound left some out).`,
    roles: 'authenticated',
    params: CiParams,
    query: ImpactQuery,
    response: ImpactAnswer,
    handler: async ({ params, query }) => {
      const [graph, services] = await Promise.all([cmdbGraph(models).upToDate(), latestPoliciesCounted<ServiceBody>(models, 'service')]);
      if (!graph.node(params.name) && !(await findCi(models, params.name))) throw notFound(`there is no CI ${params.name}`);
      return impactAnswer(params.name, query.depth, graph, services);
    },
  });

  return router;
}

/** The impact of a CI: its dependents in the graph, and the services that consist of it or of one of them. */
export function impactAnswer(ci: string, depth: number, graph: CmdbGraph, services: Array<StoredPolicy<ServiceBody>>): ImpactAnswer {
  const found = impactOf(ci, (name) => graph.dependentsOf(name), { depth, maxCis: IMPACT_CIS_MAX });
  const paths = new Map<string, Relationship[]>([[ci, []], ...found.cis.map((c) => [c.ci, c.path] as const)]);
  const hit: ImpactAnswer['services'] = [];
  for (const s of services) {
    // the CI of the service nearest to the one analysed
    const through = s.body.configurationItems.filter((c) => paths.has(c)).sort((a, b) => paths.get(a)!.length - paths.get(b)!.length)[0];
    if (through) hit.push({ id: s.key, name: s.body.name, owner: s.body.owner, customers: s.body.customers, status: s.body.status, through, path: paths.get(through)! });
  }
  return {
    ci,
    depth,
    truncated: found.truncated,
    cis: found.cis.map((c) => {
      const n = graph.node(c.ci)!;
      return { name: c.ci, class: n.class, owner: n.owner, status: n.status, depth: c.depth, path: c.path };
    }),
    services: hit.sort((a, b) => a.path.length - b.path.length || a.name.localeCompare(b.name)),
  };
}

const byText = (a: Relationship, b: Relationship) => relationshipText(a).localeCompare(relationshipText(b));

/** A CI before it was registered: what its first history entry changes from. */
const NOTHING = { class: null, classVersion: 0, description: '', owner: null, status: null, attributes: {}, relationships: [] } as unknown as CiState;
