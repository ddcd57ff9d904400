/**
 * Service reports over HTTP [ISO/IEC 20000-1 8.3.3]: what a service delivered in a period, for one
 * customer or all, computed from its incident and request records on demand, as JSON or CSV.
 */
import { Router } from 'express';
import { z } from 'zod';
import { reportCsv, serviceReport, type ReportIncident, type ReportRequest } from '../domain/service-report';
import { slaFor } from '../domain/service-level';
import type { CatalogItemBody } from '../domain/schemas/request';
import { ServiceReportAnswer, type SlaBody } from '../domain/schemas/service-level';
import type { ServiceBody } from '../domain/schemas/service';
import { ServiceId } from '../domain/schemas/service';
import type { Models } from '../models';
import { findLatestPolicy, latestPolicies, latestPoliciesCounted } from '../models/policies';
import { findIndexed } from '../models/query';
import { badRequest, forbidden, notFound } from './problem';
import { route } from './route';

/** The most incident records (the latest logged before the period's end) and requests per catalogue item one report reads. */
export const REPORT_INCIDENTS_READ = 20_000;
const REPORT_REQUESTS_READ = 5_000;

const Period = z
  .strictObject({
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM (UTC)').optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    customer: z.string().trim().min(1).max(200).optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .superRefine((q, ctx) => {
    if (!q.month && !(q.from && q.to)) ctx.addIssue({ code: 'custom', path: ['month'], message: 'a month (YYYY-MM), or from and to' });
    if (q.month && (q.from || q.to)) ctx.addIssue({ code: 'custom', path: ['month'], message: 'a month, or from and to: not both' });
    if (q.from && q.to && Date.parse(q.to) <= Date.parse(q.from)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
    if (q.from && q.to && Date.parse(q.to) - Date.parse(q.from) > 366 * 86_400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: 'a report covers a year at most' });
  });

/** The period a query names: a calendar month in UTC, or from and to. */
export function periodOf(q: { month?: string; from?: string; to?: string }): { from: number; to: number } {
  if (q.month) {
    const [y, m] = q.month.split('-').map(Number);
    return { from: Date.UTC(y, m - 1, 1), to: Date.UTC(y, m, 1) };
  }
  return { from: Date.parse(q.from!), to: Date.parse(q.to!) };
}

/** A service's report for a period, read from its records. */
export async function reportFor(models: Models, serviceId: string, customer: string | null, period: { from: number; to: number }) {
  const service = await findLatestPolicy<ServiceBody>(models, 'service', serviceId);
  if (!service) return null;
  const [slas, services, items] = await Promise.all([latestPoliciesCounted<SlaBody>(models, 'sla'), latestPoliciesCounted<ServiceBody>(models, 'service'), latestPolicies<CatalogItemBody>(models, 'catalog-item')]);
  const sla = slaFor(slas.map((s) => ({ id: s.key, version: s.version, body: s.body })), new Map(services.map((s) => [s.body.name.toLowerCase(), s.key])), service.body.name, customer);
  // the service's incidents logged before the period's end, the latest first (on the service index)
  const read = await findIndexed<ReportIncident & { customer?: string | null }>(models.Incident, { service: service.body.name, openedAt: { $lt: period.to } }, {
    sort: [['_id', -1]],
    limit: REPORT_INCIDENTS_READ,
    projection: { number: 1, priority: 1, major: 1, customer: 1, openedAt: 1, resolvedAt: 1, 'sla.response': 1, 'sla.resolution': 1 },
  });
  const incidents = customer ? read.filter((i) => (i.customer ?? '').toLowerCase() === customer.toLowerCase()) : read;
  const mine = items.filter((i) => i.body.service === serviceId).map((i) => i.key);
  const requests = (await Promise.all(mine.map((id) => findIndexed<ReportRequest>(models.Request, { catalogItemId: id }, { sort: [['_id', -1]], limit: REPORT_REQUESTS_READ, projection: { openedAt: 1, fulfilledAt: 1 } })))).flat();
  const report = serviceReport(period, incidents, customer ? [] : requests, sla?.body.availabilityPercent ?? null, Date.now());
  return { service: { id: serviceId, name: service.body.name }, customer, sla: sla ? { id: sla.id, version: sla.version } : null, ...report, incidentsRead: read.length };
}

export function reportRoutes({ models }: { models: Models }): Router {
  const router = Router();

  route(router, {
    method: 'get',
    path: '/reports/services/:id',
    tag: 'Service level management',
    summary: 'A service’s report for a month (?month=2026-11) or a period (?from=&to=), for one customer (?customer=) or all; ?format=csv for CSV',
    description:
      'SLA compliance per clock and priority (a clock counts in the period it ended in), breaches, mean business minutes to respond and to resolve, backlog at the end, availability (calendar time with no major incident of the service open) against the SLA’s target, and request fulfilment (all customers). Computed from the records as they are now.',
    roles: 'authenticated',
    params: z.strictObject({ id: ServiceId }),
    query: Period,
    response: ServiceReportAnswer,
    handler: async ({ params, query, actor, res }) => {
      if (!actor.roles.some((r) => r !== 'requester')) throw forbidden('service reports are for the service provider’s roles');
      const period = periodOf(query);
      if (period.from > Date.now()) throw badRequest('the period has not begun', [{ in: 'query', path: query.month ? 'month' : 'from', message: 'a period that has begun' }]);
      const report = await reportFor(models, params.id, query.customer ?? null, period);
      if (!report) throw notFound(`there is no service ${params.id}`);
      if (query.format === 'csv') {
        res.type('text/csv').set('Content-Disposition', `attachment; filename="${params.id}-${report.from.slice(0, 10)}.csv"`).send(reportCsv(report.service.name, report.customer, report));
        return undefined;
      }
      return report;
    },
  });

  return router;
}
