/** The baseline's one activity: upsert the record by its number, insert one audit entry. */
import type { mongo } from 'mongoose';

type Db = mongo.Db;

let db: Db;
export const bind = (d: Db) => (db = d);

export async function persistStep(e: { number: string; seq: number; action: string; to: string; by: string; at: number }): Promise<void> {
  await db.collection('baseline_records').updateOne({ _id: e.number as never }, { $set: { state: e.to, seq: e.seq, updatedAt: e.at } }, { upsert: true });
  await db.collection('baseline_audit').insertOne({ caseId: e.number, seq: e.seq, action: e.action, to: e.to, by: e.by, at: new Date(e.at) });
}
