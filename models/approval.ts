import { Schema, type Connection } from 'mongoose';

/** Approvals as their cases' workflows persist them (domain/approval ApprovalRecord): what GET /approvals reads. */
const schema = new Schema(
  {
    id: { type: String, required: true, unique: true },
    caseId: { type: String, index: true },
    process: { type: String, index: true },
    state: { type: String, index: true },
    approvers: { type: [String], index: true },
    dueAt: Number,
    rev: Number,
  },
  { versionKey: false, strict: false, minimize: false },
);

export const approvalModel = (conn: Connection) => conn.model('Approval', schema, 'approvals');
