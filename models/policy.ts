import { Schema, type Connection } from 'mongoose';

/**
 * Process owners' rules as versioned data: every PUT adds a version, none is ever rewritten,
 * so a running case can always read the version it started with.
 */
const schema = new Schema(
  {
    kind: { type: String, required: true },
    key: { type: String, required: true },
    version: { type: Number, required: true },
    body: { type: Schema.Types.Mixed, required: true },
    createdBy: String,
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false, minimize: false },
);
schema.index({ kind: 1, key: 1, version: -1 }, { unique: true, name: 'kind_key_version' });

export const policyModel = (conn: Connection) => conn.model('Policy', schema, 'policies');
