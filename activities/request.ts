import type { Models } from '../models';
import type { RequestEvent, RequestRecord } from '../workflows/request';
import { persistCase } from './persist';

export function createRequestActivities(models: Models) {
  return {
    async persistRequest({ record, event }: { record: RequestRecord; event: RequestEvent }): Promise<void> {
      await persistCase(models.Request, models.Audit, 'request', record.number, record, event);
    },
  };
}
