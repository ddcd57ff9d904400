/**
 * The shapes the API answers with, shared by every resource: they make the success responses of
 * the OpenAPI document, and the tests check every answer against them (api/route.ts `response`).
 * Strict objects: a field an answer carries is a field the document names.
 */
import { z } from 'zod';

/** an instant, as every answer writes one: ISO 8601 in UTC */
export const Instant = z.iso.datetime({ offset: true });
export const Comment = z.strictObject({ at: Instant, by: z.string(), text: z.string() });
export const VersionRef = z.strictObject({ id: z.string(), version: z.number().int() });

/** One page of a list: `next` is the cursor of the following page (null on the last). */
export const PageOf = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z.array(item),
    total: z.number().int().describe('how many match, counted on the index'),
    limit: z.number().int(),
    next: z.string().nullable().describe('the cursor of the next page; null on the last page'),
  });

/** One entry of a case's history (its audit trail). */
export const HistoryEntryAnswer = z.strictObject({
  seq: z.number().int(),
  action: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  by: z.string(),
  at: Instant,
  note: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export const HistoryPage = z.strictObject({ number: z.string(), items: z.array(HistoryEntryAnswer), next: z.string().nullable() });

/** An SLA clock as of the answer: business minutes used and left, when it falls due, its pauses. */
export const ClockAnswer = z.strictObject({
  status: z.enum(['running', 'paused', 'met', 'breached']),
  targetMinutes: z.number(),
  businessMinutesUsed: z.number(),
  businessMinutesRemaining: z.number(),
  percentUsed: z.number(),
  dueAt: Instant.nullable(),
  calendar: VersionRef,
  startedAt: Instant,
  stoppedAt: Instant.nullable(),
  warnedAt: Instant.nullable(),
  breachedAt: Instant.nullable(),
  pauses: z.array(z.strictObject({ from: Instant, to: Instant.nullable(), reason: z.string() })),
});

/** A whole list in one answer, not paged (a resource that has few: calendars, approval policies, delegations). */
export const ListOf = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item) });
