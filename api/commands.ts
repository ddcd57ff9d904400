/**
 * Sending a command to a case's workflow as an update, and turning the workflow's refusals into
 * HTTP: forbidden → 403, conflict → 409 (with the case's state), invalid → 400. A process that
 * does not answer in time (no worker) is a 503, never a hanging request. Shared by every process.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { Models } from '../models';
import { claimKey, IDEMPOTENCY_HEADER, updateIdOf, type Idempotency } from './idempotency';
import { badRequest, forbidden, HttpProblem, illegalTransition } from './problem';
import { commandOutcome } from '../workflows/case';

/** How long a command may wait for its workflow to answer. */
export const COMMAND_DEADLINE_MS = 15_000;

export const processUnavailable = (detail: string, extra: Record<string, unknown> = {}) =>
  new HttpProblem(503, 'process-unavailable', 'The process did not answer in time', detail, extra);

/** A call to Temporal that ran past its deadline (gRPC's code for it, DEADLINE_EXCEEDED). */
class PastDeadline extends Error {
  readonly code = 4;
}

/**
 * Runs a call to Temporal within `deadline`: gRPC's deadline on each attempt, and the whole call
 * cancelled at the deadline, since the client's own retries (Temporal out of reach) would run on
 * past it. Past the deadline it rejects as DEADLINE_EXCEEDED (see isDeadline).
 */
export async function withinDeadline<R>(client: Client, deadline: number, fn: () => Promise<R>): Promise<R> {
  const ms = Math.max(1, deadline - Date.now());
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new PastDeadline(`no answer within ${Math.round(ms / 1000)} s`));
    }, ms);
  });
  const call = client.withAbortSignal(abort.signal, () => client.withDeadline(deadline, fn));
  call.catch(() => undefined); // answered by `late` once past the deadline
  try {
    return await Promise.race([call, late]);
  } finally {
    clearTimeout(timer);
  }
}

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
 *
 * With an `Idempotency-Key` the update's id is made from it: Temporal answers a repeat with the
 * first outcome while the case runs, and after it has closed the outcome is still asked for by
 * that id (of the run that took it, or, when that was an earlier run, of the case's memory), so a
 * command is not answered 409 for its own success when repeated.
 */
export async function sendCommand<Ret, Arg>(
  client: Client,
  caseId: string,
  def: UpdateDefinition<Ret, [Arg]>,
  arg: Arg,
  gone: () => Promise<HttpProblem | string>,
  keyed?: { idempotency?: Idempotency; models: Models },
): Promise<Ret> {
  const idem = keyed?.idempotency;
  if (idem) await claimKey(keyed!.models, idem);
  const updateId = idem ? updateIdOf(idem) : undefined;
  const deadline = Date.now() + COMMAND_DEADLINE_MS;
  try {
    return await withinDeadline(client, deadline, () => client.workflow.getHandle(caseId).executeUpdate(def, { args: [arg], ...(updateId ? { updateId } : {}) }));
  } catch (err) {
    if (updateId && isGone(err)) {
      const earlier = await withinDeadline(client, deadline, () => client.workflow.getHandle(caseId).getUpdateHandle<Ret>(updateId).result())
        .then((value) => ({ value }), (e: unknown) => ({ error: e }));
      if ('value' in earlier) return earlier.value;
      if (earlier.error instanceof WorkflowUpdateFailedError) throw await toProblem(earlier.error, caseId, gone, idem);
      // taken by an earlier run of the case than its last: the last run remembers its outcome
      const carried = await withinDeadline(client, deadline, () => client.workflow.getHandle(caseId).query(commandOutcome, updateId))
        .catch(() => null);
      if (carried) return carried as Ret;
    }
    throw await toProblem(err, caseId, gone, idem);
  }
}

async function toProblem(err: unknown, caseId: string, gone: () => Promise<HttpProblem | string>, idem?: Idempotency): Promise<unknown> {
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
  if (isDeadline(err)) {
    return processUnavailable(
      `${caseId} did not answer within ${COMMAND_DEADLINE_MS / 1000}s: is a worker running? The command may still be applied; ` +
        (idem ? `retry with the same ${IDEMPOTENCY_HEADER} to learn its outcome` : `read the case's history before sending it again, or send it with an ${IDEMPOTENCY_HEADER}`),
    );
  }
  return err;
}

/** Another request with the same key is being handled. */
export const keyInUse = () =>
  new HttpProblem(409, 'idempotency-key-in-use', 'Idempotency-Key in use', `a request with this ${IDEMPOTENCY_HEADER} is being handled: retry in a moment`, {});
