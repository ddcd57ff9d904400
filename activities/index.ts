/**
 * Activities are made by a factory so the worker injects its database and settings; nothing
 * here reaches for a global. One module per process, plus the shared steps every case uses:
 * persisting, approvals and the notification outlet.
 */
import type { Models } from '../models';
import type { Process } from '../domain/processes';
import { createApprovalActivities } from './approval';
import { createChangeActivities } from './change';
import { createImprovementActivities } from './improvement';
import { createIncidentActivities } from './incident';
import { createNonconformityActivities } from './nonconformity';
import { createReleaseActivities } from './release';
import { createReviewActivities } from './review';
import { createVerificationActivities } from './verification';
import { createTransitionActivities } from './transition';
import { createProblemActivities } from './problem';
import { createProblemTrendActivities } from './problem-trend';
import { createRequestActivities } from './request';
import { createPersistActivities } from './persist';
import { createServiceReportActivities } from './service-reports';
import { createNotificationActivities, type NotifyOptions } from './notification';

export interface ActivityDeps extends NotifyOptions {
  models: Models;
}

/** Each process's activities (domain/processes.ts), one line per process. */
const PROCESS_ACTIVITIES = {
  incident: createIncidentActivities,
  change: createChangeActivities,
  request: createRequestActivities,
  problem: (models: Models) => ({ ...createProblemActivities(models), ...createProblemTrendActivities(models) }),
  improvement: createImprovementActivities,
  nonconformity: createNonconformityActivities,
  review: createReviewActivities,
  verification: createVerificationActivities,
  release: createReleaseActivities,
  transition: createTransitionActivities,
} satisfies Record<Process, (models: Models) => object>;

type Each<T> = (T extends unknown ? (x: T) => void : never) extends (x: infer I) => void ? I : never;
type ProcessActivities = Each<ReturnType<(typeof PROCESS_ACTIVITIES)[Process]>>;

export function createActivities(deps: ActivityDeps) {
  const processes = Object.assign({}, ...Object.values(PROCESS_ACTIVITIES).map((create) => create(deps.models))) as ProcessActivities;
  return {
    ...createPersistActivities(deps.models),
    ...createApprovalActivities(deps.models),
    ...createNotificationActivities(deps.models, deps),
    ...createServiceReportActivities(deps.models),
    ...processes,
  };
}
