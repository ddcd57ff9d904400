import { Schema, type Connection } from 'mongoose';
import { NONCONFORMITY_STATES } from '../domain/nonconformity';

/** Nonconformities, as their workflows persist them (see workflows/nonconformity NonconformityRecord). */
const schema = new Schema(
  {
    number: { type: String, required: true, unique: true },
    state: { type: String, enum: NONCONFORMITY_STATES, index: true },
    severity: { type: String, index: true },
    service: { type: String, index: true },
    owner: { type: String, index: true },
    openedAt: { type: Number, index: true },
    seq: Number,
  },
  { versionKey: false, strict: false, minimize: false },
);

export const nonconformityModel = (conn: Connection) => conn.model('Nonconformity', schema, 'nonconformities');
