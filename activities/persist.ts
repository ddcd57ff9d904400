import type { Model } from 'mongoose';
import { isDuplicateKey } from '../models';

/**
 * Writes a record only over an older version of itself (`version` is the record's sequence or
 * revision): a retried or late write never rewinds what is stored.
 */
export async function writeIfNewer(Record: Model<any>, key: Record<string, string>, versionField: string, record: Record<string, unknown>): Promise<void> {
  const updated = await Record.collection.updateOne({ ...key, [versionField]: { $lt: record[versionField] } }, { $set: record });
  if (updated.matchedCount === 0) {
    try {
      await Record.collection.insertOne({ ...record });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // this version or a newer one is stored already
    }
  }
}

/**
 * The step that persists a transition, shared by every process: the case record (replaced only
 * by a later sequence number) and its audit entry (unique per case and sequence), so a retried or
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
  await writeIfNewer(Record, { number: caseId }, 'seq', record as unknown as Record<string, unknown>);
  try {
    await Audit.collection.insertOne({ ...event, at: new Date(event.at), caseType, caseId });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}
