import { Schema, type Connection } from 'mongoose';
import { ROLES } from '../domain/actor';

const schema = new Schema(
  {
    name: { type: String, required: true },
    /** sha-256 of the secret: keys are long random strings, so a fast hash is enough */
    hash: { type: String, required: true, unique: true },
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

export const apiKeyModel = (conn: Connection) => conn.model('ApiKey', schema, 'api_keys');
