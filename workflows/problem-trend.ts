/** The incident-trend scan, run by a Temporal Schedule at the trend policy's interval. */
import * as wf from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { TrendScanResult } from '../activities/problem-trend';

const { scanIncidentTrends } = wf.proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumAttempts: 5 },
});

export async function problemTrendScan(): Promise<TrendScanResult> {
  return scanIncidentTrends();
}
