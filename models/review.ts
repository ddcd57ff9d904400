import type { Connection } from 'mongoose';
import { DEFAULT_REVIEW, reviewPeriod, type ReviewOpening } from '../domain/review';

export type { ReviewOpening } from '../domain/review';
import type { ServiceBody } from '../domain/schemas/service';
import { reviewOf, type SlaBody } from '../domain/schemas/service-level';
import type { Models } from '.';
import { findLatestPolicy, type StoredPolicy } from './policies';
import { caseRecordSchema, isOpenState, type StoredShape } from './case-record';

/**
 * Service reviews, as their workflows persist them (see domain/review ReviewRecord), keyed by
 * number. `serviceId` and `slaId` are kept by the persist step (lists filter on them).
 */
const schema = caseRecordSchema(
  {
    serviceId: String,
    slaId: String,
  },
  {
    serviceId_id: { serviceId: 1, _id: -1 },
    slaId_id: { slaId: 1, _id: -1 },
  },
);

export const reviewModel = (conn: Connection) => conn.model('Review', schema, 'service_reviews');

interface ReviewLike {
  state: string;
  openedAt: number;
  service: { id: string };
  sla: { id: string };
}
export const reviewStored: StoredShape<ReviewLike> = {
  derive: (r) => ({ open: isOpenState(r.state), serviceId: r.service.id, slaId: r.sla.id }),
  linkAt: (r) => r.openedAt,
};


/** Where the number of an SLA's review of a period is kept (by `${sla}:${month}`), whoever opens it: the monthly run or POST /reviews. */
export const REVIEW_NUMBERS = 'service_review_schedule';

/** What a review of an SLA for the period ending with `month` starts with, from the SLA and its service as stored. */
export function reviewOpening(sla: StoredPolicy<SlaBody>, service: StoredPolicy<ServiceBody>, month: string): ReviewOpening {
  // an SLA without a scheduled review is reviewed on demand for the month named
  const review = reviewOf(sla.body) ?? { ...DEFAULT_REVIEW, everyMonths: 1 };
  return {
    sla: { id: sla.key, version: sla.version, name: sla.body.name },
    service: { id: sla.body.service, name: service.body.name, owner: service.body.owner },
    customer: sla.body.customer ?? null,
    period: reviewPeriod(month, review.everyMonths),
    group: review.group,
    dueDays: review.dueDays,
  };
}

/** The same, reading the SLA and its service; null when either is gone. */
export async function reviewInputFor(models: Models, slaId: string, month: string): Promise<ReviewOpening | null> {
  const sla = await findLatestPolicy<SlaBody>(models, 'sla', slaId);
  const service = sla && (await findLatestPolicy<ServiceBody>(models, 'service', sla.body.service));
  return sla && service ? reviewOpening(sla, service, month) : null;
}
