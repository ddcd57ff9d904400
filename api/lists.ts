/** Paginated lists and history entries, the same for every resource. */
import type { Model } from 'mongoose';
import { z } from 'zod';

export const Page = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export async function pageOf<T>(
  model: Model<any>,
  filter: Record<string, unknown>,
  sort: Record<string, 1 | -1>,
  limit: number,
  offset: number,
  map: (doc: any) => Promise<T> | T,
) {
  const [docs, total] = await Promise.all([
    model.find(filter, { _id: 0 }).sort(sort).skip(offset).limit(limit).lean(),
    model.countDocuments(filter),
  ]);
  return { items: await Promise.all(docs.map(map)), total, limit, offset };
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
