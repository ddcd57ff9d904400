/** RFC 9457 problem details: the one shape every error answer takes. */
import type { z } from 'zod';

export const PROBLEM_BASE = 'urn:iso20k-flow:problem:';

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }

  toJSON() {
    return { type: PROBLEM_BASE + this.slug, title: this.title, status: this.status, detail: this.detail, ...this.extra };
  }
}

export const badRequest = (detail: string, errors?: Array<{ in: string; path: string; message: string }>) =>
  new HttpProblem(400, 'validation-error', 'Your request is not valid', detail, errors ? { errors } : {});
export const unauthenticated = (detail: string) => new HttpProblem(401, 'unauthenticated', 'Authentication required', detail);
export const forbidden = (detail: string) => new HttpProblem(403, 'forbidden', 'Not allowed', detail);
export const notFound = (detail: string) => new HttpProblem(404, 'not-found', 'Not found', detail);
export const conflict = (detail: string, extra: Record<string, unknown> = {}) => new HttpProblem(409, 'conflict', 'Conflict with the current state', detail, extra);
export const illegalTransition = (detail: string, state: string) =>
  new HttpProblem(409, 'illegal-transition', 'Not allowed in the current state', detail, { state });

export function zodErrors(where: string, err: z.ZodError) {
  return err.issues.map((i) => ({
    in: where,
    path: i.path.map(String).join('.') || (where === 'body' ? '(body)' : '(all)'),
    message: i.code === 'unrecognized_keys' ? `unknown field${i.keys.length > 1 ? 's' : ''}: ${i.keys.join(', ')}` : i.message,
  }));
}
