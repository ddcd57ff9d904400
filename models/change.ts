import { Schema, type Connection } from 'mongoose';
import { CHANGE_STATES } from '../domain/change';

/** The change record, as its workflow persists it (see workflows/change ChangeRecord). */
const schema = new Schema(
  {
    number: { type: String, required: true, unique: true },
    state: { type: String, enum: CHANGE_STATES, index: true },
    type: { type: String, index: true },
    risk: { type: String, index: true },
    configurationItems: { type: [String], index: true },
    services: { type: [String], index: true },
    requestedBy: { type: String, index: true },
    plannedStart: { type: String, index: true },
    plannedEnd: String,
    openedAt: { type: Number, index: true },
    seq: Number,
  },
  { versionKey: false, strict: false, minimize: false },
);

export const changeModel = (conn: Connection) => conn.model('Change', schema, 'changes');
