import type { Calendar } from '../domain/calendar';
import type { IncidentEvent, IncidentRecord } from '../domain/incident';
import type { PriorityMatrixBody } from '../domain/priority';
import type { IncidentSlaBody } from '../domain/sla';
import type { Models } from '../models';
import { latestPolicy } from '../models/policies';
import { persistCase } from './persist';

export interface IncidentPolicies {
  priorityMatrix: { version: number; body: PriorityMatrixBody };
  incidentSla: { version: number; body: IncidentSlaBody };
  /** every calendar the SLA policy names, at its current version */
  calendars: Record<string, Calendar>;
}

export function createIncidentActivities(models: Models) {
  return {
    /** The policies in force now; the incident keeps these versions for its whole life. */
    async loadIncidentPolicies(): Promise<IncidentPolicies> {
      const priorityMatrix = await latestPolicy<PriorityMatrixBody>(models, 'priority-matrix', 'default');
      const incidentSla = await latestPolicy<IncidentSlaBody>(models, 'incident-sla', 'default');
      const ids = new Set([incidentSla.body.calendarId, ...Object.values(incidentSla.body.targets).map((t) => t.calendarId)]);
      const calendars: Record<string, Calendar> = {};
      for (const id of ids) {
        if (!id) continue;
        const c = await latestPolicy<Omit<Calendar, 'id' | 'version'>>(models, 'calendar', id);
        calendars[id] = { ...c.body, id, version: c.version };
      }
      return { priorityMatrix, incidentSla, calendars };
    },

    /** Known errors whose problem is still open, on this CI or in this category: workarounds for the agent. */
    async findKnownErrors({ configurationItem, category }: { configurationItem: string; category: string }) {
      const found = await models.Problem.find(
        { knownError: { $ne: null }, state: { $in: ['investigation', 'known_error', 'awaiting_change'] }, $or: [{ configurationItem }, { category }] },
        { _id: 0, number: 1, knownError: 1 },
      ).sort({ openedAt: -1 }).limit(10).lean();
      return (found as unknown as Array<{ number: string; knownError: { symptoms: string; workaround: string } }>).map((p) => ({ problem: p.number, symptoms: p.knownError.symptoms, workaround: p.knownError.workaround }));
    },

    /** Writes the record and its audit entry; repeating it (a retried activity) changes nothing. */
    async persistIncident({ record, event }: { record: IncidentRecord; event: IncidentEvent }): Promise<void> {
      const breached = record.sla.response.breachedAt !== null || record.sla.resolution.breachedAt !== null;
      await persistCase(models.Incident, models.Audit, 'incident', record.number, { ...record, breached }, event);
    },
  };
}
