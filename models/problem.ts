import type { Connection } from 'mongoose';
import { caseRecordSchema, isOpenState, type StoredShape } from './case-record';

/**
 * The problem record, as its workflow persists it (see workflows/problem ProblemRecord), keyed by
 * its number; with a known error it is an entry of the KEDB. `kedb` (a known error is recorded
 * and the problem is not cancelled) and `trendKey` (the trend that raised it) are kept by the
 * persist step; the incidents of a problem are found through the case links.
 */
const schema = caseRecordSchema(
  {
    service: String,
    configurationItem: String,
    category: String,
    group: String,
    change: String,
    kedb: Boolean,
    trendKey: String,
  },
  {
    service_id: { service: 1, _id: -1 },
    ci_id: { configurationItem: 1, _id: -1 },
    category_id: { category: 1, _id: -1 },
    group_id: { group: 1, _id: -1 },
    change_id: { change: 1, _id: -1 },
    kedb_id: { kedb: 1, _id: -1 },
    kedb_ci_id: { kedb: 1, configurationItem: 1, _id: -1 },
    kedb_service_id: { kedb: 1, service: 1, _id: -1 },
    kedb_category_id: { kedb: 1, category: 1, _id: -1 },
    trend_open_id: { trendKey: 1, open: 1, _id: -1 },
  },
);

export const problemModel = (conn: Connection) => conn.model('Problem', schema, 'problems');

interface ProblemLike {
  state: string;
  openedAt: number;
  knownError: object | null;
  trend: { groupBy: string; key: string } | null;
  incidents: string[];
}
export const problemTrendKey = (groupBy: string, key: string) => `${groupBy}:${key}`;
export const problemStored: StoredShape<ProblemLike> = {
  derive: (r) => ({
    open: isOpenState(r.state),
    kedb: r.knownError !== null && r.state !== 'cancelled',
    trendKey: r.trend ? problemTrendKey(r.trend.groupBy, r.trend.key) : null,
  }),
  links: (r) => [...new Set(r.incidents)].map((value) => ({ field: 'incidents', value })),
  linkAt: (r) => r.openedAt,
};
