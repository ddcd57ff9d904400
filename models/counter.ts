import { Schema, type Connection } from 'mongoose';

/**
 * Case numbers (INC, CHG, …) and the other sequences (svc, sla, cmdb, …).
 *
 * A number is taken by inserting a claim keyed by it (`INC:42`): the unique `_id` makes it the
 * taker's alone, on any database. An `$inc` on one counter document is not enough: on the embedded
 * FerretDB, `findAndModify` reads and writes in two steps, so sixteen takers at once get the same
 * few numbers. The counter document keeps the highest number taken (as `$max`), where the next
 * taker starts looking; a number claimed meanwhile is skipped.
 */
const schema = new Schema({ _id: String, value: Number }, { versionKey: false });
const claimSchema = new Schema({ _id: String }, { versionKey: false });

export const counterModel = (conn: Connection) => conn.model('Counter', schema, 'counters');
export const counterClaimModel = (conn: Connection) => conn.model('CounterClaim', claimSchema, 'counter_claims');

const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;

/**
 * The case number a key stands for (a schedule's run for a day, an SLA's review for a month): taken
 * once and kept in `collection` by the key, so however often, and however many at once, ask for
 * the key, they get the same number.
 */
export async function numberOnce(model: ReturnType<typeof counterModel>, collection: string, key: string, take: () => Promise<string>): Promise<string> {
  const kept = model.db.collection<{ _id: string; number: string }>(collection);
  const held = (await kept.findOne({ _id: key }))?.number;
  if (held) return held;
  const number = await take();
  try {
    await kept.insertOne({ _id: key, number });
    return number;
  } catch (err) {
    if (!isDuplicate(err)) throw err;
    return (await kept.findOne({ _id: key }))!.number; // another asked at the same moment: theirs is kept
  }
}

export async function nextNumber(model: ReturnType<typeof counterModel>, prefix: string): Promise<number> {
  const claims = model.db.collection('counter_claims');
  const latest = (await model.collection.findOne({ _id: prefix as never }))?.value as number | undefined;
  let n = (latest ?? 0) + 1;
  for (;;) {
    try {
      await claims.insertOne({ _id: `${prefix}:${n}` } as never);
      break;
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      n++;
    }
  }
  try {
    await model.collection.updateOne({ _id: prefix as never }, { $max: { value: n } }, { upsert: true });
  } catch (err) {
    // two first numbers at once both created the counter: the other's is there, raise it
    if (!isDuplicate(err)) throw err;
    await model.collection.updateOne({ _id: prefix as never }, { $max: { value: n } });
  }
  return n;
}
