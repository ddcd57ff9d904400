import { Schema, type Connection } from 'mongoose';

/**
 * Approvals as their cases' workflows persist them (domain/approval ApprovalRecord), keyed by
 * approval id. Whose approvals they are is a list (its approvers): GET /approvals finds them
 * through the case links, one per approver (models/link.ts).
 */
const schema = new Schema(
  {
    _id: String,
    id: { type: String, required: true },
    caseId: String,
    process: String,
    state: String,
    dueAt: Number,
    openedAt: Number,
    rev: Number,
  },
  { versionKey: false, strict: false, minimize: false },
);
schema.index({ caseId: 1, openedAt: 1, _id: 1 }, { name: 'case_opened' });

export const approvalModel = (conn: Connection) => conn.model('Approval', schema, 'approvals');

export const approvalStored = {
  derive: (a: { state: string }) => ({ open: a.state === 'pending' }),
  links: (a: { approvers: string[] }) => [...new Set(a.approvers)].map((value) => ({ field: 'approvers', value })),
};
