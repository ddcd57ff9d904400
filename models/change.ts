import type { Connection } from 'mongoose';
import { caseRecordSchema, isOpenState, type StoredShape } from './case-record';

/**
 * The change record, as its workflow persists it (see workflows/change ChangeRecord), keyed by its
 * number. `plannedStartAt` and `plannedEndAt` are the planned window as instants, for the change
 * calendar; its CIs and services are lists: the changes of one CI or service are found through the
 * case links (models/link.ts), not by an index on the array.
 */
const schema = caseRecordSchema(
  {
    type: String,
    risk: String,
    requestedBy: String,
    plannedStart: String,
    plannedEnd: String,
    plannedStartAt: Number,
    plannedEndAt: Number,
    implementedAt: Number,
  },
  {
    type_id: { type: 1, _id: -1 },
    risk_id: { risk: 1, _id: -1 },
    requestedBy_id: { requestedBy: 1, _id: -1 },
    open_plannedStart: { open: 1, plannedStartAt: 1, _id: 1 },
    // when its implementation started (null before): the changes implemented lately, on any CI
    implementedAt_id: { implementedAt: 1, _id: 1 },
  },
);

export const changeModel = (conn: Connection) => conn.model('Change', schema, 'changes');

interface ChangeLike {
  state: string;
  plannedStart: string;
  plannedEnd: string;
  openedAt: number;
  configurationItems: string[];
  services: string[];
  implementation?: { startedAt: number | null };
}
export const changeStored: StoredShape<ChangeLike> = {
  // the planned window as instants: the plan's texts may carry any offset
  derive: (r) => ({ open: isOpenState(r.state), plannedStartAt: Date.parse(r.plannedStart), plannedEndAt: Date.parse(r.plannedEnd), implementedAt: r.implementation?.startedAt ?? null }),
  links: (r) => [...new Set(r.configurationItems)].map((value) => ({ field: 'configurationItems', value })).concat([...new Set(r.services)].map((value) => ({ field: 'services', value }))),
  linkAt: (r) => r.openedAt,
};
