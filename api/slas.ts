/**
 * Service level agreements over HTTP [ISO/IEC 20000-1 8.3.3]: process owners agree them per service
 * and customer (versioned records); everyone with a key reads them. One SLA in force per service
 * and customer.
 */
import { Router } from 'express';
import { z } from 'zod';
import { SlaAnswer, SlaBody, SlaId, SlaList } from '../domain/schemas/service-level';
import type { Models } from '../models';
import { nextNumber } from '../models/counter';
import { findLatestPolicy, latestPolicies, putPolicy, type StoredPolicy } from '../models/policies';
import { present, READ_ONLY, readVersion, writeVersion } from './policies';
import { refuseIf, requestTargetProblems, slaProblems } from './policy-checks';
import { badRequest, conflict, notFound } from './problem';
import { route } from './route';

const OWNERS = ['process_owner', 'admin'] as const;
const Params = z.strictObject({ id: SlaId });

export function slaRoutes({ models }: { models: Models }): Router {
  const router = Router();
  const answer = (p: StoredPolicy<SlaBody>) => ({ id: p.key, ...present(p) });

  /** The service exists; its calendars exist and can carry its targets; no other SLA is in force for the same service and customer. */
  async function check(body: SlaBody, self?: string) {
    if (!(await findLatestPolicy(models, 'service', body.service))) throw badRequest(`there is no service ${body.service}`, [{ in: 'body', path: 'service', message: `there is no service ${body.service} (GET /services)` }]);
    refuseIf((await slaProblems(models, body.incidents)).map((p) => ({ ...p, path: `incidents.${p.path}` })));
    refuseIf(await requestTargetProblems(models, body));
    if (!body.active) return;
    const twin = (await latestPolicies<SlaBody>(models, 'sla')).find(
      (s) => s.key !== self && s.body.active && s.body.service === body.service && (s.body.customer ?? '').toLowerCase() === (body.customer ?? '').toLowerCase(),
    );
    if (twin) throw conflict(`${twin.key} (${twin.body.name}) is in force for ${body.service} and ${body.customer ?? 'every customer'} already: one SLA per service and customer (set it inactive first)`);
  }

  route(router, {
    method: 'post',
    path: '/slas',
    tag: 'Service level management',
    summary: 'Agree an SLA for a service and a customer (or every customer of the service): incident targets per priority on a calendar',
    description: 'The SLA in force for an incident’s service and customer sets its clocks when it is logged (else the one for every customer of the service, else the incident SLA policy). A running incident keeps the version it started with.',
    roles: OWNERS,
    body: SlaBody,
    status: 201,
    response: SlaAnswer,
    handler: async ({ body, actor, res }) => {
      await check(body);
      const id = `sla-${await nextNumber(models.Counter, 'sla')}`;
      const p = await putPolicy(models, 'sla', id, body, actor.name);
      res.location(`/slas/${id}`).set('ETag', `"${p.version}"`);
      return answer(p);
    },
  });

  route(router, {
    method: 'get',
    path: '/slas',
    tag: 'Service level management',
    summary: 'The SLAs (latest versions); ?service=svc-1 for one service’s',
    roles: 'authenticated',
    query: z.strictObject({ service: z.string().regex(/^svc-\d+$/).optional() }),
    response: SlaList,
    handler: async ({ query }) => ({ items: (await latestPolicies<SlaBody>(models, 'sla')).filter((s) => !query.service || s.body.service === query.service).map(answer) }),
  });

  route(router, {
    method: 'get',
    path: '/slas/:id',
    tag: 'Service level management',
    summary: 'An SLA; ?version=N for an earlier version',
    roles: 'authenticated',
    params: Params,
    query: z.strictObject({ version: z.coerce.number().int().min(1).optional() }),
    response: SlaAnswer,
    handler: async ({ params, query, res }) => answer(await readVersion<SlaBody>(models, res, 'sla', params.id, query.version, `SLA ${params.id}`)),
  });

  route(router, {
    method: 'put',
    path: '/slas/:id',
    tag: 'Service level management',
    summary: 'Write the next version of an SLA (If-Match: the version you read); incidents already logged keep theirs',
    roles: OWNERS,
    params: Params,
    body: SlaBody,
    readOnlyFields: READ_ONLY,
    response: SlaAnswer,
    handler: async ({ params, body, actor, req, res }) => {
      if (!(await findLatestPolicy(models, 'sla', params.id))) throw notFound(`there is no SLA ${params.id}`);
      await check(body, params.id);
      return { id: params.id, ...(await writeVersion(models, req, res, 'sla', params.id, body, actor.name)) };
    },
  });

  return router;
}
