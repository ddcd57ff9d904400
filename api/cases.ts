/**
 * What every process's routes share: opening a case under its next number, and reading a case's
 * history from the audit trail.
 */
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Response } from 'express';
import type { Models } from '../models';
import { nextNumber } from '../models/counter';
import { COMMAND_DEADLINE_MS, isDeadline, processUnavailable } from './commands';
import { HistoryEntry } from './lists';

/**
 * Starts a case's workflow under the next number of its counter and answers once the case is
 * recorded. The number is the workflow id and is never reused, not even a closed case's; should
 * Temporal already hold it (a database restored behind its back), the number is skipped. A
 * workflow that does not answer in time is a 503 naming the number it was opened under.
 */
export async function openCase<View>(
  opts: { client: Client; models: Models; counter: string; format: (n: number) => string; path: string; res: Response; opened: UpdateDefinition<View, []> },
  start: (number: string, common: { workflowId: string; workflowIdReusePolicy: 'REJECT_DUPLICATE' }) => Promise<WorkflowHandle>,
): Promise<View> {
  for (let attempt = 0; ; attempt++) {
    const number = opts.format(await nextNumber(opts.models.Counter, opts.counter));
    let handle: WorkflowHandle;
    try {
      handle = await start(number, { workflowId: number, workflowIdReusePolicy: 'REJECT_DUPLICATE' });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError && attempt < 20) continue;
      throw err;
    }
    opts.res.location(`${opts.path}/${number}`);
    try {
      return await opts.client.withDeadline(Date.now() + COMMAND_DEADLINE_MS, () => handle.executeUpdate(opts.opened));
    } catch (err) {
      if (isDeadline(err)) throw processUnavailable(`${number} is opened but its process did not answer in time: is a worker running? It will appear at ${opts.path}/${number}`, { number });
      throw err;
    }
  }
}

/** A case's history as the audit trail keeps it: who, when, from, to, note. */
export async function caseHistory(models: Models, number: string) {
  const entries = await models.Audit.find({ caseId: number }, { _id: 0, caseId: 0, caseType: 0 }).sort({ seq: 1 }).lean();
  return { number, items: entries.map((e) => HistoryEntry.parse(e)) };
}
