import { Schema, type Connection } from 'mongoose';

/** Notifications the processes emit (SLA warnings and breaches, major incidents), with delivery state. */
const schema = new Schema(
  {
    _id: String,
    key: { type: String, required: true },
    type: { type: String, required: true },
    caseId: String,
    payload: Schema.Types.Mixed,
    createdAt: { type: Date, default: () => new Date() },
    deliveredAt: { type: Date, default: null },
  },
  { versionKey: false },
);

schema.index({ caseId: 1, createdAt: 1, _id: 1 }, { name: 'case_created_id' });
// the feed (GET /notifications): newest first, of every type or of one
schema.index({ createdAt: 1, _id: 1 }, { name: 'created_id' });
schema.index({ type: 1, createdAt: 1, _id: 1 }, { name: 'type_created_id' });

export const notificationModel = (conn: Connection) => conn.model('Notification', schema, 'notifications');
