import { Schema, type Connection } from 'mongoose';
import { ROLES } from '../domain/actor';

/**
 * API keys, stored hashed. A request finds its key by hash on an index; who belongs to a group
 * is found through the case links (approvers of a group).
 */
const schema = new Schema(
  {
    name: { type: String, required: true },
    /** sha-256 of the secret: keys are long random strings, so a fast hash is enough */
    hash: { type: String, required: true },
    prefix: { type: String, required: true },
    roles: [{ type: String, enum: ROLES }],
    groups: [String],
    bootstrap: { type: Boolean, default: false },
    createdBy: String,
    createdAt: { type: Date, default: () => new Date() },
    revokedAt: { type: Date, default: null },
    revokedBy: String,
  },
  { versionKey: false },
);
schema.index({ hash: 1 }, { unique: true, name: 'hash' });
schema.index({ bootstrap: 1, createdAt: 1 }, { name: 'bootstrap_created' });
/** who holds a name: no two keys in force share one */
schema.index({ name: 1, revokedAt: 1 }, { name: 'name_revoked' });

export const apiKeyModel = (conn: Connection) => conn.model('ApiKey', schema, 'api_keys');
