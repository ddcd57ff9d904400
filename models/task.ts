import { Schema, type Connection } from 'mongoose';

/** Human tasks as their cases' workflows persist them (domain/task TaskRecord): what GET /tasks reads. */
const schema = new Schema(
  {
    id: { type: String, required: true, unique: true },
    caseId: { type: String, index: true },
    process: { type: String, index: true },
    state: { type: String, index: true },
    group: { type: String, index: true },
    assignee: { type: String, index: true },
    dueAt: Number,
    createdAt: Number,
    rev: Number,
  },
  { versionKey: false, strict: false, minimize: false },
);

export const taskModel = (conn: Connection) => conn.model('Task', schema, 'tasks');
