/**
 * The shape every case record shares in the database: its `_id` is the case number (unique,
 * immutable, the workflow id too), so reading one case is a primary-key lookup; `open` is false
 * once the case reached a final state; `seq` is the sequence of the last transition written.
 * The fields a process lists by are declared with the indexes that serve its lists.
 */
import { Schema, type SchemaDefinition } from 'mongoose';

export type IndexKeys = Record<string, 1 | -1>;

/** Final states of every process: a case in one of them takes no more commands. */
export const FINAL_STATES: readonly string[] = ['closed', 'cancelled', 'rejected', 'rolled_back'];
export const isOpenState = (state: string) => !FINAL_STATES.includes(state);

/**
 * @param fields  the fields lists filter on (the rest of the record is stored as given)
 * @param lists   named indexes, each ending in `_id: -1` so lists come newest first
 */
export function caseRecordSchema(fields: SchemaDefinition, lists: Record<string, IndexKeys>): Schema {
  const schema = new Schema(
    {
      _id: { type: String },
      number: { type: String, required: true },
      state: { type: String, required: true },
      open: { type: Boolean, required: true },
      openedAt: Number,
      seq: Number,
      ...fields,
    },
    { versionKey: false, strict: false, minimize: false },
  );
  const all: Record<string, IndexKeys> = {
    open_id: { open: 1, _id: -1 },
    state_id: { state: 1, _id: -1 },
    openedAt: { openedAt: -1 },
    ...lists,
  };
  for (const [name, keys] of Object.entries(all)) schema.index(keys, { name });
  return schema;
}

/**
 * What the database keeps of a record besides the record itself: the fields lists filter on that
 * the workflow does not hold as such (`open`, a flag, a flattened key), and the values of its
 * list-valued fields, found through the case links.
 */
export interface StoredShape<R> {
  derive(record: R): Record<string, unknown>;
  links?(record: R): Array<{ field: string; value: string }>;
  /** the sort key of its links: when the case opened, when the approval is due */
  linkAt(record: R): number;
}

export const plainCase = <R extends { state: string; openedAt?: number }>(extra: (r: R) => Record<string, unknown> = () => ({})): StoredShape<R> => ({
  derive: (r) => ({ open: isOpenState(r.state), ...extra(r) }),
  linkAt: (r) => r.openedAt ?? 0,
});
