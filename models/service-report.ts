import { Schema, type Connection } from 'mongoose';
import { serviceReport, type ReportIncident, type ReportRequest } from '../domain/service-report';
import { slaOfService } from '../domain/service-level';
import type { CatalogItemBody } from '../domain/schemas/request';
import type { SlaBody } from '../domain/schemas/service-level';
import type { ServiceBody } from '../domain/schemas/service';
import type { Models } from '.';
import { findLatestPolicy, latestPoliciesCounted } from './policies';
import { findIndexed } from './query';

/**
 * The monthly service reports the schedule stores, one per service and customer (`*` for all
 * customers) and month: `_id` `${service}:${customer}:${month}`. A report written again for the
 * same month replaces it; `improvement` says which improvement a missed target raised.
 */
const schema = new Schema({ _id: String, service: String, month: String }, { strict: false, versionKey: false });
schema.index({ service: 1, month: -1, _id: 1 }, { name: 'service_month' });

export const serviceReportModel = (conn: Connection) => conn.model('ServiceReport', schema, 'service_reports');

/** The most incident records (the latest logged before the period's end) and requests per catalogue item one report reads. */
export const REPORT_INCIDENTS_READ = 20_000;
const REPORT_REQUESTS_READ = 5_000;

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
  const [slas, items] = await Promise.all([latestPoliciesCounted<SlaBody>(models, 'sla'), latestPoliciesCounted<CatalogItemBody>(models, 'catalog-item')]);
  const agreed = slaOfService(slas, serviceId, customer);
  const sla = agreed ? { id: agreed.key, version: agreed.version, body: agreed.body } : null;
  // the service's incidents logged before the period's end, the latest first (on the service index)
  const read = await findIndexed<ReportIncident & { customer?: string | null }>(models.Incident, { service: service.body.name, openedAt: { $lt: period.to } }, {
    sort: [['_id', -1]],
    limit: REPORT_INCIDENTS_READ,
    projection: { number: 1, priority: 1, major: 1, customer: 1, openedAt: 1, resolvedAt: 1, 'sla.response': 1, 'sla.resolution': 1 },
  });
  const incidents = customer ? read.filter((i) => (i.customer ?? '').toLowerCase() === customer.toLowerCase()) : read;
  const mine = items.filter((i) => i.body.service === serviceId).map((i) => i.key);
  const requests = (await Promise.all(mine.map((id) => findIndexed<ReportRequest>(models.Request, { catalogItemId: id }, { sort: [['_id', -1]], limit: REPORT_REQUESTS_READ, projection: { openedAt: 1, fulfilledAt: 1, customer: 1, 'fulfilment.target': 1 } })))).flat();
  // a customer's report counts the requests raised for that customer
  const theirs = customer ? requests.filter((r) => ((r as { customer?: string | null }).customer ?? '').toLowerCase() === customer.toLowerCase()) : requests;
  const report = serviceReport(period, incidents, theirs, sla?.body.availabilityPercent ?? null, Date.now());
  return { service: { id: serviceId, name: service.body.name }, customer, sla: sla ? { id: sla.id, version: sla.version } : null, ...report, incidentsRead: read.length };
}

