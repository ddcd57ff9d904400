import type { Calendar } from '../domain/calendar';
import type { IncidentEvent, IncidentRecord } from '../domain/incident';
import type { PriorityMatrixBody } from '../domain/priority';
import type { IncidentSlaBody, Ola } from '../domain/sla';
import type { Models } from '../models';
import { latestPoliciesCounted, latestPolicy } from '../models/policies';
import { slaFor } from '../domain/service-level';
import type { SlaBody } from '../domain/schemas/service-level';
import type { ServiceBody } from '../domain/schemas/service';
import { incidentStored } from '../models/incident';
import { findIndexed } from '../models/query';
import { persistCase } from './persist';

export interface IncidentPolicies {
  priorityMatrix: { version: number; body: PriorityMatrixBody };
  /** the targets: the SLA's (its `sla` says which), or the incident SLA policy's */
  incidentSla: { version: number; body: IncidentSlaBody };
  sla?: { id: string; version: number } | null;
  /** the OLAs of the supporting groups, from the SLA (none from the incident SLA policy) */
  olas?: Ola[];
  /** every calendar the SLA policy names, at its current version */
  calendars: Record<string, Calendar>;
}

export function createIncidentActivities(models: Models) {
  return {
    /**
     * The policies in force now; the incident keeps these versions for its whole life. Its targets
     * come from the SLA in force for its service and customer, when there is one (incidents logged
     * before SLAs existed ask without a service).
     */
    async loadIncidentPolicies(of?: { service: string; customer?: string | null; affected?: string[] }): Promise<IncidentPolicies> {
      const [priorityMatrix, policySla, slas, services] = await Promise.all([
        latestPolicy<PriorityMatrixBody>(models, 'priority-matrix', 'default'),
        latestPolicy<IncidentSlaBody>(models, 'incident-sla', 'default'),
        of ? latestPoliciesCounted<SlaBody>(models, 'sla') : [],
        of ? latestPoliciesCounted<ServiceBody>(models, 'service') : [],
      ]);
      const candidates = slas.map((s) => ({ id: s.key, version: s.version, body: s.body }));
      const serviceIds = new Map(services.map((s) => [s.body.name.toLowerCase(), s.key]));
      // the SLA of the service it names; else of the first service its CI is part of, through the CMDB, that has one
      const agreed = of ? ([of.service, ...(of.affected ?? [])].map((name) => slaFor(candidates, serviceIds, name, of.customer)).find((x) => x !== null) ?? null) : null;
      const incidentSla = agreed ? { version: agreed.version, body: agreed.body.incidents } : policySla;
      const ids = [...new Set([incidentSla.body.calendarId, ...Object.values(incidentSla.body.targets).map((t) => t.calendarId)])].filter((id): id is string => !!id);
      const calendars: Record<string, Calendar> = {};
      for (const [i, c] of (await Promise.all(ids.map((id) => latestPolicy<Omit<Calendar, 'id' | 'version'>>(models, 'calendar', id)))).entries()) {
        calendars[ids[i]] = { ...c.body, id: ids[i], version: c.version };
      }
      return { priorityMatrix, incidentSla, calendars, sla: agreed ? { id: agreed.id, version: agreed.version } : null, olas: agreed?.body.olas ?? [] };
    },

    /** Known errors whose problem is still open, on this CI or in this category: workarounds for the agent. */
    async findKnownErrors({ configurationItem, category }: { configurationItem: string; category: string }) {
      type Found = { number: string; knownError: { symptoms: string; workaround: string } };
      const projection = { number: 1, knownError: 1 } as const;
      const sort = [['_id', -1]] as const;
      const open = { $in: ['investigation', 'known_error', 'awaiting_change'] };
      const [onCi, inCategory] = await Promise.all([
        findIndexed<Found>(models.Problem, { kedb: true, configurationItem, state: open }, { sort, limit: 10, projection }),
        findIndexed<Found>(models.Problem, { kedb: true, category, state: open }, { sort, limit: 10, projection }),
      ]);
      const seen = new Set<string>();
      return [...onCi, ...inCategory]
        .filter((p) => !seen.has(p.number) && seen.add(p.number))
        .sort((a, b) => (a.number < b.number ? 1 : -1))
        .slice(0, 10)
        .map((p) => ({ problem: p.number, symptoms: p.knownError.symptoms, workaround: p.knownError.workaround }));
    },

    /** Writes the record and its audit entry; repeating it (a retried activity) changes nothing. */
    async persistIncident({ record, event }: { record: IncidentRecord; event: IncidentEvent }): Promise<void> {
      await persistCase(models, models.Incident, incidentStored, 'incident', record, event);
    },
  };
}
