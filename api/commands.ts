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

export async function sendCommand<Ret, Arg>(
  client: Client,
  caseId: string,
  def: UpdateDefinition<Ret, [Arg]>,
  arg: Arg,
  currentState: () => Promise<string>,
): Promise<Ret> {
  try {
    return await client.withDeadline(Date.now() + COMMAND_DEADLINE_MS, () => client.workflow.getHandle(caseId).executeUpdate(def, { args: [arg] }));
  } catch (err) {
    throw await toProblem(err, caseId, currentState);
  }
}

async function toProblem(err: unknown, caseId: string, currentState: () => Promise<string>): Promise<unknown> {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const f = err.cause;
    const state = (f.details?.[0] as { state?: string } | undefined)?.state ?? (await currentState());
    if (f.type === 'forbidden') return forbidden(f.message);
    if (f.type === 'conflict') return illegalTransition(f.message, state);
    if (f.type === 'invalid') return badRequest(f.message);
  }
  // the workflow finished between our read of the record and the command: the case is final
  // (currentState answers 404 itself when there is no such case at all)
  if (err instanceof WorkflowNotFoundError) {
    const state = await currentState();
    return illegalTransition(`${caseId} is ${state}: it takes no more commands`, state);
  }
  if (isDeadline(err)) return processUnavailable(`${caseId} did not answer within ${COMMAND_DEADLINE_MS / 1000}s: is a worker running? Nothing was changed unless the history shows it`);
  return err;
}
