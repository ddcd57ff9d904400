import type { Models } from '../models';
import type { RequestEvent, RequestRecord } from '../domain/request';
import { requestStored } from '../models/request';
import { persistCase } from './persist';

export function createRequestActivities(models: Models) {
  return {
    async persistRequest({ record, event }: { record: RequestRecord; event: RequestEvent }): Promise<void> {
      await persistCase(models, models.Request, requestStored, 'request', record, event);
    },
  };
}
