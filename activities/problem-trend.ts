import type { Client } from '@temporalio/client';
import { SYSTEM } from '../domain/actor';
import { incidentTrends, problemNumber, type ProblemTrendBody, type TrendIncident } from '../domain/problem';
import type { Models } from '../models';
import { nextNumber } from '../models/counter';
import { latestPolicy } from '../models/policies';
import { problemTrendKey } from '../models/problem';
import { findIndexed, findOneIndexed } from '../models/query';
import { problemOpened, problemUpdates, problemWorkflow, type ProblemRecord } from '../workflows/problem';

/** The most incidents one scan reads: a window with more is a major incident, not a trend to find. */
const TREND_WINDOW_LIMIT = 20_000;

export interface TrendScanResult {
  opened: string[];
  linked: Record<string, string[]>;
}

/**
 * The trend scan: incidents within the window grouped by the policy's key; a group that reaches
 * the threshold opens one problem (never a second while one is open for that trend), and later
 * incidents of the trend are linked to it. Scans never overlap (the Schedule skips), and a problem
 * is recorded before the scan goes on, so a scan run twice opens nothing twice.
 */
export function createProblemTrendActivities(models: Models, temporal?: { client: Client; taskQueue: string }) {
  return {
    async scanIncidentTrends(): Promise<TrendScanResult> {
      if (!temporal) throw new Error('the trend scan needs a Temporal client');
      const { client, taskQueue } = temporal;
      const policy = (await latestPolicy<ProblemTrendBody>(models, 'problem-trend', 'default')).body;
      const result: TrendScanResult = { opened: [], linked: {} };
      if (!policy.enabled) return result;
      const now = Date.now();
      const recent = await findIndexed<TrendIncident>(
        models.Incident,
        { openedAt: { $gte: now - policy.windowMinutes * 60_000 } },
        { sort: [['openedAt', -1]], limit: TREND_WINDOW_LIMIT, projection: { _id: 0, number: 1, openedAt: 1, configurationItem: 1, service: 1, category: 1 } },
      );
      for (const trend of incidentTrends(recent, policy, now)) {
        const numbers = trend.incidents.map((i) => i.number);
        const open = await findOneIndexed<ProblemRecord>(models.Problem, { trendKey: problemTrendKey(policy.groupBy, trend.key), open: true }, [['_id', -1]]);
        if (open) {
          const fresh = numbers.filter((n) => !open.incidents.includes(n));
          if (!fresh.length) continue;
          await client.workflow.getHandle(open.number).executeUpdate(problemUpdates.link_incidents, { args: [{ actor: SYSTEM, input: { incidents: fresh } }] });
          result.linked[open.number] = fresh;
          continue;
        }
        const first = trend.incidents[0];
        const number = problemNumber(await nextNumber(models.Counter, 'PRB'));
        const handle = await client.workflow.start(problemWorkflow, {
          taskQueue,
          workflowId: number,
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          args: [{
            number,
            actor: SYSTEM,
            trend: { groupBy: policy.groupBy, key: trend.key },
            input: {
              title: `${numbers.length} incidents on ${policy.groupBy} ${trend.key} within ${policy.windowMinutes} minutes`,
              description: `Raised by the trend scan: ${numbers.join(', ')}`,
              service: first.service,
              configurationItem: policy.groupBy === 'configurationItem' ? trend.key : undefined,
              category: first.category,
              impact: policy.impact,
              group: policy.group,
              incidents: numbers,
            },
          }],
        });
        await handle.executeUpdate(problemOpened); // recorded before the scan goes on
        result.opened.push(number);
      }
      return result;
    },
  };
}
