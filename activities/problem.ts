import type { ProblemPolicyBody } from '../domain/problem';
import type { Models } from '../models';
import { latestPolicy } from '../models/policies';
import type { ProblemEvent, ProblemRecord } from '../domain/problem';
import { problemStored } from '../models/problem';
import { persistCase } from './persist';

export function createProblemActivities(models: Models) {
  return {
    async loadProblemPolicy(): Promise<{ version: number; body: ProblemPolicyBody }> {
      return latestPolicy<ProblemPolicyBody>(models, 'problem', 'default');
    },
    async persistProblem({ record, event }: { record: ProblemRecord; event: ProblemEvent }): Promise<void> {
      await persistCase(models, models.Problem, problemStored, 'problem', record, event);
    },
  };
}
