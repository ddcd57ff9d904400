import type { Connection } from 'mongoose';
import { caseRecordSchema, plainCase } from './case-record';

/** Nonconformities, as their workflows persist them (see workflows/nonconformity NonconformityRecord), keyed by number. */
const schema = caseRecordSchema(
  {
    severity: String,
    service: String,
    owner: String,
  },
  {
    severity_id: { severity: 1, _id: -1 },
    service_id: { service: 1, _id: -1 },
    owner_id: { owner: 1, _id: -1 },
  },
);

export const nonconformityModel = (conn: Connection) => conn.model('Nonconformity', schema, 'nonconformities');

export const nonconformityStored = plainCase<{ state: string; openedAt: number }>();
