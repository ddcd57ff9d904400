/**
 * `Idempotency-Key` on creates and commands (draft-ietf-httpapi-idempotency-key-header): a client
 * that lost an answer sends the same request with the same key again and learns what the first
 * one did, instead of doing it twice. A key belongs to the caller who sent it and is kept for a
 * day. Creates remember the number they opened the case under before its workflow starts; commands
 * go to the workflow as Temporal updates whose id is made from the key, so Temporal itself answers
 * a repeated update with the first one's outcome.
 */
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { Actor } from '../domain/actor';
import type { Models } from '../models';
import { isDuplicateKey } from '../models';
import { badRequest, HttpProblem } from './problem';

export interface Idempotency {
  key: string;
  /** the caller and the key, hashed: the key document's `_id` and the base of the update id */
  id: string;
  /** method, path and the validated body, hashed: the same key on another request is refused */
  fingerprint: string;
}

/** How long a key is remembered; an older one is free for a new request. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
const KEY = /^[\x21-\x7e]{1,200}$/;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The request's key, if it sent one: a string of 1 to 200 visible ASCII characters (a quoted one too). */
export function idempotencyOf(req: Request, actor: Actor, body: unknown): Idempotency | undefined {
  const raw = req.get(IDEMPOTENCY_HEADER);
  if (raw === undefined) return undefined;
  const key = raw.trim().replace(/^"(.*)"$/, '$1');
  if (!KEY.test(key)) {
    const message = 'must be 1 to 200 visible ASCII characters, for example a UUID';
    throw badRequest(`header ${IDEMPOTENCY_HEADER}: ${message}`, [{ in: 'header', path: IDEMPOTENCY_HEADER, message }]);
  }
  return {
    key,
    id: sha256(`${actor.name}\n${key}`),
    fingerprint: sha256(`${req.method} ${req.baseUrl}${req.path}\n${JSON.stringify(body ?? null)}`),
  };
}

/** A Temporal update id for the request: the same key gives the same id, so Temporal answers a repeat with the first outcome. */
export const updateIdOf = (idem: Idempotency) => `idempotency-${idem.id}`;

export type Claim = { first: true } | { first: false; caseId: string | null; at: Date };

/**
 * Takes the key for this request, or tells what the request that took it before recorded. The
 * same key on a different request (another body or path) is a 422.
 */
export async function claimKey(models: Models, idem: Idempotency): Promise<Claim> {
  const keys = models.IdempotencyKey.collection;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await keys.insertOne({ _id: idem.id as never, fingerprint: idem.fingerprint, caseId: null, at: new Date() });
      return { first: true };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const doc = await keys.findOne({ _id: idem.id as never });
    if (!doc) continue; // expired and removed in between
    if (Date.now() - (doc.at as Date).getTime() > IDEMPOTENCY_WINDOW_MS) {
      await keys.deleteOne({ _id: idem.id as never, at: doc.at });
      continue;
    }
    if (doc.fingerprint !== idem.fingerprint) {
      throw new HttpProblem(422, 'idempotency-key-reused', 'Idempotency-Key used for another request', `this ${IDEMPOTENCY_HEADER} was sent with another request within the last day: send a new key for a new request`);
    }
    return { first: false, caseId: (doc.caseId as string | null) ?? null, at: doc.at as Date };
  }
  throw new HttpProblem(409, 'idempotency-key-in-use', 'Idempotency-Key in use', `a request with this ${IDEMPOTENCY_HEADER} is being handled: retry in a moment`);
}

/** Remembers the case a keyed create opens, before its workflow starts. */
export async function rememberCase(models: Models, idem: Idempotency, caseId: string): Promise<void> {
  await models.IdempotencyKey.collection.updateOne({ _id: idem.id as never }, { $set: { caseId } });
}
