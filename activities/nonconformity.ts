import type { Models } from '../models';
import { nextNumber } from '../models/counter';
import type { NonconformityEvent, NonconformityRecord } from '../domain/nonconformity';
import { nonconformityStored } from '../models/nonconformity';
import { persistCase } from './persist';

export function createNonconformityActivities(models: Models) {
  return {
    async persistNonconformity({ record, event }: { record: NonconformityRecord; event: NonconformityEvent }): Promise<void> {
      await persistCase(models, models.Nonconformity, nonconformityStored, 'nonconformity', record, event);
    },
    /** The next number of a case counter, for a case a workflow opens itself (a corrective action). */
    async nextCaseNumber(prefix: string): Promise<number> {
      return nextNumber(models.Counter, prefix);
    },
  };
}
