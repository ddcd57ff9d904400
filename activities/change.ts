import type { ChangePolicyBody, CiUpdateResult } from '../domain/change';
import type { CiUpdate } from '../domain/schemas/change';
import type { Models } from '../models';
import { latestPolicy } from '../models/policies';
import type { ChangeEvent, ChangeRecord } from '../domain/change';
import { changeStored } from '../models/change';
import { CiConflict, planCiUpdate, updateCi } from '../models/configuration-item';
import { persistCase } from './persist';

/** how often a CI update is tried again when another writer changed the CI between its read and its write */
const CONFLICT_RETRIES = 5;

export function createChangeActivities(models: Models) {
  return {
    async loadChangePolicy(): Promise<{ version: number; body: ChangePolicyBody }> {
      return latestPolicy<ChangePolicyBody>(models, 'change', 'default');
    },
    async persistChange({ record, event }: { record: ChangeRecord; event: ChangeEvent }): Promise<void> {
      await persistCase(models, models.Change, changeStored, 'change', record, event);
    },
    /**
     * Applies a successful change's CI updates to the CMDB, each a new version of its CI naming
     * the change. One that no longer fits the CMDB (a CI or a relationship's target gone, an
     * attribute its class no longer takes) is refused and said so, and the others are applied.
     * Repeated (an activity retried), an update already applied changes nothing.
     */
    async applyCiUpdates({ change, title, by, updates }: { change: string; title: string; by: string; updates: CiUpdate[] }): Promise<CiUpdateResult[]> {
      const results: CiUpdateResult[] = [];
      for (const u of updates) {
        for (let attempt = 0; ; attempt++) {
          const plan = await planCiUpdate(models, u);
          if (!plan.ok) {
            results.push({ ci: u.ci, outcome: 'refused', version: null, reason: plan.errors.map((e) => `${e.path}: ${e.message}`).join('; ') });
            break;
          }
          if (!plan.changes.length) {
            // nothing left to do: applied by an earlier try of this activity, or asked for what the CI already is
            results.push({ ci: u.ci, outcome: plan.ci.lastChange?.change === change ? 'applied' : 'unchanged', version: plan.ci.version, reason: null });
            break;
          }
          try {
            const next = await updateCi(models, plan.ci, plan.state, { action: 'updated', by, why: `${change}: ${title}`, change, changes: plan.changes });
            results.push({ ci: u.ci, outcome: 'applied', version: next.version, reason: null });
            break;
          } catch (err) {
            if (!(err instanceof CiConflict) || attempt >= CONFLICT_RETRIES) throw err;
          }
        }
      }
      return results;
    },
  };
}
