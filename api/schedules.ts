/**
 * The Temporal Schedules behind periodic work, kept in step with the policies that time them.
 * Created when missing at every start (by the worker), updated when a process owner changes the
 * policy (by the API); here, beside the API, because the API must not load the worker.
 */
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { ProblemTrendBody } from '../domain/problem';
import type { Models } from '../models';
import { latestPolicy } from '../models/policies';
import { problemTrendScan } from '../workflows/problem-trend';
import { serviceReportRun } from '../workflows/service-reports';
import { ciVerificationAudit } from '../workflows/verification';

export const TREND_SCHEDULE = 'problem-trend-scan';

export async function ensureTrendSchedule(client: Client, models: Models, taskQueue: string, scheduleId = TREND_SCHEDULE): Promise<void> {
  const policy = (await latestPolicy<ProblemTrendBody>(models, 'problem-trend', 'default')).body;
  const every = policy.scanIntervalMinutes * 60_000; // ms
  const handle = client.schedule.getHandle(scheduleId);
  try {
    await handle.update((prev) => ({ ...prev, spec: { intervals: [{ every }] }, state: { ...prev.state, paused: !policy.enabled } }));
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every }] },
      action: { type: 'startWorkflow', workflowType: problemTrendScan, taskQueue, workflowId: `${scheduleId}-run` },
      policies: { overlap: 'SKIP' },
      state: { paused: !policy.enabled, note: 'opens problems from incident trends (policy: /policies/problem-trend)' },
    });
  }
}

export const REPORT_SCHEDULE = 'service-reports-monthly';

/** A schedule on calendar times, created when missing (one already there is left as it is). */
async function ensureCalendarSchedule(client: Client, scheduleId: string, spec: { calendars: Array<Record<string, number>> }, action: Parameters<Client['schedule']['create']>[0]['action'], catchupWindow: '7 days' | '1 day', note: string): Promise<void> {
  try {
    await client.schedule.getHandle(scheduleId).describe();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
    await client.schedule.create({ scheduleId, spec, action, policies: { overlap: 'SKIP', catchupWindow }, state: { note } });
  }
}

/** The monthly service reports: on the first of each month at 02:00 UTC, for the month before. */
export async function ensureReportSchedule(client: Client, taskQueue: string, scheduleId = REPORT_SCHEDULE): Promise<void> {
  await ensureCalendarSchedule(
    client,
    scheduleId,
    { calendars: [{ dayOfMonth: 1, hour: 2, minute: 0 }] },
    { type: 'startWorkflow', workflowType: serviceReportRun, taskQueue, workflowId: `${scheduleId}-run`, args: [{}] },
    '7 days',
    'stores every live service\'s report of the month before, raises improvements for SLA targets missed two months running, and opens the service reviews due',
  );
}

export const VERIFICATION_SCHEDULE = 'ci-verification-daily';

/** The daily CI verification audit, at 03:00 UTC: the CIs the policy says are due (policy: /policies/ci-verification; disabled there, it opens none). */
export async function ensureVerificationSchedule(client: Client, taskQueue: string, scheduleId = VERIFICATION_SCHEDULE): Promise<void> {
  await ensureCalendarSchedule(
    client,
    scheduleId,
    { calendars: [{ hour: 3, minute: 0 }] },
    { type: 'startWorkflow', workflowType: ciVerificationAudit, taskQueue, workflowId: `${scheduleId}-run`, args: [{}] },
    '1 day',
    'opens a verification for the CIs not verified within the policy\'s period (policy: /policies/ci-verification)',
  );
}
