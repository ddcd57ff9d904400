import { Schema, type Connection } from 'mongoose';

/**
 * Human tasks as their cases' workflows persist them (domain/task TaskRecord), keyed by task id:
 * what GET /tasks reads, a group's or a person's open tasks oldest first. `open` is kept by the
 * persist step.
 */
const schema = new Schema(
  {
    _id: String,
    id: { type: String, required: true },
    caseId: String,
    process: String,
    state: String,
    open: Boolean,
    group: String,
    assignee: String,
    dueAt: Number,
    createdAt: Number,
    rev: Number,
  },
  { versionKey: false, strict: false, minimize: false },
);
schema.index({ caseId: 1, createdAt: 1, _id: 1 }, { name: 'case_created' });
schema.index({ group: 1, open: 1, createdAt: 1, _id: 1 }, { name: 'group_open_created' });
schema.index({ assignee: 1, open: 1, createdAt: 1, _id: 1 }, { name: 'assignee_open_created' });
schema.index({ open: 1, createdAt: 1, _id: 1 }, { name: 'open_created' });
schema.index({ state: 1, createdAt: 1, _id: 1 }, { name: 'state_created' });

export const taskModel = (conn: Connection) => conn.model('Task', schema, 'tasks');

export const taskStored = { derive: (t: { state: string }) => ({ open: t.state === 'open' || t.state === 'claimed' }) };
