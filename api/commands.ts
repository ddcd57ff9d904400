/**
 * Sending a command to a case's workflow as an update, and turning the workflow's refusals into
 * HTTP: forbidden → 403, conflict → 409 (with the case's state), invalid → 400. A process that
 * does not answer in time (no worker) is a 503, never a hanging request. Shared by every process.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { badRequest, forbidden, HttpProblem, illegalTransition } from './problem';

/** How long a command may wait for its workflow to answer. */
export const COMMAND_DEADLINE_MS = 15_000;

export const processUnavailable = (detail: string, extra: Record<string, unknown> = {}) =>
  new HttpProblem(503, 'process-unavailable', 'The process did not answer in time', detail, extra);

export function isDeadline(err: unknown): boolean {
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  const code = (e: unknown) => (e as { code?: number } | undefined)?.code;
  return code(err) === 4 || code((err as { cause?: unknown })?.cause) === 4; // gRPC DEADLINE_EXCEEDED
}

/** The workflow of the case ended (or never ran) before the update reached it. */
function isGone(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  const message = (e: unknown) => String((e as { message?: unknown } | undefined)?.message ?? '');
  return [err, (err as { cause?: unknown })?.cause].some((e) => /workflow execution already completed|completed before the update completed/i.test(message(e)));
}

/**
 * Sends a command and answers what the workflow answered. When the case's workflow is gone,
 * `gone` says why from the record: 404 (no such case), 403, or the state it ended in (409).
 */
export async function sendCommand<Ret, Arg>(
  client: Client,
  caseId: string,
  def: UpdateDefinition<Ret, [Arg]>,
  arg: Arg,
  gone: () => Promise<HttpProblem | string>,
): Promise<Ret> {
  try {
    return await client.withDeadline(Date.now() + COMMAND_DEADLINE_MS, () => client.workflow.getHandle(caseId).executeUpdate(def, { args: [arg] }));
  } catch (err) {
    throw await toProblem(err, caseId, gone);
  }
}

async function toProblem(err: unknown, caseId: string, gone: () => Promise<HttpProblem | string>): Promise<unknown> {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const f = err.cause;
    const state = (f.details?.[0] as { state?: string | null } | undefined)?.state ?? 'unknown';
    if (f.type === 'forbidden') return forbidden(f.message);
    if (f.type === 'conflict') return illegalTransition(f.message, state);
    if (f.type === 'invalid') return badRequest(f.message);
  }
  if (isGone(err)) {
    const why = await gone(); // throws the 404 itself when there is no such case
    return typeof why === 'string' ? illegalTransition(`${caseId} is ${why}: it takes no more commands`, why) : why;
  }
  if (isDeadline(err)) return processUnavailable(`${caseId} did not answer within ${COMMAND_DEADLINE_MS / 1000}s: is a worker running? Nothing was changed unless the history shows it`);
  return err;
}
