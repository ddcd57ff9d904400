/**
 * What every process's routes share: opening a case under its next number, reading one case by
 * its number, and reading its history from the audit trail.
 */
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Workflow } from '@temporalio/common';
import type { Response } from 'express';
import type { Model } from 'mongoose';
import { z } from 'zod';
import type { Models } from '../models';
import { nextNumber, numberOnce } from '../models/counter';
import { decodeCursor, encodeCursor, findIndexed, listPage } from '../models/query';
import { COMMAND_DEADLINE_MS, isDeadline, keyInUse, processUnavailable, withinDeadline } from './commands';
import { claimKey, IDEMPOTENCY_HEADER, rememberCase, updateIdOf, type Idempotency } from './idempotency';
import { HistoryEntry } from './lists';
import { badRequest } from './problem';

/** Fields the database keeps for its indexes, not part of a case as its process defines it. */
const STORED_ONLY = ['_id', 'open', 'kedb', 'trendKey', 'catalogItemId', 'plannedStartAt', 'plannedEndAt', 'implementedAt', 'resolutionDueAt', 'atRisk', 'serviceId', 'slaId', 'windowStartAt', 'windowEndAt', '_linkAt'] as const;

export function fromStore<R>(doc: Record<string, unknown>): R {
  const out = { ...doc };
  for (const f of STORED_ONLY) delete out[f];
  return out as R;
}

/** A case with the approvals and tasks its process opened, oldest first. */
export async function withWork<R extends { number: string }>(models: Models, rec: R, opts: { approvals: boolean } = { approvals: true }) {
  const [approvals, tasks] = await Promise.all([
    opts.approvals ? findIndexed(models.Approval, { caseId: rec.number }, { sort: [['openedAt', 1], ['_id', 1]], limit: 1000 }) : Promise.resolve([]),
    findIndexed(models.Task, { caseId: rec.number }, { sort: [['createdAt', 1], ['_id', 1]], limit: 1000 }),
  ]);
  return { ...rec, ...(opts.approvals ? { approvals: approvals.map((a) => fromStore(a)) } : {}), tasks: tasks.map((t) => fromStore(t)) };
}

/** One case by its number: a primary-key read. */
export async function loadCase<R>(model: Model<any>, number: string): Promise<R | null> {
  const doc = await model.collection.findOne({ _id: number as never });
  return doc ? fromStore<R>(doc) : null;
}

/**
 * Starts a case's workflow under the next number of its counter and answers once the case is
 * recorded, in one round trip to Temporal (update-with-start). The number is the workflow id and
 * is never reused, not even a closed case's; should Temporal already hold it (a database restored
 * behind its back), the number is skipped. A workflow that does not answer in time is a 503
 * naming the number it was opened under.
 *
 * With an `Idempotency-Key`, the number is remembered with the key before the workflow starts, and
 * a repeat of the request answers that case (starting its workflow if the first attempt never got
 * that far) with the answer Temporal kept for the first `opened` update: never a second case.
 */
export async function openCase<View, W extends Workflow>(
  opts: {
    client: Client;
    models: Models;
    counter: string;
    format: (n: number) => string;
    path: string;
    res: Response;
    opened: UpdateDefinition<View, []>;
    taskQueue: string;
    idempotency?: Idempotency;
    /**
     * one case per key (an SLA's review of a period): the number is taken once for the key and kept
     * in `collection` (models/counter numberOnce), and a case already opened for it is `exists`
     */
    once?: { collection: string; key: string; exists: (number: string) => Error };
  },
  workflow: W,
  args: (number: string) => [Parameters<W>[0]],
): Promise<View> {
  const idem = opts.idempotency;
  let number: string | undefined;
  if (idem) {
    const claim = await claimKey(opts.models, idem);
    if (!claim.first) {
      if (claim.caseId) number = claim.caseId;
      // the first request is still taking its number (or died before it had one)
      else if (Date.now() - claim.at.getTime() < COMMAND_DEADLINE_MS * 2) throw keyInUse();
      if (number) opts.res.setHeader('Idempotent-Replayed', 'true');
    }
  }
  const again = number !== undefined;
  const updateId = idem ? updateIdOf(idem) : undefined;
  for (let attempt = 0; ; attempt++) {
    if (number === undefined) {
      const take = async () => opts.format(await nextNumber(opts.models.Counter, opts.counter));
      number = opts.once ? await numberOnce(opts.models.Counter, opts.once.collection, opts.once.key, take) : await take();
      if (idem) await rememberCase(opts.models, idem, number);
    }
    const caseNumber = number;
    const startWorkflowOperation = new WithStartWorkflowOperation(workflow, {
      workflowId: caseNumber,
      taskQueue: opts.taskQueue,
      args: args(caseNumber),
      workflowIdConflictPolicy: again ? 'USE_EXISTING' : 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    } as unknown as ConstructorParameters<typeof WithStartWorkflowOperation<W>>[1]);
    try {
      const view = await withinDeadline(opts.client, Date.now() + COMMAND_DEADLINE_MS, () =>
        opts.client.workflow.executeUpdateWithStart(opts.opened, { startWorkflowOperation, ...(updateId ? { updateId } : {}) }),
      );
      opts.res.location(`${opts.path}/${caseNumber}`);
      return view;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        // a repeated create whose case has closed since: Temporal still holds the first answer
        if (again && updateId) {
          opts.res.location(`${opts.path}/${caseNumber}`);
          return withinDeadline(opts.client, Date.now() + COMMAND_DEADLINE_MS, () => opts.client.workflow.getHandle(caseNumber).getUpdateHandle<View>(updateId).result());
        }
        if (opts.once) throw opts.once.exists(caseNumber);
        if (attempt < 20) {
          number = undefined;
          continue;
        }
      }
      if (isDeadline(err)) {
        opts.res.location(`${opts.path}/${caseNumber}`);
        throw processUnavailable(
          `${caseNumber} is opened but its process did not answer in time: is a worker running? It will appear at ${opts.path}/${caseNumber}` +
            (idem ? `; the same request with the same ${IDEMPOTENCY_HEADER} answers it` : ''),
          { number: caseNumber },
        );
      }
      throw err;
    }
  }
}

export const HistoryQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(500),
  cursor: z.string().min(1).max(200).optional(),
});

/** A case's history as the audit trail keeps it, in order: who, when, from, to, note. */
export async function caseHistory(models: Models, number: string, query: z.infer<typeof HistoryQuery> = { limit: 500 }) {
  const after = query.cursor ? decodeCursor(query.cursor, 1) : null;
  if (query.cursor && !after) throw badRequest('cursor: not a cursor of this history', [{ in: 'query', path: 'cursor', message: 'not a cursor of this history' }]);
  const page = await listPage<Record<string, unknown>>(models.Audit, {
    filter: { caseId: number },
    sort: [['seq', 1]],
    limit: query.limit,
    after,
    projection: { _id: 0, caseId: 0, caseType: 0 },
  });
  return { number, items: page.items.map((e) => HistoryEntry.parse(e)), next: encodeCursor(page.next) };
}
