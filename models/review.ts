import type { Connection } from 'mongoose';
import { DEFAULT_REVIEW_GROUP, reviewPeriod, type ReviewOpening } from '../domain/review';

export type { ReviewOpening } from '../domain/review';
import type { ServiceBody } from '../domain/schemas/service';
import { reviewOf, type SlaBody } from '../domain/schemas/service-level';
import type { Models } from '.';
import { findLatestPolicy } from './policies';
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


/** What a review of an SLA for the period ending with `month` starts with; null when the SLA or its service is gone. */
export async function reviewInputFor(models: Models, slaId: string, month: string): Promise<ReviewOpening | null> {
  const sla = await findLatestPolicy<SlaBody>(models, 'sla', slaId);
  if (!sla) return null;
  const service = await findLatestPolicy<ServiceBody>(models, 'service', sla.body.service);
  if (!service) return null;
  const review = reviewOf(sla.body) ?? { everyMonths: 1, group: DEFAULT_REVIEW_GROUP, dueDays: 14 };
  return {
    sla: { id: slaId, version: sla.version, name: sla.body.name },
    service: { id: sla.body.service, name: service.body.name, owner: service.body.owner },
    customer: sla.body.customer ?? null,
    period: reviewPeriod(month, review.everyMonths),
    group: review.group,
    dueDays: review.dueDays,
  };
}

