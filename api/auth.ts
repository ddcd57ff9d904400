/** API keys: random secrets shown once, stored as sha-256, sent as `Authorization: Bearer <key>`. */
import { createHash, randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Actor, Role } from '../domain/actor';
import type { Models } from '../models';

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');
export const newKey = () => `isk_${randomBytes(24).toString('base64url')}`;

/**
 * Finds the caller's key. Nothing is refused here: a missing or bad key is noted, and the route
 * decides (a public route does not care; any other answers 401).
 */
export function authenticate(models: Models): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    if (!header) return next();
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) {
      res.locals.authProblem = 'the Authorization header must be "Bearer <key>"';
      return next();
    }
    const key = await models.ApiKey.findOne({ hash: hashKey(m[1]), revokedAt: null }).lean();
    if (!key) {
      res.locals.authProblem = 'the API key is not valid or has been revoked';
      return next();
    }
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
    // the environment names the admin key: it is (again) the one bootstrap key, whatever came before
    const hash = hashKey(fromEnv);
    await models.ApiKey.updateMany({ bootstrap: true, hash: { $ne: hash }, revokedAt: null }, { $set: { revokedAt: new Date(), revokedBy: 'ADMIN_API_KEY' } });
    await models.ApiKey.updateOne(
      { hash },
      { $set: { name: 'admin', prefix: fromEnv.slice(0, 8), roles: ['admin'], groups: [], bootstrap: true, revokedAt: null }, $setOnInsert: { createdBy: 'ADMIN_API_KEY', createdAt: new Date() } },
      { upsert: true },
    );
    return null;
  }
  // generated once: a bootstrap key that was revoked on purpose is not brought back by a restart
  if (await models.ApiKey.exists({ bootstrap: true })) return null;
  const key = newKey();
  await models.ApiKey.create({ name: 'admin', hash: hashKey(key), prefix: key.slice(0, 8), roles: ['admin'], groups: [], bootstrap: true, createdBy: 'system' });
  return key;
}
