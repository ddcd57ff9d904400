/**
 * Rate limits, by express-rate-limit: per key (every request an authenticated caller makes), and
 * per client address for failed authentication (a guessed or revoked key), checked before the key
 * is looked up, so a flood of bad keys costs no database reads once it is limited. Over a limit:
 * 429 with `Retry-After`. Counts are kept in this API process (each process limits on its own).
 */
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Actor } from '../domain/actor';
import { HttpProblem } from './problem';

export interface RateLimits {
  /** requests a minute one key may make; 0: no limit */
  perKeyPerMinute: number;
  /** answers of 401 a minute one client address may have; 0: no limit */
  failedAuthPerMinute: number;
}

const MINUTE = 60_000;

const tooMany = (detail: string): RequestHandler => (req, res, next) => {
  const retry = res.getHeader('Retry-After');
  next(new HttpProblem(429, 'rate-limited', 'Too many requests', `${detail}: retry after ${retry ?? 60} s`));
};

/**
 * Before authentication: a client address whose keys failed too often is refused before its next
 * key is looked up. A key this process found valid lately passes (others behind the same address,
 * a NAT, are not locked out once they have been seen); a valid key not seen lately waits like any.
 */
export function limitFailedAuthentication(limits: RateLimits, knownGood: (authorization: string | undefined) => boolean): RequestHandler {
  if (limits.failedAuthPerMinute === 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: MINUTE,
    limit: limits.failedAuthPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // only a key that fails counts: a caller with a good key, or with none (a public route, a probe), is never limited by this one
    skip: (req) => !req.get('authorization') || knownGood(req.get('authorization')),
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
    identifier: 'failed-authentication',
    handler: tooMany(`more than ${limits.failedAuthPerMinute} requests a minute from this address had no valid API key`),
  });
}

/** After authentication: each key's requests. */
export function limitPerKey(limits: RateLimits): RequestHandler {
  if (limits.perKeyPerMinute === 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: MINUTE,
    limit: limits.perKeyPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skip: (_req, res) => !res.locals.actor,
    // names are held by one key in force at a time: the name is the key's identity
    keyGenerator: (_req, res) => `key:${(res.locals.actor as Actor).name}`,
    identifier: 'per-key',
    handler: tooMany(`this API key made more than ${limits.perKeyPerMinute} requests a minute`),
  });
}
