import { Schema, type Connection } from 'mongoose';

/** Case-number counters, one per prefix (INC, CHG, …). */
const schema = new Schema({ _id: String, value: Number }, { versionKey: false });

export const counterModel = (conn: Connection) => conn.model('Counter', schema, 'counters');

export async function nextNumber(model: ReturnType<typeof counterModel>, prefix: string): Promise<number> {
  const doc = await model.findOneAndUpdate({ _id: prefix }, { $inc: { value: 1 } }, { upsert: true, new: true }).lean();
  return doc!.value as number;
}
