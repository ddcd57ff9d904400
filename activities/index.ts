/**
 * Activities are made by a factory so the worker injects its database and settings; nothing
 * here reaches for a global. One module per process, plus the shared notification outlet.
 */
import type { Models } from '../models';
import { createApprovalActivities } from './approval';
import { createChangeActivities } from './change';
import { createImprovementActivities } from './improvement';
import { createIncidentActivities } from './incident';
import { createNonconformityActivities } from './nonconformity';
import { createProblemActivities } from './problem';
import { createProblemTrendActivities } from './problem-trend';
import { createRequestActivities } from './request';
import { createPersistActivities } from './persist';
import { createNotificationActivities, type NotifyOptions } from './notification';

export interface ActivityDeps extends NotifyOptions {
  models: Models;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createPersistActivities(deps.models),
    ...createIncidentActivities(deps.models),
    ...createApprovalActivities(deps.models),
    ...createChangeActivities(deps.models),
    ...createRequestActivities(deps.models),
    ...createProblemActivities(deps.models),
    ...createImprovementActivities(deps.models),
    ...createNonconformityActivities(deps.models),
    ...createProblemTrendActivities(deps.models),
    ...createNotificationActivities(deps.models, deps),
  };
}
