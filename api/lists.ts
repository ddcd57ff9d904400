/**
 * Lists, the same for every resource: filtered on an index, newest (or most urgent) first, paged
 * by an opaque cursor (`next` of one page is the `cursor` of the following one), with the total
 * counted on the index.
 */
import type { Model } from 'mongoose';
import { z } from 'zod';
import type { Models } from '../models';
import { countIndexed, cursorOf, decodeCursor, encodeCursor, findIndexed, listPage, type Filter, type SortKeys } from '../models/query';
import { badRequest } from './problem';

export const Page = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(2000).optional(),
});
export type PageQuery = z.infer<typeof Page>;

/** The fields every list answer has besides its items (for the OpenAPI document). */
export const PageFields = {
  total: z.number().int().describe('how many match, counted on the index'),
  limit: z.number().int(),
  next: z.string().nullable().describe('the cursor of the next page; null on the last page'),
};

/**
 * One page of a list. `filters` are alternatives (a person's own cases, or those of their groups):
 * each is a list of its own on an index, merged in sort order; they must not overlap, or `total`
 * counts an item twice (pass `overlap` to count it once).
 */
export async function pageOf<T>(
  model: Model<any>,
  filters: Filter | Filter[],
  sort: SortKeys,
  query: PageQuery,
  map: (doc: any) => Promise<T> | T,
  opts: { overlap?: Filter[]; projection?: Record<string, 0 | 1> } = {},
) {
  const after = query.cursor ? decodeCursor(query.cursor, sort.length) : null;
  if (query.cursor && !after) throw badRequest('cursor: not a cursor of this list (pass the `next` of the previous page as it came)', [{ in: 'query', path: 'cursor', message: 'not a cursor of this list' }]);
  const list = Array.isArray(filters) ? filters : [filters];
  const pages = await Promise.all(list.map((filter) => listPage<Record<string, unknown>>(model, { filter, sort, limit: query.limit, after, projection: opts.projection })));
  const merged = mergeSorted(pages.map((p) => p.items), sort);
  const items = merged.slice(0, query.limit);
  const more = merged.length > query.limit || pages.some((p) => p.next !== null);
  const last = items[items.length - 1];
  const [counts, overlaps] = await Promise.all([Promise.all(list.map((f) => countIndexed(model, f))), Promise.all((opts.overlap ?? []).map((f) => countIndexed(model, f)))]);
  return {
    items: await Promise.all(items.map(map)),
    total: counts.reduce((a, b) => a + b, 0) - overlaps.reduce((a, b) => a + b, 0),
    limit: query.limit,
    next: more && last ? encodeCursor(cursorOf(last, sort)) : null,
  };
}

function compare(a: Record<string, unknown>, b: Record<string, unknown>, sort: SortKeys): number {
  for (const [f, d] of sort) {
    const x = a[f] instanceof Date ? (a[f] as Date).getTime() : a[f];
    const y = b[f] instanceof Date ? (b[f] as Date).getTime() : b[f];
    if (x === y) continue;
    if (x === null || x === undefined) return -d;
    if (y === null || y === undefined) return d;
    return (x! < y! ? -1 : 1) * d;
  }
  return 0;
}

/** Items of several sorted lists in one order, each once (alternatives may share an item). */
function mergeSorted(lists: Array<Array<Record<string, unknown>>>, sort: SortKeys): Array<Record<string, unknown>> {
  const seen = new Set<unknown>();
  return lists
    .flat()
    .sort((a, b) => compare(a, b, sort))
    .filter((d) => (seen.has(String(d._id)) ? false : (seen.add(String(d._id)), true)));
}

/** One entry of a case history, as the audit trail stores it. */
export const HistoryEntry = z
  .object({
    seq: z.number(),
    action: z.string(),
    from: z.string().nullable().optional(),
    to: z.string().nullable().optional(),
    by: z.string(),
    at: z.date().transform((d) => d.toISOString()),
    note: z.string().nullable().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .transform((e) => ({ ...e, from: e.from ?? null, to: e.to ?? null, note: e.note ?? null }));

/** How many links of one value a list reads at most (a CI's changes, a person's approvals). */
export const LINKS_READ_LIMIT = 2_000;

/**
 * The documents that hold a value in a list-valued field (the changes of a CI, the approvals of a
 * person), through their links: newest first by the link's sort key (or oldest first), filtered
 * further in memory, paged by cursor. Reads at most LINKS_READ_LIMIT links per value.
 */
export async function linkedTargets<T extends Record<string, unknown>>(
  models: Models,
  target: Model<any>,
  keys: string[],
  opts: { open?: boolean; direction: 1 | -1; accept?: (doc: T) => boolean },
): Promise<Array<T & { _linkAt: number }>> {
  const links = (
    await Promise.all(keys.map((k) => findIndexed<{ target: string; at: number }>(models.Link, opts.open === undefined ? { k } : { k, open: opts.open }, { sort: [['at', opts.direction], ['target', opts.direction]], limit: LINKS_READ_LIMIT, projection: { target: 1, at: 1 } })))
  ).flat();
  const byTarget = new Map(links.map((l) => [l.target, l.at]));
  const docs = await Promise.all([...byTarget.keys()].map((id) => target.collection.findOne({ _id: id as never })));
  return docs
    .filter((d): d is NonNullable<typeof d> => d !== null)
    .map((d) => ({ ...(d as unknown as T), _linkAt: byTarget.get(String(d._id))! }))
    .filter((d) => !opts.accept || opts.accept(d))
    .sort((a, b) => (a._linkAt - b._linkAt || (String(a._id) < String(b._id) ? -1 : 1)) * opts.direction);
}

/** A page of documents already in order, by cursor (the sort values of its last item). */
export function pageInMemory<T extends { _id?: unknown; _linkAt: number }, V>(docs: T[], query: PageQuery, direction: 1 | -1, map: (d: T) => V) {
  const after = query.cursor ? decodeCursor(query.cursor, 2) : null;
  if (query.cursor && !after) throw badRequest('cursor: not a cursor of this list (pass the `next` of the previous page as it came)', [{ in: 'query', path: 'cursor', message: 'not a cursor of this list' }]);
  const from = after ? docs.findIndex((d) => (d._linkAt - (after[0] as number)) * direction > 0 || (d._linkAt === after[0] && (String(d._id) > String(after[1]) ? 1 : -1) * direction > 0)) : 0;
  const rest = from < 0 ? [] : docs.slice(from);
  const items = rest.slice(0, query.limit);
  const last = items[items.length - 1];
  return { items: items.map(map), total: docs.length, limit: query.limit, next: rest.length > query.limit && last ? encodeCursor([last._linkAt, String(last._id)]) : null };
}

/** How many entries a search reads at most, in index order, to find its matches. */
export const SEARCH_READ_LIMIT = 5_000;

/**
 * A free-text search over an indexed list: the list is read in index order (at most
 * SEARCH_READ_LIMIT entries) and matched in memory, then paged by cursor like a link list.
 */
export async function searchIndexed<T extends Record<string, unknown>>(model: Model<any>, filter: Filter, sort: SortKeys, accept: (doc: T) => boolean): Promise<Array<T & { _linkAt: number }>> {
  const docs = await findIndexed<T>(model, filter, { sort, limit: SEARCH_READ_LIMIT });
  return docs.filter(accept).map((d, i) => ({ ...d, _linkAt: i }));
}
