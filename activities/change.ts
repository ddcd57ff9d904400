import type { ChangePolicyBody } from '../domain/change';
import type { Models } from '../models';
import { latestPolicy } from '../models/policies';
import type { ChangeEvent, ChangeRecord } from '../domain/change';
import { changeStored } from '../models/change';
import { persistCase } from './persist';

export function createChangeActivities(models: Models) {
  return {
    async loadChangePolicy(): Promise<{ version: number; body: ChangePolicyBody }> {
      return latestPolicy<ChangePolicyBody>(models, 'change', 'default');
    },
    async persistChange({ record, event }: { record: ChangeRecord; event: ChangeEvent }): Promise<void> {
      await persistCase(models, models.Change, changeStored, 'change', record, event);
    },
  };
}
