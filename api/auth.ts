/** API keys: random secrets shown once, stored as sha-256, sent as `Authorization: Bearer <key>`. */
import { createHash, randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Actor, Role } from '../domain/actor';
import type { Models } from '../models';
import { unauthenticated } from './problem';

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');
export const newKey = () => `isk_${randomBytes(24).toString('base64url')}`;

/** Finds the caller's key; a missing header is let through (public routes), a bad one is a 401. */
export function authenticate(models: Models): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    if (!header) return next();
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw unauthenticated('the Authorization header must be "Bearer <key>"');
    const key = await models.ApiKey.findOne({ hash: hashKey(m[1]), revokedAt: null }).lean();
    if (!key) throw unauthenticated('the API key is not valid or has been revoked');
    const actor: Actor = { name: key.name, roles: key.roles as Role[], groups: key.groups ?? [] };
    res.locals.actor = actor;
    next();
  };
}

/**
 * The bootstrap admin key: ADMIN_API_KEY when set (its hash replaces any earlier bootstrap key);
 * otherwise generated once. Returns the secret only when it was generated now, to be printed once.
 */
export async function ensureBootstrapAdmin(models: Models, fromEnv: string | undefined): Promise<string | null> {
  if (fromEnv) {
    const hash = hashKey(fromEnv);
    const existing = await models.ApiKey.findOne({ bootstrap: true, revokedAt: null }).lean();
    if (existing?.hash === hash) return null;
    if (existing) await models.ApiKey.updateOne({ _id: existing._id }, { $set: { revokedAt: new Date(), revokedBy: 'system' } });
    await models.ApiKey.create({ name: 'admin', hash, prefix: fromEnv.slice(0, 8), roles: ['admin'], groups: [], bootstrap: true, createdBy: 'ADMIN_API_KEY' });
    return null;
  }
  if (await models.ApiKey.exists({ bootstrap: true, revokedAt: null })) return null;
  const key = newKey();
  await models.ApiKey.create({ name: 'admin', hash: hashKey(key), prefix: key.slice(0, 8), roles: ['admin'], groups: [], bootstrap: true, createdBy: 'system' });
  return key;
}
