import type { Connection } from 'mongoose';
import { caseRecordSchema, isOpenState, type StoredShape } from './case-record';

/**
 * The incident record, as its workflow persists it (see domain/incident IncidentRecord), keyed by
 * its number. Declared here: the fields lists filter on and the indexes that serve each list, open
 * cases by priority, group, assignee, breach and major flag, any case by state, caller, service
 * and CI, closed ones by when they closed. `breached` and `open` are kept by the persist step.
 */
const schema = caseRecordSchema(
  {
    priority: String,
    assignmentGroup: String,
    assignee: String,
    service: String,
    configurationItem: String,
    category: String,
    caller: String,
    breached: Boolean,
    major: Boolean,
    closedAt: Number,
    resolutionDueAt: Number,
    atRisk: Boolean,
  },
  {
    open_priority_id: { open: 1, priority: 1, _id: -1 },
    open_group_id: { open: 1, assignmentGroup: 1, _id: -1 },
    open_assignee_id: { open: 1, assignee: 1, _id: -1 },
    open_breached_id: { open: 1, breached: 1, _id: -1 },
    priority_id: { priority: 1, _id: -1 },
    group_id: { assignmentGroup: 1, _id: -1 },
    assignee_id: { assignee: 1, _id: -1 },
    breached_id: { breached: 1, _id: -1 },
    major_id: { major: 1, _id: -1 },
    caller_id: { caller: 1, _id: -1 },
    service_id: { service: 1, _id: -1 },
    ci_id: { configurationItem: 1, _id: -1 },
    closedAt_id: { closedAt: -1, _id: -1 },
    // open incidents by when their resolution falls due (most urgent first), and those warned but not yet breached
    open_due_id: { open: 1, resolutionDueAt: 1, _id: 1 },
    open_atRisk_id: { open: 1, atRisk: 1, _id: -1 },
  },
);

export const incidentModel = (conn: Connection) => conn.model('Incident', schema, 'incidents');

interface IncidentLike {
  state: string;
  openedAt: number;
  sla: { response: ClockLike; resolution: ClockLike };
}
interface ClockLike {
  breachedAt: number | null;
  warnedAt?: number | null;
  stoppedAt?: number | null;
  dueAt?: number | null;
}
const warnedNotBreached = (c: ClockLike) => (c.warnedAt ?? null) !== null && c.breachedAt === null && (c.stoppedAt ?? null) === null;
export const incidentStored: StoredShape<IncidentLike> = {
  derive: (r) => {
    const open = isOpenState(r.state);
    return {
      open,
      breached: r.sla.response.breachedAt !== null || r.sla.resolution.breachedAt !== null,
      resolutionDueAt: open ? (r.sla.resolution.dueAt ?? null) : null,
      atRisk: open && (warnedNotBreached(r.sla.response) || warnedNotBreached(r.sla.resolution)),
    };
  },
  linkAt: (r) => r.openedAt,
};
