import { Schema, type Connection } from 'mongoose';

/**
 * Idempotency keys a caller sent with a create or a command (`Idempotency-Key`), one document per
 * caller and key, found by its `_id` (a hash of both). It remembers what the request was (its
 * fingerprint: method, path and body) and, for a create, the number the case was opened under.
 */
const schema = new Schema(
  {
    _id: String,
    fingerprint: { type: String, required: true },
    /** the case a create opened (set before its workflow starts), or the case a command went to */
    caseId: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export const idempotencyKeyModel = (conn: Connection) => conn.model('IdempotencyKey', schema, 'idempotency_keys');
