/**
 * What a policy write is checked for beyond its schema: every calendar it names exists, and every
 * business-time target or deadline it implies can fall due within a year on its calendar. A
 * calendar write is checked the same way against the policies that run on it. Otherwise a case
 * started under the policy could never fall due (and, before, failed in its workflow for good).
 */
import { notWithinAYear, type CalendarBody } from '../domain/calendar';
import type { ApprovalPolicyBody } from '../domain/schemas/approval';
import type { IncidentSlaBody } from '../domain/schemas/sla';
import { PRIORITIES } from '../domain/priority';
import type { Models } from '../models';
import { findLatestPolicy, latestPolicies } from '../models/policies';
import { badRequest } from './problem';

type Problem = { in: 'body'; path: string; message: string };
/** A calendar about to be written, read in place of its stored version. */
type Pending = { id: string; body: CalendarBody };

async function calendarOf(models: Models, id: string, pending?: Pending): Promise<CalendarBody | null> {
  if (pending?.id === id) return pending.body;
  return (await findLatestPolicy<CalendarBody>(models, 'calendar', id))?.body ?? null;
}

/** One business-time figure on one calendar: no calendar, or more than a year of its working time. */
async function check(models: Models, path: string, calendarId: string, calendarPath: string, minutes: number, pending?: Pending): Promise<Problem | null> {
  const cal = await calendarOf(models, calendarId, pending);
  if (!cal) return { in: 'body', path: calendarPath, message: `there is no calendar ${calendarId}` };
  const why = notWithinAYear(cal, Date.now(), minutes);
  return why ? { in: 'body', path, message: why } : null;
}

/** The incident SLA policy's targets: each priority's resolution target (its response target is no longer) on its calendar. */
export async function slaProblems(models: Models, sla: IncidentSlaBody, pending?: Pending): Promise<Problem[]> {
  const found = await Promise.all(
    PRIORITIES.map((p) => {
      const t = sla.targets[p];
      return check(models, `targets.${p}.resolutionMinutes`, t.calendarId ?? sla.calendarId, t.calendarId ? `targets.${p}.calendarId` : 'calendarId', t.resolutionMinutes, pending);
    }),
  );
  // one line per missing calendar, however many priorities name it
  return found.filter((x): x is Problem => x !== null).filter((x, i, all) => all.findIndex((y) => y.path === x.path) === i);
}

/**
 * An SLA's request fulfilment targets: each catalogue item exists and belongs to the SLA's service,
 * and its target falls due within a year on the SLA's calendar.
 */
export async function requestTargetProblems(models: Models, sla: { service: string; incidents: { calendarId: string }; requests?: Array<{ catalogItem: string; fulfilmentMinutes: number }> }): Promise<Problem[]> {
  const found = await Promise.all(
    (sla.requests ?? []).map(async (r, i): Promise<Problem | null> => {
      const item = await findLatestPolicy<{ service: string | null; name: string }>(models, 'catalog-item', r.catalogItem);
      if (!item) return { in: 'body', path: `requests.${i}.catalogItem`, message: `there is no catalogue item ${r.catalogItem}` };
      if (item.body.service !== sla.service) return { in: 'body', path: `requests.${i}.catalogItem`, message: `${r.catalogItem} (${item.body.name}) belongs to ${item.body.service ?? 'no service'}, not ${sla.service}` };
      const p = await check(models, `requests.${i}.fulfilmentMinutes`, sla.incidents.calendarId, 'incidents.calendarId', r.fulfilmentMinutes);
      return p?.path === 'incidents.calendarId' ? null : p; // a missing calendar is said once, by the incident targets
    }),
  );
  return found.filter((x): x is Problem => x !== null);
}

/** An approval policy's stage deadlines, each on its calendar. */
export async function approvalProblems(models: Models, body: ApprovalPolicyBody, pending?: Pending): Promise<Problem[]> {
  const found = await Promise.all(
    body.stages.map((s, i) => check(models, `stages.${i}.deadline.businessMinutes`, s.deadline.calendarId, `stages.${i}.deadline.calendarId`, s.deadline.businessMinutes, pending)),
  );
  return found.filter((x): x is Problem => x !== null);
}

/** A calendar about to be written, against the latest SLA policy and approval policies that run on it. */
export async function calendarProblems(models: Models, id: string, body: CalendarBody): Promise<Problem[]> {
  const problems: Problem[] = [];
  const sla = (await findLatestPolicy<IncidentSlaBody>(models, 'incident-sla', 'default'))?.body;
  for (const p of sla ? PRIORITIES : []) {
    const t = sla!.targets[p];
    if ((t.calendarId ?? sla!.calendarId) !== id) continue;
    const why = notWithinAYear(body, Date.now(), t.resolutionMinutes);
    if (why) problems.push({ in: 'body', path: 'workingHours', message: `the incident SLA policy's ${p} resolution target: ${why}` });
  }
  for (const s of await latestPolicies<{ name: string; active: boolean; incidents: IncidentSlaBody }>(models, 'sla')) {
    if (!s.body.active) continue;
    for (const p of PRIORITIES) {
      const t = s.body.incidents.targets[p];
      if ((t.calendarId ?? s.body.incidents.calendarId) !== id) continue;
      const why = notWithinAYear(body, Date.now(), t.resolutionMinutes);
      if (why) problems.push({ in: 'body', path: 'workingHours', message: `SLA ${s.key} (${s.body.name}) ${p} resolution target: ${why}` });
    }
    if (s.body.incidents.calendarId !== id) continue;
    for (const r of (s.body as { requests?: Array<{ catalogItem: string; fulfilmentMinutes: number }> }).requests ?? []) {
      const why = notWithinAYear(body, Date.now(), r.fulfilmentMinutes);
      if (why) problems.push({ in: 'body', path: 'workingHours', message: `SLA ${s.key} (${s.body.name}) fulfilment target for ${r.catalogItem}: ${why}` });
    }
  }
  for (const ap of await latestPolicies<ApprovalPolicyBody>(models, 'approval-policy')) {
    for (const [i, stage] of ap.body.stages.entries()) {
      if (stage.deadline.calendarId !== id) continue;
      const why = notWithinAYear(body, Date.now(), stage.deadline.businessMinutes);
      if (why) problems.push({ in: 'body', path: 'workingHours', message: `approval policy ${ap.key} (${ap.body.name}) stage ${i + 1} deadline: ${why}` });
    }
  }
  return problems;
}

/** Refuses the write with a 400 naming every problem, when there is one. */
export function refuseIf(problems: Problem[]): void {
  if (problems.length) throw badRequest(problems.map((e) => `${e.path}: ${e.message}`).join('; '), problems);
}
