import { isDuplicateKey } from '../models';
import type { Model } from 'mongoose';

/**
 * The step that persists a transition, shared by every process. The record is replaced only by
 * a later sequence number, and the audit entry is unique per case and sequence, so a retried or
 * late activity never rewinds a record nor writes an entry twice.
 */
export async function persistCase<R extends { number: string; seq: number }>(
  Record: Model<any>,
  Audit: Model<any>,
  caseType: string,
  caseId: string,
  record: R,
  event: { seq: number; at: number } & object,
): Promise<void> {
  const updated = await Record.collection.updateOne({ number: caseId, seq: { $lt: record.seq } }, { $set: record });
  if (updated.matchedCount === 0) {
    try {
      await Record.collection.insertOne({ ...record });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // a newer version is stored already
    }
  }
  try {
    await Audit.collection.insertOne({ ...event, at: new Date(event.at), caseType, caseId });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}
