import { Schema, type Connection } from 'mongoose';
import { PROBLEM_STATES } from '../domain/problem';

/** The problem record, as its workflow persists it (see workflows/problem ProblemRecord); with a known error, it is an entry of the KEDB. */
const schema = new Schema(
  {
    number: { type: String, required: true, unique: true },
    state: { type: String, enum: PROBLEM_STATES, index: true },
    service: { type: String, index: true },
    configurationItem: { type: String, index: true },
    category: { type: String, index: true },
    group: { type: String, index: true },
    incidents: { type: [String], index: true },
    change: { type: String, index: true },
    openedAt: { type: Number, index: true },
    seq: Number,
  },
  { versionKey: false, strict: false, minimize: false },
);

export const problemModel = (conn: Connection) => conn.model('Problem', schema, 'problems');
