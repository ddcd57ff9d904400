/** API keys: random secrets shown once, stored as sha-256, sent as `Authorization: Bearer <key>`. */
import { createHash, randomBytes } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Actor, Role } from '../domain/actor';
import type { Models } from '../models';
import { linkKey, syncLinks } from '../models/link';
import { findIndexed, findOneIndexed } from '../models/query';

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');
export const newKey = () => `isk_${randomBytes(24).toString('base64url')}`;

type KeyDoc = { _id: unknown; name: string; roles: string[]; groups?: string[]; revokedAt: Date | null; bootstrap?: boolean };

/**
 * Keys seen lately, by hash: a request costs no database read while its key is fresh here. A key
 * revoked through this process stops at once; through another API process, within `ttlMs`.
 */
export class KeyCache {
  private readonly entries = new Map<string, { actor: Actor | null; until: number }>();
  constructor(
    private readonly models: Models,
    private readonly ttlMs = 30_000,
    private readonly unknownTtlMs = 5_000,
    private readonly max = 10_000,
  ) {}

  async actorFor(hash: string): Promise<Actor | null> {
    const now = Date.now();
    const hit = this.entries.get(hash);
    if (hit && hit.until > now) return hit.actor;
    const key = await findOneIndexed<KeyDoc>(this.models.ApiKey, { hash }, [], { name: 1, roles: 1, groups: 1, revokedAt: 1 });
    const actor = key && !key.revokedAt ? { name: key.name, roles: key.roles as Role[], groups: key.groups ?? [] } : null;
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { actor, until: now + (actor ? this.ttlMs : this.unknownTtlMs) });
    return actor;
  }

  /** Whether the key of this Authorization header was found valid lately (no database read). */
  knownGood(authorization: string | undefined): boolean {
    const m = authorization && /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m) return false;
    const hit = this.entries.get(hashKey(m[1]));
    return !!hit && hit.actor !== null && hit.until > Date.now();
  }

  forget(hash: string): void {
    this.entries.delete(hash);
  }
}

/**
 * Finds the caller's key. Nothing is refused here: a missing or bad key is noted, and the route
 * decides (a public route does not care; any other answers 401).
 */
export function authenticate(keys: KeyCache, isPublic: (req: Request) => boolean = () => false): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    if (!header || isPublic(req)) return next();
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) {
      res.locals.authProblem = 'the Authorization header must be "Bearer <key>"';
      return next();
    }
    const actor = await keys.actorFor(hashKey(m[1]));
    if (!actor) {
      res.locals.authProblem = 'the API key is not valid or has been revoked';
      return next();
    }
    res.locals.actor = actor;
    next();
  };
}

/** Stores a new key and the links of its groups (how an approval stage finds a group's members). */
export async function storeKey(models: Models, doc: { name: string; hash: string; prefix: string; roles: string[]; groups: string[]; createdBy: string; bootstrap?: boolean }) {
  const created = await models.ApiKey.create({ ...doc, bootstrap: doc.bootstrap ?? false });
  await syncLinks(models.Link, 'api_keys', String(created._id), doc.groups.map((value) => ({ field: 'groups', value })), true, 0);
  return created;
}

/** Marks a key revoked, and its group links closed. */
export async function revokeKey(models: Models, id: unknown, by: string): Promise<void> {
  await models.ApiKey.collection.updateOne({ _id: id as never, revokedAt: null }, { $set: { revokedAt: new Date(), revokedBy: by } });
  const key = await models.ApiKey.collection.findOne({ _id: id as never });
  if (key) await syncLinks(models.Link, 'api_keys', String(key._id), ((key.groups as string[]) ?? []).map((value) => ({ field: 'groups', value })), false, 0);
}

/** The part of a key its listings show: never more than a quarter of it, at most 8 characters. */
export const prefixOf = (key: string) => key.slice(0, Math.min(8, Math.floor(key.length / 4)));

/** The shortest ADMIN_API_KEY taken: a key is its holder's whole identity. */
export const MIN_ADMIN_KEY_LENGTH = 24;

export interface BootstrapOutcome {
  /** the secret of a key generated now, to be printed once */
  generated: string | null;
  /** why ADMIN_API_KEY was not made the admin key (it was revoked) */
  refused: string | null;
}

/**
 * The bootstrap admin key: ADMIN_API_KEY when set (its hash replaces any earlier bootstrap key);
 * otherwise generated once. A key that was revoked stays revoked: ADMIN_API_KEY naming one is
 * refused (said in `refused`, nothing changed), and a generated one is not made again. An
 * ADMIN_API_KEY shorter than 24 characters stops the start.
 */
export async function ensureBootstrapAdmin(models: Models, fromEnv: string | undefined): Promise<BootstrapOutcome> {
  const bootstraps = await findIndexed<KeyDoc & { hash: string }>(models.ApiKey, { bootstrap: true }, { sort: [['createdAt', 1]], limit: 1000 });
  if (fromEnv !== undefined) {
    if (fromEnv.length < MIN_ADMIN_KEY_LENGTH) throw new Error(`ADMIN_API_KEY must be at least ${MIN_ADMIN_KEY_LENGTH} characters long (it has ${fromEnv.length}): make one with \`openssl rand -base64 32\``);
    const hash = hashKey(fromEnv);
    const existing = await findOneIndexed<KeyDoc>(models.ApiKey, { hash });
    if (existing?.revokedAt) {
      return { generated: null, refused: `ADMIN_API_KEY is a key that was revoked (${existing.name}, on ${existing.revokedAt.toISOString()}): it stays revoked; set a new ADMIN_API_KEY` };
    }
    // the environment names the admin key: it is (again) the one bootstrap key, whatever came before
    for (const k of bootstraps) if (k.hash !== hash && !k.revokedAt) await revokeKey(models, k._id, 'ADMIN_API_KEY');
    if (existing) {
      await models.ApiKey.collection.updateOne({ _id: existing._id as never }, { $set: { name: 'admin', prefix: prefixOf(fromEnv), roles: ['admin'], groups: [], bootstrap: true } });
    } else {
      await storeKey(models, { name: 'admin', hash, prefix: prefixOf(fromEnv), roles: ['admin'], groups: [], createdBy: 'ADMIN_API_KEY', bootstrap: true });
    }
    return { generated: null, refused: null };
  }
  // generated once: a bootstrap key that was revoked on purpose is not brought back by a restart
  if (bootstraps.length) return { generated: null, refused: null };
  const key = newKey();
  await storeKey(models, { name: 'admin', hash: hashKey(key), prefix: prefixOf(key), roles: ['admin'], groups: [], createdBy: 'system', bootstrap: true });
  return { generated: key, refused: null };
}
