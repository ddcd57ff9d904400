import { Schema, type Connection } from 'mongoose';

/** An approver's absence: their approvals go to the delegate for the period [start, end). */
const schema = new Schema(
  {
    from: { type: String, required: true },
    to: { type: String, required: true },
    start: { type: Date, required: true },
    end: { type: Date, required: true },
    reason: { type: String, default: '' },
    createdBy: String,
    createdAt: { type: Date, default: () => new Date() },
    revokedAt: { type: Date, default: null },
  },
  { versionKey: false },
);

schema.index({ from: 1, start: 1, _id: 1 }, { name: 'from_start' });
schema.index({ to: 1, start: 1, _id: 1 }, { name: 'to_start' });
schema.index({ start: 1, _id: 1 }, { name: 'start' });

export const delegationModel = (conn: Connection) => conn.model('Delegation', schema, 'delegations');
