/**
 * Indexed access paths, the only way the product reads more than one document by its `_id`.
 *
 * Every query names the index that serves it (a `hint`): MongoDB then uses exactly that index,
 * and the embedded FerretDB (built with stack/ferretdb/iso20k-pushdown.patch) hands the whole
 * query, filter, sort, limit and count, to SQLite on that index instead of reading the
 * collection. The contract of a hinted query: every field it filters or sorts on holds a scalar
 * (string, number, boolean, date or null), never an array, in every document.
 *
 * Lists page by keyset (the sort values of the last item), never by offset: a deep page costs
 * what the first one does.
 */
import { mongo, type Model } from 'mongoose';

export type Direction = 1 | -1;
/** sort keys in order; the last one is unique (`_id`), so the order is total */
export type SortKeys = ReadonlyArray<readonly [string, Direction]>;
export type Filter = Record<string, unknown>;
export type Scalar = string | number | boolean | null;

interface DeclaredIndex {
  name: string;
  keys: Array<[string, Direction]>;
}

const OPERATORS_OF_EQUALITY = new Set(['$eq']);
const RANGE_OPERATORS = new Set(['$gt', '$gte', '$lt', '$lte']);

function declaredIndexes(model: Model<any>): DeclaredIndex[] {
  const out: DeclaredIndex[] = [{ name: '_id_', keys: [['_id', 1]] }];
  for (const [fields, options] of model.schema.indexes()) {
    const name = (options as { name?: string }).name;
    if (!name) throw new Error(`${model.modelName}: every index is declared with a name (hints name it)`);
    out.push({ name, keys: Object.entries(fields as Record<string, Direction>) });
  }
  return out;
}

const cache = new WeakMap<Model<any>, DeclaredIndex[]>();
function indexesOf(model: Model<any>): DeclaredIndex[] {
  let found = cache.get(model);
  if (!found) cache.set(model, (found = declaredIndexes(model)));
  return found;
}

/** Fields the filter pins to one value: the ones an index prefix can serve. */
export function equalityFields(filter: Filter): string[] {
  return Object.entries(filter)
    .filter(([k, v]) => !k.startsWith('$') && (isScalar(v) || (isOperatorDoc(v) && Object.keys(v).every((op) => OPERATORS_OF_EQUALITY.has(op)))))
    .map(([k]) => k);
}

function isScalar(v: unknown): boolean {
  return v === null || v instanceof Date || ['string', 'number', 'boolean'].includes(typeof v);
}
function isOperatorDoc(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !(v instanceof Date) && !Array.isArray(v) && Object.keys(v).every((k) => k.startsWith('$'));
}

/**
 * The index that serves a filter and a sort: its leading keys are fields the filter pins, and the
 * keys after them are the sort keys (in their directions, or all reversed). The most pinned keys
 * win; what the filter asks beyond them is checked on the index's entries in order.
 */
export function indexFor(model: Model<any>, filter: Filter, sort: SortKeys = []): string {
  const pinned = new Set(equalityFields(filter));
  const ranged = new Set(Object.keys(filter).filter((k) => !pinned.has(k) && isOperatorDoc(filter[k]) && Object.keys(filter[k] as object).some((op) => RANGE_OPERATORS.has(op))));
  let best: { name: string; score: number; width: number } | undefined;
  for (const ix of indexesOf(model)) {
    let n = 0;
    while (n < ix.keys.length && pinned.has(ix.keys[n][0])) n++;
    if (!servesSort(ix.keys.slice(n), sort)) continue;
    // a range on the key after the pinned ones is served by the index too (a count of a period)
    const score = n + (n < ix.keys.length && ranged.has(ix.keys[n][0]) ? 0.5 : 0);
    if (!best || score > best.score || (score === best.score && ix.keys.length < best.width)) best = { name: ix.name, score, width: ix.keys.length };
  }
  if (!best) throw new Error(`${model.modelName}: no declared index serves the sort ${JSON.stringify(sort)} (declare one)`);
  return best.name;
}

function servesSort(rest: Array<[string, Direction]>, sort: SortKeys): boolean {
  if (sort.length === 0) return true;
  if (rest.length < sort.length) return false;
  const same = sort.every(([f, d], i) => rest[i][0] === f && rest[i][1] === d);
  const reversed = sort.every(([f, d], i) => rest[i][0] === f && rest[i][1] === -d);
  return same || reversed;
}

export interface Page<T> {
  items: T[];
  /** the sort values of the last item when there are more, for the next page */
  next: Scalar[] | null;
}

/**
 * One page of a list in sort order, after the given sort values (keyset pagination). With several
 * sort keys the keyset is split into one indexed range query per key (k0 = a, k1 < b; then k0 < a),
 * so every query stays an index range.
 */
