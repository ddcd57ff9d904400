/**
 * The incident-trend scan, run by a Temporal Schedule at the trend policy's interval: an activity
 * reads the trends, then the scan starts each new problem as a child workflow (abandoned when the
 * scan ends: a problem lives on its own) and tells open problems of later incidents by signal. It
 * ends once the problems it opened are recorded, so the next scan finds them and opens none twice.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { SYSTEM } from '../domain/actor';
import type { TrendScanResult } from '../domain/problem';
import { problemWorkflow } from './problem';
import { problemRecorded, trendIncidents } from './signals';

const { findIncidentTrends } = wf.proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumAttempts: 5 },
});
/** scans recorded before 'trend-children' ran one activity that started the problems itself (removed since) */
const { scanIncidentTrends } = wf.proxyActivities<{ scanIncidentTrends(): Promise<TrendScanResult> }>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumAttempts: 5 },
});

export async function problemTrendScan(): Promise<TrendScanResult> {
  if (!wf.patched('trend-children')) return scanIncidentTrends();
  const recorded = new Set<string>();
  wf.setHandler(problemRecorded, ({ number }) => void recorded.add(number));
  const plan = await findIncidentTrends();
  const result: TrendScanResult = { opened: [], linked: {} };
  for (const p of plan.open) {
    try {
      await wf.startChild(problemWorkflow, { workflowId: p.number, parentClosePolicy: 'ABANDON', workflowIdReusePolicy: 'REJECT_DUPLICATE', args: [{ number: p.number, actor: SYSTEM, trend: p.trend, input: p.input }] });
      result.opened.push(p.number);
    } catch (err) {
      // the number is held by Temporal already (a database restored behind its back): the next scan opens it under another
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  for (const l of plan.link) {
    // a problem that closed since the activity read it takes no more incidents: the next scan opens a new one
    const told = await wf.getExternalWorkflowHandle(l.problem).signal(trendIncidents, { incidents: l.incidents, ...(l.openedAt ? { openedAt: l.openedAt } : {}) }).then(() => true, () => false);
    if (told) result.linked[l.problem] = l.incidents;
  }
  await wf.condition(() => result.opened.every((n) => recorded.has(n)), '5 minutes');
  return result;
}
