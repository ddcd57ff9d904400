import { ApplicationFailure } from '@temporalio/workflow';

export type RefusalKind = 'forbidden' | 'conflict' | 'invalid';

/** The failure a workflow throws to refuse a command; the API maps its type to 403, 409 or 400. */
export function refusal(r: { kind: RefusalKind; message: string }, state: string | undefined): ApplicationFailure {
  return ApplicationFailure.create({ type: r.kind, message: r.message, details: [{ state: state ?? null }], nonRetryable: true });
}
