/**
 * The monthly service reports, run by a Temporal Schedule on the first of each month for the month
 * before (or for a month given): an activity computes and stores every live service's reports, and
 * for each SLA target missed this month and the month before, the run raises an improvement (a
 * PDCA cycle of its own, source `service_review`, owned by the service owner) as a child workflow
 * abandoned when the run ends. A run repeated raises none twice: the improvement's number is kept
 * with the report, and Temporal holds one workflow per number.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { SYSTEM } from '../domain/actor';
import { improvementWorkflow } from './improvement';
import { reviewWorkflow } from './review';

const { storeServiceReports, dueReviews, renumberReportImprovement } = wf.proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '10 seconds', maximumAttempts: 5 },
});

export interface ServiceReportRunResult {
  month: string;
  stored: number;
  improvements: string[];
  /** the service reviews opened for SLAs whose review period ended with the month */
  reviews?: string[];
}

/** The month before the one an instant falls in, as YYYY-MM (UTC). */
export function monthBefore(at: number): string {
  const d = new Date(at);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

export async function serviceReportRun(args: { month?: string } = {}): Promise<ServiceReportRunResult> {
  const month = args.month ?? monthBefore(Date.now());
  const { stored, missedTwice } = await storeServiceReports({ month });
  const improvements: string[] = [];
  for (const m of missedTwice) {
    let number = m.improvement;
    let fresh = !!m.fresh;
    for (let attempt = 0; ; attempt++) {
      try {
        await wf.startChild(improvementWorkflow, {
          workflowId: number,
          parentClosePolicy: 'ABANDON',
          args: [{
            number,
            actor: SYSTEM,
            input: {
              title: `${m.service.name}${m.customer ? ` for ${m.customer}` : ''}: SLA targets missed two months running`.slice(0, 200),
              description: `The service report of ${m.month} against ${m.sla.name} (${m.sla.id} v${m.sla.version}): ${m.missed.join('; ')}; the month before missed too.`,
              source: 'service_review',
              sourceRef: `${m.sla.id}:${m.month}`,
              service: m.service.name,
              owner: m.service.owner,
              benefit: `${m.sla.name} met again`,
            },
          }],
        });
        improvements.push(number);
        break;
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        // a number the report kept from an earlier run of this month: raised by that run already.
        // A number just taken that Temporal holds is another's (a database restored behind its
        // back): skipped for the next, as the API and startImprovement do
        if (!fresh || !m.report || attempt >= 20 || !wf.patched('report-improvement-skips-held-numbers')) break;
        ({ improvement: number, fresh } = await renumberReportImprovement({ report: m.report, held: number }));
      }
    }
  }
  // each SLA whose review period ends with the month: a review case for its service owner
  const reviews: string[] = [];
  if (wf.patched('service-reviews')) {
    for (const r of await dueReviews({ month })) {
      try {
        // REJECT_DUPLICATE: a review already closed is not opened a second time
        await wf.startChild(reviewWorkflow, { workflowId: r.number, workflowIdReusePolicy: 'REJECT_DUPLICATE', parentClosePolicy: 'ABANDON', args: [r] });
        reviews.push(r.number);
      } catch (err) {
        // opened by an earlier run of this month already
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    }
  }
  return { month, stored, improvements, reviews };
}
