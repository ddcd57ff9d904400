import type { Models } from '../models';
import type { ImprovementEvent, ImprovementRecord } from '../domain/improvement';
import { improvementStored } from '../models/improvement';
import { persistCase } from './persist';

export function createImprovementActivities(models: Models) {
  return {
    async persistImprovement({ record, event }: { record: ImprovementRecord; event: ImprovementEvent }): Promise<void> {
      await persistCase(models, models.Improvement, improvementStored, 'improvement', record, event);
    },
  };
}
