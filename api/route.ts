/**
 * Routes declared once: the zod schemas validate the request and, collected here, make the
 * OpenAPI document. The web layer stays thin: parse, authorise, call the domain, answer.
 */
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Actor, Role } from '../domain/actor';
import { idempotencyOf, type Idempotency } from './idempotency';
import { badRequest, forbidden, HttpProblem, unauthenticated, zodErrors } from './problem';

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  actor: Actor;
  req: Request;
  res: Response;
  /** the request's `Idempotency-Key`, on routes that take one */
  idempotency?: Idempotency;
}

export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** express syntax: /incidents/:number */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** who may call it; 'authenticated' for any valid key, 'public' for no key at all */
  roles: readonly Role[] | 'authenticated' | 'public';
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** fields a client may send back as it read them (version, updatedAt, …), left out before validation */
  readOnlyFields?: readonly string[];
  /** the success status, 200 unless said */
  status?: number;
  /**
   * the success answer's JSON, for the OpenAPI document; an app made with `checkResponses` (the
   * tests) refuses to send an answer that does not match it
   */
  response?: z.ZodType;
  responseDescription?: string;
  /** a create or a command: takes an `Idempotency-Key` (see idempotency.ts) */
  idempotent?: boolean;
  handler: (ctx: RouteContext<P, Q, B>) => Promise<unknown>;
}

const NoQuery = z.strictObject({});

/** The routes each router holds, as declared: the app builds its OpenAPI document from the routers it mounts. */
const declared = new WeakMap<Router, RouteSpec<any, any, any>[]>();
export const routeSpecs = (router: Router): RouteSpec<any, any, any>[] => declared.get(router) ?? [];

export function route<P = {}, Q = {}, B = undefined>(router: Router, spec: RouteSpec<P, Q, B>): void {
  declared.set(router, [...routeSpecs(router), spec as RouteSpec<any, any, any>]);
  router[spec.method](spec.path, async (req, res) => {
    const actor = res.locals.actor as Actor | undefined;
    if (spec.roles !== 'public') {
      if (!actor) throw unauthenticated((res.locals.authProblem as string | undefined) ?? 'send an API key as "Authorization: Bearer <key>"');
      if (spec.roles !== 'authenticated' && !actor.roles.some((r) => (spec.roles as readonly Role[]).includes(r))) {
        throw forbidden(`${spec.method.toUpperCase()} ${spec.path} needs one of the roles: ${spec.roles.join(', ')}`);
      }
    }
    const params = parse('path', spec.params, req.params);
    // a route that names no query parameters takes none: an unknown one is refused like an unknown field
    const query = parse('query', spec.query ?? (NoQuery as unknown as z.ZodType<Q>), { ...(req.query as object) });
    // req.is: false for a body of another type, null for no body at all (a bare command is fine)
    if (spec.body && req.is(['application/json', 'application/*+json']) === false && req.get('content-length') !== '0') {
      throw new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', 'send the body as application/json');
    }
    let raw = req.body ?? {};
    if (spec.readOnlyFields && raw && typeof raw === 'object' && !Array.isArray(raw)) {
      raw = Object.fromEntries(Object.entries(raw).filter(([k]) => !spec.readOnlyFields!.includes(k)));
    }
    if (spec.body) refuseProtoKeys(raw);
    const body = spec.body ? parse('body', spec.body, raw) : undefined;
    const idempotency = spec.idempotent && actor ? idempotencyOf(req, actor, { params, body }) : undefined;
    const result = await spec.handler({ params, query, body: body as B, actor: actor!, req, res, idempotency });
    if (res.headersSent) return; // the handler answered itself (a CSV)
    if (res.statusCode === 200) res.status(spec.status ?? 200); // a handler may have set its own
    if (result !== undefined && spec.response && req.app.get(CHECK_RESPONSES)) checkResponse(spec, result);
    if (result === undefined) res.end();
    else res.json(result);
  });
}

/** The app setting that makes every answer be checked against its route's `response` schema. */
export const CHECK_RESPONSES = 'check responses';

/** Checks the answer as JSON would carry it (dates as text) against the documented schema. */
function checkResponse(spec: RouteSpec<any, any, any>, result: unknown): void {
  const r = spec.response!.safeParse(JSON.parse(JSON.stringify(result)));
  if (!r.success) {
    const where = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(the answer)'}: ${i.message}`).join('; ');
    throw new HttpProblem(500, 'response-not-as-documented', 'Answer not as documented', `${spec.method.toUpperCase()} ${spec.path} answered what its OpenAPI schema does not allow: ${where}`);
  }
}

/**
 * A `__proto__` key anywhere in a body is refused, naming where: JSON.parse keeps it as a plain
 * key, but a schema's record (a form's free fields) or any later spread drops it silently.
 */
function refuseProtoKeys(body: unknown): void {
  // iteratively, each entry pointing at its parent: a body nested thousands deep is no reason for a stack overflow
  type Where = { key: string; up: Where | null } | null;
  const pending: Array<[unknown, Where]> = [[body, null]];
  while (pending.length) {
    const [value, where] = pending.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    for (const key of Object.keys(value)) {
      if (key === '__proto__' && !Array.isArray(value)) {
        const path: string[] = [key];
        for (let w = where; w; w = w.up) path.unshift(w.key);
        const at = path.join('.');
        throw badRequest(`body ${at}: a field may not be called __proto__`, [{ in: 'body', path: at, message: 'a field may not be called __proto__' }]);
      }
      pending.push([(value as Record<string, unknown>)[key], { key, up: where }]);
    }
  }
}

function parse<T>(where: string, schema: z.ZodType<T> | undefined, value: unknown): T {
  if (!schema) return value as T;
  const r = schema.safeParse(value);
  if (!r.success) {
    const errors = zodErrors(where, r.error);
    const detail = errors.map((e) => `${e.in} ${e.path}: ${e.message}`).join('; ');
    // a text longer than its field takes (a comment, a note) is content too large, not malformed
    if (where === 'body' && r.error.issues.every((i) => i.code === 'too_big' && i.origin === 'string')) {
      throw new HttpProblem(413, 'text-too-long', 'Text too long', detail, { errors });
    }
    throw badRequest(detail, errors);
  }
  return r.data;
}
