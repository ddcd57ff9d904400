/**
 * The service portfolio over HTTP [ISO/IEC 20000-1 8.2]: process owners add and version services;
 * everyone with a key reads them. A service's name is how cases refer to it: one service per name.
 */
import { Router } from 'express';
import { z } from 'zod';
import { SERVICE_STATUSES, ServiceAnswer, ServiceBody, ServiceId, ServiceList } from '../domain/schemas/service';
import type { Models } from '../models';
import { nextNumber } from '../models/counter';
import { findLatestPolicy, latestPolicies, putPolicy, type StoredPolicy } from '../models/policies';
import { present, READ_ONLY, readVersion, writeVersion } from './policies';
import { badRequest, conflict, notFound } from './problem';
import { findCi } from '../models/configuration-item';
import { route } from './route';

const OWNERS = ['process_owner', 'admin'] as const;
const Params = z.strictObject({ id: ServiceId });

export function serviceRoutes({ models }: { models: Models }): Router {
  const router = Router();
  const answer = (p: StoredPolicy<ServiceBody>) => ({ id: p.key, ...present(p) });

  /** The CIs a service consists of are in the CMDB. */
  async function cisExist(body: ServiceBody) {
    const found = await Promise.all(body.configurationItems.map((ci) => findCi(models, ci)));
    const errors = body.configurationItems.flatMap((ci, i) => (found[i] ? [] : [{ in: 'body', path: `configurationItems.${i}`, message: `there is no CI ${ci} (GET /cis)` }]));
    if (errors.length) throw badRequest(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  }

  /** A name belongs to one service: another service of that name is a conflict. */
  async function nameFree(name: string, self?: string) {
    const holder = (await latestPolicies<ServiceBody>(models, 'service')).find((s) => s.key !== self && s.body.name.toLowerCase() === name.toLowerCase());
    if (holder) throw conflict(`${holder.key} is named ${holder.body.name} already: a service's name is how cases name it`);
  }

  route(router, {
    method: 'post',
    path: '/services',
    tag: 'Service portfolio',
    summary: 'Add a service to the portfolio: owner, customers, status, the CIs it consists of, its SLAs',
    roles: OWNERS,
    body: ServiceBody,
    status: 201,
    response: ServiceAnswer,
    handler: async ({ body, actor, res }) => {
      await nameFree(body.name);
      await cisExist(body);
      const id = `svc-${await nextNumber(models.Counter, 'service')}`;
      const p = await putPolicy(models, 'service', id, body, actor.name);
      res.location(`/services/${id}`).set('ETag', `"${p.version}"`);
      return answer(p);
    },
  });

  route(router, {
    method: 'get',
    path: '/services',
    tag: 'Service portfolio',
    summary: 'The services (latest versions), by name; ?status=live for the catalogue of live services',
    roles: 'authenticated',
    query: z.strictObject({ status: z.enum(SERVICE_STATUSES).optional() }),
    response: ServiceList,
    handler: async ({ query }) => {
      const all = await latestPolicies<ServiceBody>(models, 'service');
      return { items: all.filter((s) => !query.status || s.body.status === query.status).map(answer).sort((a, b) => a.name.localeCompare(b.name)) };
    },
  });

  route(router, {
    method: 'get',
    path: '/services/:id',
    tag: 'Service portfolio',
    summary: 'A service; ?version=N for an earlier version',
    roles: 'authenticated',
    params: Params,
    query: z.strictObject({ version: z.coerce.number().int().min(1).optional() }),
    response: ServiceAnswer,
    handler: async ({ params, query, res }) => answer(await readVersion<ServiceBody>(models, res, 'service', params.id, query.version, `service ${params.id}`)),
  });

  route(router, {
    method: 'put',
    path: '/services/:id',
    tag: 'Service portfolio',
    summary: 'Replace a service with a new version (If-Match: the version you read)',
    roles: OWNERS,
    params: Params,
    body: ServiceBody,
    readOnlyFields: READ_ONLY,
    response: ServiceAnswer,
    handler: async ({ params, body, actor, req, res }) => {
      if (!(await findLatestPolicy(models, 'service', params.id))) throw notFound(`there is no service ${params.id}`);
      await nameFree(body.name, params.id);
      await cisExist(body);
      return { id: params.id, ...(await writeVersion(models, req, res, 'service', params.id, body, actor.name)) };
    },
  });

  return router;
}
