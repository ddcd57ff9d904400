/**
 * The activities a process calls besides persisting its transitions, the two ways every process
 * calls them: reads (policies, approvers, case numbers), retried until they answer; and telling
 * people, which must never hold up a process (a webhook that is down is retried for a while in the
 * background, and the stored notification shows it was not delivered).
 */
import * as wf from '@temporalio/workflow';
import type { createActivities } from '../activities';

type Activities = ReturnType<typeof createActivities>;

export const reads = wf.proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const notifications = wf.proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', maximumAttempts: 12 },
});

/** Sends a notification without waiting for it. */
export const tell = (n: Parameters<Activities['notify']>[0]): void => void notifications.notify(n).catch(() => undefined);

/** Sends a notification and waits for it to be recorded (and tried): for a case about to end, whose pending activities would end with it. */
export const tellBeforeEnd = (n: Parameters<Activities['notify']>[0]): Promise<void> => notifications.notify(n).catch(() => undefined);