export async function listPage<T = Record<string, unknown>>(
  model: Model<any>,
  opts: { filter: Filter; sort: SortKeys; limit: number; after?: Scalar[] | null; projection?: Record<string, 0 | 1> },
): Promise<Page<T>> {
  const { filter, sort, limit } = opts;
  const ranges: Filter[] = [];
  if (opts.after) {
    if (opts.after.length !== sort.length) throw new Error('a cursor carries one value per sort key');
    const after = opts.after.map((v, i) => fromScalar(model, sort[i][0], v));
    for (let i = sort.length - 1; i >= 0; i--) {
      const cond: Filter = {};
      for (let j = 0; j < i; j++) cond[sort[j][0]] = after[j];
      cond[sort[i][0]] = { [sort[i][1] === 1 ? '$gt' : '$lt']: after[i] };
      ranges.push(cond);
    }
  } else {
    ranges.push({});
  }
  const items: T[] = [];
  for (const range of ranges) {
    const want = limit + 1 - items.length;
    if (want <= 0) break;
    const q = mergeFilter(filter, range);
    const docs = await model.collection
      .find(q, { hint: indexFor(model, q, sortAfterPins(sort, range)), sort: Object.fromEntries(sort), limit: want, projection: opts.projection })
      .toArray();
    items.push(...(docs as T[]));
  }
  const more = items.length > limit;
  const page = items.slice(0, limit);
  const last = page[page.length - 1] as Record<string, unknown> | undefined;
  return { items: page, next: more && last ? cursorOf(last, sort) : null };
}

/** The sort values of a document, as a cursor carries them. */
export function cursorOf(doc: Record<string, unknown>, sort: SortKeys): Scalar[] {
  return sort.map(([f]) => toScalar(doc[f]));
}

/** The sort keys a sub-query of the keyset still orders by, once its leading keys are pinned. */
function sortAfterPins(sort: SortKeys, range: Filter): SortKeys {
  let i = 0;
  while (i < sort.length && range[sort[i][0]] !== undefined && !isOperatorDoc(range[sort[i][0]])) i++;
  return sort.slice(i);
}

function mergeFilter(filter: Filter, range: Filter): Filter {
  const out: Filter = { ...filter };
  for (const [k, v] of Object.entries(range)) {
    // a pinned value from the cursor lies within the filter's own range already: it replaces it
    if (isOperatorDoc(v) && out[k] !== undefined && isOperatorDoc(out[k])) out[k] = { ...(out[k] as object), ...v };
    else out[k] = v;
  }
  return out;
}

/** A sort value as a cursor carries it: dates as epoch ms, object ids as hex. */
function toScalar(v: unknown): Scalar {
  if (v instanceof Date) return v.getTime();
  if (v === undefined) return null;
  if (v instanceof mongo.ObjectId) return v.toHexString();
  return v as Scalar;
}

/** A cursor's value as the field holds it, so the next page compares like with like. */
function fromScalar(model: Model<any>, field: string, v: Scalar): unknown {
  const type = model.schema.path(field)?.instance;
  if (type === 'ObjectId' && typeof v === 'string' && mongo.ObjectId.isValid(v)) return new mongo.ObjectId(v);
  if (type === 'Date' && typeof v === 'number') return new Date(v);
  return v;
}

/** How many documents match, counted on the index (never by reading them). */
export async function countIndexed(model: Model<any>, filter: Filter): Promise<number> {
  const res = await model.db.db!.command({ count: model.collection.collectionName, query: filter, hint: indexFor(model, filter) });
  return res.n as number;
}

/** All documents matching a filter on an index, for lists a case owns (bounded by the caller). */
export async function findIndexed<T = Record<string, unknown>>(
  model: Model<any>,
  filter: Filter,
  opts: { sort?: SortKeys; limit: number; projection?: Record<string, 0 | 1> },
): Promise<T[]> {
  const sort = opts.sort ?? [];
  const docs = await model.collection
    .find(filter, { hint: indexFor(model, filter, sort), sort: sort.length ? Object.fromEntries(sort) : undefined, limit: opts.limit, projection: opts.projection })
    .toArray();
  return docs as T[];
}

/** The first document in sort order matching a filter, on an index. */
export async function findOneIndexed<T = Record<string, unknown>>(model: Model<any>, filter: Filter, sort: SortKeys = [], projection?: Record<string, 0 | 1>): Promise<T | null> {
  return (await findIndexed<T>(model, filter, { sort, limit: 1, projection }))[0] ?? null;
}

/** Cursor values travel as opaque base64url text. */
export function encodeCursor(values: Scalar[] | null): string | null {
  return values ? Buffer.from(JSON.stringify(values)).toString('base64url') : null;
}

export function decodeCursor(text: string, keys: number): Scalar[] | null {
  try {
    const v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === keys && v.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x))) return v as Scalar[];
  } catch {
    /* not one of ours */
  }
  return null;
}
