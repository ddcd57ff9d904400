/**
 * Service reports over HTTP [ISO/IEC 20000-1 8.3.3]: what a service delivered in a period, for one
 * customer or all, computed from its incident and request records on demand, as JSON or CSV.
 */
import { Router } from 'express';
import { z } from 'zod';
import { reportCsv } from '../domain/service-report';
import { ServiceReportAnswer } from '../domain/schemas/service-level';
import { ServiceId } from '../domain/schemas/service';
import type { Models } from '../models';
import { periodOf, reportFor } from '../models/service-report';
import { findIndexed } from '../models/query';
import { badRequest, forbidden, notFound } from './problem';
import { route } from './route';

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

  route(router, {
    method: 'get',
    path: '/reports/services/:id/monthly',
    tag: 'Service level management',
    summary: 'The monthly reports the schedule stored for a service (newest first; each for all customers, and for each customer with an SLA of its own), and the improvement a missed target raised',
    roles: 'authenticated',
    params: z.strictObject({ id: ServiceId }),
    response: StoredReportList,
    handler: async ({ params, actor }) => {
      if (!actor.roles.some((r) => r !== 'requester')) throw forbidden('service reports are for the service provider’s roles');
      const stored = await findIndexed<{ month: string; customer: string | null; storedAt: Date; improvement?: string; report: z.infer<typeof ServiceReportAnswer> }>(models.ServiceReport, { service: params.id }, { sort: [['month', -1], ['_id', 1]], limit: 240 });
      return { items: stored.map((r) => ({ month: r.month, customer: r.customer, storedAt: r.storedAt, improvement: r.improvement ?? null, report: r.report })) };
    },
  });

  return router;
}

const StoredReportList = z.strictObject({
  items: z.array(z.strictObject({ month: z.string(), customer: z.string().nullable(), storedAt: z.iso.datetime({ offset: true }), improvement: z.string().nullable().describe('the improvement raised for targets missed this month and the month before'), report: ServiceReportAnswer })),
});
