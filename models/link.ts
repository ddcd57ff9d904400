import { Schema, type Connection } from 'mongoose';

/**
 * Case links: one small document per value of a list-valued field (a change's CIs, a problem's
 * incidents, an approval's approvers, a key's groups), so "the changes of this CI" is an index
 * range as on MongoDB's multikey indexes, on every database. The writer of the record writes its
 * links in the same step (`syncLinks` in activities/persist.ts).
 *
 *   _id     `${collection}.${field}=${value}|${target}`
 *   k       `${collection}.${field}=${value}`: what a list asks for
 *   target  the `_id` of the document that holds the value
 *   open    whether that document is still open (a case not in a final state, a pending approval)
 *   at      the list's sort key (opened, due), then target
 */
const schema = new Schema(
  {
    _id: String,
    k: { type: String, required: true },
    target: { type: String, required: true },
    open: { type: Boolean, required: true },
    at: { type: Number, required: true },
  },
  { versionKey: false },
);
schema.index({ k: 1, at: 1, target: 1 }, { name: 'k_at' });
schema.index({ k: 1, open: 1, at: 1, target: 1 }, { name: 'k_open_at' });
schema.index({ target: 1 }, { name: 'target' });

export const linkModel = (conn: Connection) => conn.model('Link', schema, 'case_links');

export const linkKey = (collection: string, field: string, value: string) => `${collection}.${field}=${value}`;

const key = (collection: string, field: string, value: string) => linkKey(collection, field, value);

/**
 * Makes the links of one document the ones wanted: adds the missing, updates those whose `open` or
 * sort key changed, removes the stale. The document's writer calls it after writing it.
 */
export async function syncLinks(Link: ReturnType<typeof linkModel>, collection: string, target: string, wanted: Array<{ field: string; value: string }>, open: boolean, at: number): Promise<void> {
  const want = new Map(wanted.map((w) => [`${key(collection, w.field, w.value)}|${target}`, key(collection, w.field, w.value)]));
  const have = await Link.collection.find({ target } as never, { hint: 'target', projection: { open: 1, at: 1 }, limit: 10_000 }).toArray();
  // one by `_id` each: a primary-key write on every database
  for (const h of have) if (!want.has(h._id as unknown as string)) await Link.collection.deleteOne({ _id: h._id });
  for (const [id, k] of want) {
    const h = have.find((x) => (x._id as unknown as string) === id);
    if (h && h.open === open && h.at === at) continue;
    await Link.collection.updateOne({ _id: id } as never, { $set: { k, target, open, at } }, { upsert: true });
  }
}
