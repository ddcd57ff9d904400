import { Schema, type Connection } from 'mongoose';

/** Notifications the processes emit (SLA warnings and breaches, major incidents), with delivery state. */
const schema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    type: { type: String, required: true, index: true },
    caseId: { type: String, index: true },
    payload: Schema.Types.Mixed,
    createdAt: { type: Date, default: () => new Date() },
    deliveredAt: { type: Date, default: null },
  },
  { versionKey: false },
);

export const notificationModel = (conn: Connection) => conn.model('Notification', schema, 'notifications');
