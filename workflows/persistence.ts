/**
 * The step that persists a transition (record, audit entry, links), for every process. It runs as
 * a local activity, in the worker that runs the workflow, inside the workflow task that applies
 * the command: no activity task goes through Temporal and back, so a command is answered one
 * round trip sooner and Temporal keeps a marker instead of three activity events. The step is
 * idempotent (keyed by case and sequence), so re-running it after a crash writes nothing twice.
 * Cases whose history recorded a regular activity replay with it ('local-persist').
 */
import * as wf from '@temporalio/workflow';
import type { createActivities } from '../activities';

type Activities = ReturnType<typeof createActivities>;
type Persist = 'persistIncident' | 'persistChange' | 'persistRequest' | 'persistProblem' | 'persistImprovement' | 'persistNonconformity' | 'persistApproval' | 'persistTask';

const retry = { initialInterval: '1 second', maximumInterval: '1 minute' } as const;
const remote = wf.proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry });
const local = wf.proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', retry });

/** The persist activity `name`, local for cases that began with this code. */
export function persistStep<K extends Persist>(name: K): Activities[K] {
  return ((...args: Parameters<Activities[K]>) => (wf.patched('local-persist') ? local : remote)[name](...(args as [never]))) as Activities[K];
}
