/**
 * Service request management over HTTP: the catalogue (process owners) and requests made from it.
 */
import { caseRoutes } from './case-resource';
import { REQUEST_TABLE } from '../domain/request';
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Role } from '../domain/actor';
import {
  REQUEST_COMMANDS,
  REQUEST_STATES,
  requestNumber,
  type CatalogItem,
  type FulfilmentAgreement,
  type RequestCommand,
} from '../domain/request';
import type { CalendarBody } from '../domain/calendar';
import type { SlaBody } from '../domain/schemas/service-level';
import { slaOfService } from '../domain/service-level';
import { ServiceId } from '../domain/schemas/service';
import { CatalogItemBody, formSchema, RaiseRequestInput, RequestAnswer, RequestCommandInputs, RequestNumber, RequestRecordAnswer } from '../domain/schemas/request';
import { PageOf } from '../domain/schemas/answers';
import { CatalogItemAnswer, CatalogItemList } from '../domain/schemas/policy-answers';
import type { Models } from '../models';
import { nextNumber } from '../models/counter';
import { findLatestPolicy, latestPolicies, latestPoliciesCounted, putPolicy } from '../models/policies';
import { requestOpened, requestUpdates, requestWorkflow, type RequestRecord } from '../workflows/request';
import { fromStore, openCase, withWork } from './cases';
import { Page, pageOf } from './lists';
import { findIndexed, type Filter } from '../models/query';
import { present, READ_ONLY, writeVersion } from './policies';
import { badRequest, conflict, notFound, zodErrors } from './problem';
import { route } from './route';

const OWNERS: Role[] = ['process_owner', 'admin'];
const ItemId = z.strictObject({ id: z.string().regex(/^cat-\d+$/, 'a catalogue item id such as cat-1') });
const staff = (roles: Role[]) => roles.some((r) => r !== 'requester');

