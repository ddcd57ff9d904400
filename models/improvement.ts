import { Schema, type Connection } from 'mongoose';
import { IMPROVEMENT_STATES } from '../domain/improvement';

/** The improvement register: each improvement with its PDCA cycles, as its workflow persists it. */
const schema = new Schema(
  {
    number: { type: String, required: true, unique: true },
    state: { type: String, enum: IMPROVEMENT_STATES, index: true },
    owner: { type: String, index: true },
    service: { type: String, index: true },
    source: { type: String, index: true },
    openedAt: { type: Number, index: true },
    seq: Number,
  },
  { versionKey: false, strict: false, minimize: false },
);

export const improvementModel = (conn: Connection) => conn.model('Improvement', schema, 'improvements');
