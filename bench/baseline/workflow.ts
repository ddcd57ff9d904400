/**
 * The baseline the scale benchmark measures the product against: the same seven human steps of an
 * incident's life as workflow updates, each persisted by one regular activity that upserts the
 * record and inserts one audit entry. Nothing else: no rules, no clocks, no views.
 */
import * as wf from '@temporalio/workflow';
import type * as activities from './activities';

const { persistStep } = wf.proxyActivities<typeof activities>({ startToCloseTimeout: '30 seconds' });

export const step = wf.defineUpdate<{ state: string; seq: number }, [{ action: string; to: string; by: string }]>('step');

export async function baselineIncident(number: string): Promise<void> {
  let state = 'none';
  let seq = 0;
  wf.setHandler(step, async ({ action, to, by }) => {
    seq += 1;
    state = to;
    await persistStep({ number, seq, action, to, by, at: Date.now() });
    return { state, seq };
  });
  await wf.condition(() => state === 'closed');
  await wf.condition(wf.allHandlersFinished);
}
