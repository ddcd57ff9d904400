/** API keys: random secrets shown once, stored as sha-256, sent as `Authorization: Bearer <key>`. */
import { createHash, randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
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

  forget(hash: string): void {
    this.entries.delete(hash);
  }
}

/**
 * Finds the caller's key. Nothing is refused here: a missing or bad key is noted, and the route
 * decides (a public route does not care; any other answers 401).
 */
export function authenticate(keys: KeyCache): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    if (!header) return next();
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

/**
 * The bootstrap admin key: ADMIN_API_KEY when set (its hash replaces any earlier bootstrap key);
 * otherwise generated once. Returns the secret only when it was generated now, to be printed once.
 */
export async function ensureBootstrapAdmin(models: Models, fromEnv: string | undefined): Promise<string | null> {
  const bootstraps = await findIndexed<KeyDoc & { hash: string }>(models.ApiKey, { bootstrap: true }, { sort: [['createdAt', 1]], limit: 1000 });
  if (fromEnv) {
    // the environment names the admin key: it is (again) the one bootstrap key, whatever came before
    const hash = hashKey(fromEnv);
    for (const k of bootstraps) if (k.hash !== hash && !k.revokedAt) await revokeKey(models, k._id, 'ADMIN_API_KEY');
    const existing = await findOneIndexed<KeyDoc>(models.ApiKey, { hash });
    if (existing) {
      await models.ApiKey.collection.updateOne({ _id: existing._id as never }, { $set: { name: 'admin', prefix: fromEnv.slice(0, 8), roles: ['admin'], groups: [], bootstrap: true, revokedAt: null } });
    } else {
      await storeKey(models, { name: 'admin', hash, prefix: fromEnv.slice(0, 8), roles: ['admin'], groups: [], createdBy: 'ADMIN_API_KEY', bootstrap: true });
    }
    return null;
  }
  // generated once: a bootstrap key that was revoked on purpose is not brought back by a restart
  if (bootstraps.length) return null;
  const key = newKey();
  await storeKey(models, { name: 'admin', hash: hashKey(key), prefix: key.slice(0, 8), roles: ['admin'], groups: [], createdBy: 'system', bootstrap: true });
  return key;
}
