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
import { diffRecord, type CaseKind, type RecordOp } from '../domain/record-diff';
import { inOrder } from './serial';

type Activities = ReturnType<typeof createActivities>;
type Persist = 'persistIncident' | 'persistChange' | 'persistRequest' | 'persistProblem' | 'persistImprovement' | 'persistNonconformity' | 'persistReview' | 'persistVerification' | 'persistRelease' | 'persistServiceTransition' | 'persistApproval' | 'persistTask';

// at most 10 s between tries: once the database answers again, the records catch up within seconds (with 1 minute, a record could stay a transition behind its case for a minute after a long outage)
const retry = { initialInterval: '1 second', maximumInterval: '10 seconds' } as const;
const remote = wf.proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry });
const local = wf.proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', retry });

/** The persist activity `name`, local for cases that began with this code. */
export function persistStep<K extends Persist>(name: K): Activities[K] {
  return ((...args: Parameters<Activities[K]>) => (wf.patched('local-persist') ? local : remote)[name](...(args as [never]))) as Activities[K];
}

/**
 * A case's writer: each call persists one transition, in order, as what it changed since the
 * last one ('persist-diff'), so a case's history grows with its activity and never with its size
 * times its activity. Cases that began before hand their whole record to the persist activity of
 * their process (`legacy`) for the transitions they replay.
 */
export function caseWriter<R extends { number: string; seq: number }, E extends { seq: number; at: number }>(
  kind: CaseKind,
  legacy: (input: { record: R; event: E }) => Promise<void>,
  /** the record as stored already (a case continued from an earlier run) */
  stored?: R,
): (rec: R, event: E, outside?: RecordOp[]) => Promise<void> {
  const write = inOrder();
  let last: R | null = stored ? (JSON.parse(JSON.stringify(stored)) as R) : null;
  return (rec, event, outside = []) => {
    const snapshot = JSON.parse(JSON.stringify(rec)) as R;
    // `outside`: changes to the stored record that the workflow does not hold (comments)
    const ops = [...diffRecord(last, snapshot), ...outside];
    last = snapshot;
    return write(() => (wf.patched('persist-diff') ? local.persistTransition({ kind, number: snapshot.number, ops, event }) : legacy({ record: snapshot, event })));
  };
}