export function requestRoutes({ models, client, taskQueue }: { models: Models; client: Client; taskQueue: string }): Router {
  const router = Router();

  /**
   * The fulfilment target for an item: from the SLA in force for its service and the customer (else
   * for every customer of the service) that names the item; its calendar at the version in force.
   * The request keeps both for its life.
   */
  async function agreementFor(item: CatalogItem, customer: string | null): Promise<FulfilmentAgreement | null> {
    if (!item.service) return null;
    const sla = slaOfService(await latestPoliciesCounted<SlaBody>(models, 'sla'), item.service, customer);
    const target = sla?.body.requests?.find((r) => r.catalogItem === item.id);
    if (!sla || !target) return null;
    const cal = await findLatestPolicy<CalendarBody>(models, 'calendar', sla.body.incidents.calendarId);
    if (!cal) return null; // an SLA write checks its calendar exists; one removed since sets no target
    return {
      sla: { id: sla.key, version: sla.version, name: sla.body.name },
      fulfilmentMinutes: target.fulfilmentMinutes,
      warningPercent: target.warningPercent,
      calendar: { ...cal.body, id: sla.body.incidents.calendarId, version: cal.version },
    };
  }

  async function checkPolicy(body: CatalogItemBody) {
    if (body.approvalPolicy && !(await findLatestPolicy(models, 'approval-policy', body.approvalPolicy))) {
      throw badRequest(`there is no approval policy ${body.approvalPolicy}`, [{ in: 'body', path: 'approvalPolicy', message: `there is no approval policy ${body.approvalPolicy}` }]);
    }
    if (body.service && !(await findLatestPolicy(models, 'service', body.service))) {
      throw badRequest(`there is no service ${body.service}`, [{ in: 'body', path: 'service', message: `there is no service ${body.service}` }]);
    }
  }
  /** an item as answers show it (items kept before items named their service have none) */
  const item = (id: string, shown: ReturnType<typeof present<CatalogItemBody>>) => ({ id, ...shown, service: shown.service ?? null });

  route(router, {
    method: 'post',
    path: '/catalog-items',
    tag: 'Service requests',
    summary: 'Add a catalogue item: its request form, approval policy and fulfilment tasks',
    roles: OWNERS,
    body: CatalogItemBody,
    status: 201,
    response: CatalogItemAnswer,
    handler: async ({ body, actor, res }) => {
      await checkPolicy(body);
      const id = `cat-${await nextNumber(models.Counter, 'catalog-item')}`;
      const p = await putPolicy(models, 'catalog-item', id, body, actor.name);
      res.location(`/catalog-items/${id}`).set('ETag', `"${p.version}"`);
      return item(id, present(p));
    },
  });

  route(router, {
    method: 'get',
    path: '/catalog-items',
    tag: 'Service requests',
    summary: 'The service catalogue (active items unless ?all=true; ?service=svc-1 for one service\'s)',
    roles: 'authenticated',
    query: z.strictObject({ category: z.string().min(1).optional(), service: ServiceId.optional(), all: z.enum(['true', 'false']).optional() }),
    response: CatalogItemList,
    handler: async ({ query }) => {
      const items = (await latestPolicies<CatalogItemBody>(models, 'catalog-item'))
        .filter((p) => (query.all === 'true' || p.body.active) && (!query.category || p.body.category === query.category))
        .filter((p) => !query.service || p.body.service === query.service)
        .map((p) => item(p.key, present(p)));
      return { items };
    },
  });

  route(router, {
    method: 'get',
    path: '/catalog-items/:id',
    tag: 'Service requests',
    summary: 'A catalogue item',
    roles: 'authenticated',
    params: ItemId,
    response: CatalogItemAnswer,
    handler: async ({ params, res }) => {
      const p = await findLatestPolicy<CatalogItemBody>(models, 'catalog-item', params.id);
      if (!p) throw notFound(`there is no catalogue item ${params.id}`);
      res.set('ETag', `"${p.version}"`);
      return item(params.id, present(p));
    },
  });

  route(router, {
    method: 'put',
    path: '/catalog-items/:id',
    tag: 'Service requests',
    summary: 'Replace a catalogue item with a new version (requests already made keep theirs)',
    roles: OWNERS,
    params: ItemId,
    body: CatalogItemBody,
    readOnlyFields: READ_ONLY,
    response: CatalogItemAnswer,
    handler: async ({ params, body, actor, req, res }) => {
      if (!(await findLatestPolicy(models, 'catalog-item', params.id))) throw notFound(`there is no catalogue item ${params.id}`);
      await checkPolicy(body);
      return item(params.id, await writeVersion(models, req, res, 'catalog-item', params.id, body, actor.name));
    },
  });

  function mayRead(rec: RequestRecord, actor: { name: string; roles: Role[] }) {
    return staff(actor.roles) || rec.requestedBy === actor.name || rec.requestedFor === actor.name;
  }

  route(router, {
    method: 'post',
    path: '/requests',
    tag: 'Service requests',
    summary: 'Request a catalogue item: the fields are checked against its form',
    roles: ['requester', 'agent', 'admin'],
    body: RaiseRequestInput,
    status: 201,
    response: RequestAnswer,
    idempotent: true,
    handler: async ({ body, actor, res, idempotency }) => {
      const p = await findLatestPolicy<CatalogItemBody>(models, 'catalog-item', body.catalogItem);
      if (!p) throw badRequest(`there is no catalogue item ${body.catalogItem}`, [{ in: 'body', path: 'catalogItem', message: `there is no catalogue item ${body.catalogItem}` }]);
      if (!p.body.active) throw conflict(`catalogue item ${body.catalogItem} is no longer offered`);
      const form = formSchema(p.body.form).safeParse(body.fields);
      if (!form.success) {
        const errors = zodErrors('body', form.error).map((e) => ({ ...e, path: e.path === '(body)' ? 'fields' : `fields.${e.path}` }));
        throw badRequest(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
      }
      const item: CatalogItem = { ...p.body, id: body.catalogItem, version: p.version };
      const agreement = await agreementFor(item, body.customer ?? null);
      return openCase({ client, models, idempotency, counter: 'REQ', format: requestNumber, path: '/requests', res, opened: requestOpened, taskQueue }, requestWorkflow, (number) => [
        { number, item, fields: form.data, requestedFor: body.requestedFor ?? actor.name, actor, ...(body.customer ? { customer: body.customer } : {}), ...(agreement ? { agreement } : {}) },
      ]);
    },
  });

  route(router, {
    method: 'get',
    path: '/requests',
    tag: 'Service requests',
    summary: 'List requests, newest first, paged by cursor; a requester sees their own (made by them or for them)',
    roles: 'authenticated',
    query: z.strictObject({ state: z.enum(REQUEST_STATES).optional(), catalogItem: z.string().min(1).optional(), requestedFor: z.string().min(1).optional(), ...Page.shape }),
    response: PageOf(RequestRecordAnswer),
    handler: async ({ query, actor }) => {
      const { limit, cursor, catalogItem, ...rest } = query;
      const filter: Filter = { ...rest };
      if (catalogItem) filter.catalogItemId = catalogItem;
      if (staff(actor.roles)) return pageOf(models.Request, filter, [['_id', -1]], { limit, cursor }, (r) => fromStore(r));
      // mine: made by me, or for me (one list each, merged; made by me for me counts once)
      const byMe = { ...filter, requestedBy: actor.name };
      const forMe = { ...filter, requestedFor: actor.name };
      if (filter.requestedFor !== undefined && filter.requestedFor !== actor.name) return pageOf(models.Request, byMe, [['_id', -1]], { limit, cursor }, (r) => fromStore(r));
      return pageOf(models.Request, [byMe, forMe], [['_id', -1]], { limit, cursor }, (r) => fromStore(r), { overlap: [{ ...byMe, requestedFor: actor.name }] });
    },
  });

  caseRoutes<RequestRecord, RequestCommand, unknown>(router, { models, client }, {
    path: '/requests',
    tag: 'Service requests',
    noun: 'request',
    model: models.Request,
    number: RequestNumber,
    table: REQUEST_TABLE,
    readRoles: 'authenticated',
    mayRead,
    present: (rec) => withWork(models, rec),
    answer: RequestAnswer,
    summaries: {
      one: 'A request with its approvals and fulfilment tasks',
      history: 'Every step of a request: who, when, from, to, note',
      commands: { cancel: 'Cancel a request before fulfilment starts', confirm: 'Confirm a fulfilled request (closes it)', comment: 'Add a comment' },
    },
    commandRoles: ['requester', 'agent', 'admin'],
    commandBodies: RequestCommandInputs as Record<RequestCommand, z.ZodType<unknown>>,
    updates: requestUpdates,
    readFirst: true,
  });

  return router;
}
