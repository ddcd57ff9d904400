import type { Connection } from 'mongoose';
import { caseRecordSchema, isOpenState, type StoredShape } from './case-record';

/**
 * The service request record, as its workflow persists it (see workflows/request RequestRecord),
 * keyed by its number. `catalogItemId` is kept by the persist step (lists filter on it).
 */
const schema = caseRecordSchema(
  {
    requestedBy: String,
    requestedFor: String,
    catalogItemId: String,
  },
  {
    requestedBy_id: { requestedBy: 1, _id: -1 },
    requestedFor_id: { requestedFor: 1, _id: -1 },
    catalogItem_id: { catalogItemId: 1, _id: -1 },
  },
);

export const requestModel = (conn: Connection) => conn.model('Request', schema, 'requests');

interface RequestLike {
  state: string;
  openedAt: number;
  catalogItem: { id: string };
}
export const requestStored: StoredShape<RequestLike> = {
  derive: (r) => ({ open: isOpenState(r.state), catalogItemId: r.catalogItem.id }),
  linkAt: (r) => r.openedAt,
};
