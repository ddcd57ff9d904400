import type { Connection } from 'mongoose';
import { caseRecordSchema, plainCase } from './case-record';

/** The improvement register: each improvement with its PDCA cycles, as its workflow persists it, keyed by its number. */
const schema = caseRecordSchema(
  {
    owner: String,
    service: String,
    source: String,
  },
  {
    owner_id: { owner: 1, _id: -1 },
    service_id: { service: 1, _id: -1 },
    source_id: { source: 1, _id: -1 },
  },
);

export const improvementModel = (conn: Connection) => conn.model('Improvement', schema, 'improvements');

export const improvementStored = plainCase<{ state: string; openedAt: number }>();
