/**
 * The step that persists a transition, shared by every process. A case is its record's only
 * writer: the record is replaced only by a later sequence number (a retried or late write never
 * rewinds it), its audit entry is unique per case and sequence, and the links of its list-valued
 * fields follow the record.
 */
import type { Model } from 'mongoose';
import { caseStores, isDuplicateKey, type Models } from '../models';
import type { StoredShape } from '../models/case-record';
import { syncLinks } from '../models/link';
import { applyRecordOps, type CaseKind, type RecordOp } from '../domain/record-diff';

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
  const storedVersion = stored?.[versionField] as number | undefined;
  // an older version is there, yet the conditional update matched nothing: the write did not take.
  // Failing makes the step retry; answering as if written left the record a transition behind its
  // case for good, its history entry written (the fault suite found 105 so, once, after the API was killed).
  if (storedVersion !== undefined && storedVersion < version) throw new Error(`${id}: ${versionField} ${version} was not written over ${storedVersion} (the update matched nothing): retrying`);
  return storedVersion === version;
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


export interface TransitionInput {
  kind: CaseKind;
  number: string;
  /** what the transition changed in the record (its `seq` among it) */
  ops: RecordOp[];
  event: { seq: number; at: number } & object;
}

export function createPersistActivities(models: Models) {
  const stores = caseStores(models);
  return {
    /**
     * Applies a transition's changes to the stored record, writes its audit entry and links. The
     * record is read first (a primary-key read): a retry finds its own write there and owes at
     * most the audit entry and links; a record behind by more than one transition cannot happen
     * while the case writes in order, and is refused (retried) rather than written wrong.
     */
    async persistTransition({ kind, number, ops, event }: TransitionInput): Promise<void> {
      const { model: Record, stored: shape } = stores[kind];
      const stored = (await Record.collection.findOne({ _id: number } as never)) as (Record<string, unknown> & { seq?: number }) | null;
      const storedSeq = stored?.seq ?? 0;
      if (storedSeq >= event.seq) {
        if (storedSeq === event.seq) await persistCase(models, Record, shape, kind, withoutId(stored!) as never, event);
        else await auditOnce(models, kind, number, event);
        return;
      }
      if (storedSeq !== event.seq - 1) {
        throw new Error(`${number}: the stored record is at transition ${storedSeq}, this is ${event.seq}: an earlier transition is missing`);
      }
      const record = applyRecordOps(stored ? withoutId(stored) : {}, ops) as { number: string; seq: number; state: string };
      if (record.seq !== event.seq || record.number !== number) throw new Error(`${number}: transition ${event.seq} does not describe its own record`);
      await persistCase(models, Record, shape, kind, record, event);
    },
  };
}

function withoutId(doc: Record<string, unknown>): Record<string, unknown> {
  const { _id, ...rest } = doc;
  void _id;
  return rest;
}

async function auditOnce(models: Models, caseType: string, caseId: string, event: { seq: number; at: number } & object) {
  try {
    await models.Audit.collection.insertOne({ ...event, at: new Date(event.at), caseType, caseId });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}
