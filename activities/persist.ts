/**
 * The step that persists a transition, shared by every process. A case is its record's only
 * writer: the record is replaced only by a later sequence number (a retried or late write never
 * rewinds it), its audit entry is unique per case and sequence, and the links of its list-valued
 * fields follow the record.
 */
import type { Model } from 'mongoose';
import { isDuplicateKey, type Models } from '../models';
import type { StoredShape } from '../models/case-record';
import { syncLinks } from '../models/link';

/**
 * Writes a document only over an older version of itself (`versionField` holds its sequence or
 * revision). Answers whether this version is the one stored now.
 */
export async function writeIfNewer(Record: Model<any>, id: string, versionField: string, doc: Record<string, unknown>): Promise<boolean> {
  const version = doc[versionField] as number;
  const updated = await Record.collection.updateOne({ _id: id, [versionField]: { $lt: version } } as never, { $set: doc });
  if (updated.matchedCount === 1) return true;
  try {
    await Record.collection.insertOne({ _id: id, ...doc } as never);
    return true;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  // this version or a newer one is stored already: a retry of this very write still owes its links
  const stored = await Record.collection.findOne({ _id: id } as never, { projection: { [versionField]: 1 } });
  return stored?.[versionField] === version;
}

export async function persistCase<R extends { number: string; seq: number; state: string }>(
  models: Models,
  Record: Model<any>,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each process's shape reads its own record
  shape: StoredShape<any>,
  caseType: string,
  record: R,
  event: { seq: number; at: number } & object,
): Promise<void> {
  // the history entry first: whoever reads the record in its new state finds the entry too
  try {
    await models.Audit.collection.insertOne({ ...event, at: new Date(event.at), caseType, caseId: record.number });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  const doc = { ...record, ...shape.derive(record) } as Record<string, unknown>;
  const current = await writeIfNewer(Record, record.number, 'seq', doc);
  if (current && shape.links) await syncLinks(models.Link, Record.collection.collectionName, record.number, shape.links(record), doc.open as boolean, shape.linkAt(record));
}
