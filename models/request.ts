import { Schema, type Connection } from 'mongoose';
import { REQUEST_STATES } from '../domain/request';

/** The service request record, as its workflow persists it (see workflows/request RequestRecord). */
const schema = new Schema(
  {
    number: { type: String, required: true, unique: true },
    state: { type: String, enum: REQUEST_STATES, index: true },
    requestedBy: { type: String, index: true },
    requestedFor: { type: String, index: true },
    'catalogItem.id': { type: String, index: true },
    openedAt: { type: Number, index: true },
    seq: Number,
  },
  { versionKey: false, strict: false, minimize: false },
);

export const requestModel = (conn: Connection) => conn.model('Request', schema, 'requests');
