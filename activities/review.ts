import type { ReviewEvent, ReviewRecord } from '../domain/review';
import type { Models } from '../models';
import { reviewStored } from '../models/review';
import { reportFor } from '../models/service-report';
import { persistCase } from './persist';

export function createReviewActivities(models: Models) {
  return {
    async persistReview({ record, event }: { record: ReviewRecord; event: ReviewEvent }): Promise<void> {
      await persistCase(models, models.Review, reviewStored, 'review', record, event);
    },
    /** The service report of a review's period, computed from the records as GET /reports/services/{id} does. */
    async reviewReport({ service, customer, from, to }: { service: string; customer: string | null; from: number; to: number }): Promise<Record<string, unknown> | null> {
      return JSON.parse(JSON.stringify(await reportFor(models, service, customer, { from, to })));
    },
  };
}
