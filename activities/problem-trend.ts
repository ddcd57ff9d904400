import { incidentTrends, problemNumber, type ProblemTrendBody, type TrendIncident, type TrendPlan } from '../domain/problem';
import type { Models } from '../models';
import { nextNumber } from '../models/counter';
import { latestPolicy } from '../models/policies';
import { problemTrendKey } from '../models/problem';
import { findIndexed, findOneIndexed } from '../models/query';

/** The most incidents one scan reads: a window with more is a major incident, not a trend to find. */
const TREND_WINDOW_LIMIT = 20_000;

/**
 * The trend scan's reading of the incidents within the window, grouped by the policy's key: a
 * group that reaches the threshold opens one problem (under a number taken here), unless one is
 * open for that trend already, which is then told the incidents it does not list yet. The scan
 * workflow starts and tells the problems (activities hold no Temporal client).
 */
export function createProblemTrendActivities(models: Models) {
  return {
    async findIncidentTrends(): Promise<TrendPlan> {
      const policy = (await latestPolicy<ProblemTrendBody>(models, 'problem-trend', 'default')).body;
      const plan: TrendPlan = { open: [], link: [] };
      if (!policy.enabled) return plan;
      const now = Date.now();
      const recent = await findIndexed<TrendIncident>(
        models.Incident,
        { openedAt: { $gte: now - policy.windowMinutes * 60_000 } },
        { sort: [['openedAt', -1]], limit: TREND_WINDOW_LIMIT, projection: { _id: 0, number: 1, openedAt: 1, configurationItem: 1, service: 1, category: 1 } },
      );
      for (const trend of incidentTrends(recent, policy, now)) {
        const numbers = trend.incidents.map((i) => i.number);
        const open = await findOneIndexed<{ number: string; incidents: string[] }>(models.Problem, { trendKey: problemTrendKey(policy.groupBy, trend.key), open: true }, [['_id', -1]]);
        if (open) {
          const fresh = numbers.filter((n) => !open.incidents.includes(n));
          const openedAt = Object.fromEntries(trend.incidents.filter((i) => fresh.includes(i.number)).map((i) => [i.number, i.openedAt]));
          if (fresh.length) plan.link.push({ problem: open.number, incidents: fresh, openedAt });
          continue;
        }
        const first = trend.incidents[0];
        plan.open.push({
          number: problemNumber(await nextNumber(models.Counter, 'PRB')),
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
        });
      }
      return plan;
    },
  };
}
