import type { Connection } from 'mongoose';
import { caseRecordSchema, isOpenState, type StoredShape } from './case-record';

/**
 * Service transitions, as their workflows persist them (see domain/transition TransitionRecord),
 * keyed by number. `serviceId` is kept by the persist step (lists filter on it), `kind` is the
 * record's own.
 */
const schema = caseRecordSchema(
  {
    kind: String,
    serviceId: String,
  },
  {
    serviceId_id: { serviceId: 1, _id: -1 },
    kind_id: { kind: 1, _id: -1 },
  },
);

export const transitionModel = (conn: Connection) => conn.model('Transition', schema, 'service_transitions');

interface TransitionLike {
  state: string;
  openedAt: number;
  service: { id: string };
}
export const transitionStored: StoredShape<TransitionLike> = {
  derive: (r) => ({ open: isOpenState(r.state), serviceId: r.service.id }),
  linkAt: (r) => r.openedAt,
};
