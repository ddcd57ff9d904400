import type { Connection } from 'mongoose';
import { caseRecordSchema, isOpenState, type StoredShape } from './case-record';

/**
 * Releases, as their workflows persist them (see domain/release ReleaseRecord), keyed by number.
 * `transition` finds the releases of a service transition; `windowStartAt` and `windowEndAt`
 * (the first window's start and the last window's end, as instants) put open releases on the
 * release calendar. Its changes and CIs are lists: a change's or CI's releases are found through
 * the case links (models/link.ts).
 */
const schema = caseRecordSchema(
  {
    type: String,
    group: String,
    requestedBy: String,
    transition: String,
    windowStartAt: Number,
    windowEndAt: Number,
  },
  {
    type_id: { type: 1, _id: -1 },
    group_id: { group: 1, _id: -1 },
    transition_id: { transition: 1, _id: -1 },
    open_windowStart: { open: 1, windowStartAt: 1, _id: 1 },
  },
);

export const releaseModel = (conn: Connection) => conn.model('Release', schema, 'releases');

interface ReleaseLike {
  state: string;
  openedAt: number;
  changes: string[];
  deliverables: Array<{ ci: string }>;
  deployments: Array<{ window: { start: string; end: string } | null }>;
}
export const releaseStored: StoredShape<ReleaseLike> = {
  derive: (r) => {
    const windows = r.deployments.flatMap((d) => (d.window ? [d.window] : []));
    return {
      open: isOpenState(r.state),
      windowStartAt: windows.length ? Math.min(...windows.map((w) => Date.parse(w.start))) : null,
      windowEndAt: windows.length ? Math.max(...windows.map((w) => Date.parse(w.end))) : null,
    };
  },
  links: (r) => [...new Set(r.changes)].map((value) => ({ field: 'changes', value })).concat([...new Set(r.deliverables.map((d) => d.ci))].map((value) => ({ field: 'configurationItems', value }))),
  linkAt: (r) => r.openedAt,
};
