import { Schema, type Connection } from 'mongoose';
import { INCIDENT_STATES } from '../domain/incident';

/**
 * The incident record, as its workflow persists it (see domain/incident IncidentRecord).
 * Listed fields are the ones filtered on; the rest of the record is stored as given.
 */
const schema = new Schema(
  {
    number: { type: String, required: true, unique: true },
    state: { type: String, enum: INCIDENT_STATES, index: true },
    priority: { type: String, index: true },
    assignmentGroup: { type: String, index: true },
    assignee: { type: String, index: true },
    service: { type: String, index: true },
    configurationItem: { type: String, index: true },
    category: String,
    caller: { type: String, index: true },
    breached: { type: Boolean, index: true },
    openedAt: { type: Number, index: true },
    seq: Number,
  },
  { versionKey: false, strict: false, minimize: false },
);

export const incidentModel = (conn: Connection) => conn.model('Incident', schema, 'incidents');
