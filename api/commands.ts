/**
 * Sending a command to a case's workflow as an update, and turning the workflow's refusals into
 * HTTP: forbidden → 403, conflict → 409 (with the case's state), invalid → 400. Shared by every
 * process's routes.
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { badRequest, forbidden, HttpProblem, illegalTransition, notFound } from './problem';

export async function sendCommand<Ret, Arg>(
  client: Client,
  caseId: string,
  def: UpdateDefinition<Ret, [Arg]>,
  arg: Arg,
  currentState: () => Promise<string>,
): Promise<Ret> {
  try {
    return await client.workflow.getHandle(caseId).executeUpdate(def, { args: [arg] });
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
  if (err instanceof WorkflowNotFoundError) return notFound(`${caseId} has no running process`);
  // an update to a workflow that has just completed: the case is final
  if (err instanceof Error && /already completed/i.test(err.message)) {
    const state = await currentState();
    return illegalTransition(`${caseId} is ${state}: it takes no more commands`, state);
  }
  return err instanceof HttpProblem ? err : err;
}
