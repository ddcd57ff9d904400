import { Schema, type Connection } from 'mongoose';

/** The audit trail: one entry per transition of a case, keyed by case and sequence (idempotent). */
const schema = new Schema(
  {
    caseType: { type: String, required: true },
    caseId: { type: String, required: true },
    seq: { type: Number, required: true },
    action: { type: String, required: true },
    from: String,
    to: String,
    by: String,
    at: Date,
    note: String,
    details: Schema.Types.Mixed,
  },
  { versionKey: false },
);
schema.index({ caseId: 1, seq: 1 }, { unique: true, name: 'case_seq' });

export const auditModel = (conn: Connection) => conn.model('Audit', schema, 'audit_trail');
