/** API keys (admin): create (secret shown once), list (no secrets), revoke. */
import { Router } from 'express';
import { isValidObjectId } from 'mongoose';
import { z } from 'zod';
import { Role } from '../domain/schemas/actor';
import { PageOf } from '../domain/schemas/answers';
import { ApiKeyAnswer, CreatedApiKeyAnswer } from '../domain/schemas/policy-answers';
import type { Models } from '../models';
import { findOneIndexed } from '../models/query';
import { hashKey, newKey, prefixOf, revokeKey, storeKey, type KeyCache } from './auth';
import { Page, pageOf } from './lists';
import { conflict, notFound } from './problem';
import { route } from './route';

const CreateKey = z.strictObject({
  name: z.string().trim().min(1).max(200),
  roles: z.array(Role).min(1).max(7).refine((r) => new Set(r).size === r.length, 'each role once'),
  groups: z.array(z.string().trim().min(1).max(200)).max(100).default([]),
});

type KeyDoc = { _id: unknown; name: string; prefix: string; roles: string[]; groups: string[]; createdAt: Date; createdBy?: string; revokedAt: Date | null; bootstrap?: boolean };
const present = (k: KeyDoc) => ({
  id: String(k._id),
  name: k.name,
  prefix: k.prefix,
  roles: k.roles,
  groups: k.groups,
  bootstrap: Boolean(k.bootstrap),
  createdAt: k.createdAt,
  createdBy: k.createdBy ?? null,
  revokedAt: k.revokedAt ?? null,
});

export function apiKeyRoutes({ models, keys }: { models: Models; keys: KeyCache }): Router {
  const router = Router();

  route(router, {
    method: 'post',
    path: '/api-keys',
    tag: 'API keys',
    summary: 'Create an API key; the secret is in `key`, shown this once',
    roles: ['admin'],
    body: CreateKey,
    status: 201,
    response: CreatedApiKeyAnswer,
    description: 'A key\'s name is who it acts as in every history: no two keys in force share one (revoke the old key first to replace it), and `system` is the platform\'s own.',
    handler: async ({ body, actor }) => {
      if (body.name.toLowerCase() === 'system') throw conflict('system is the name the platform acts under in every history: choose another');
      const holder = await findOneIndexed<KeyDoc>(models.ApiKey, { name: body.name, revokedAt: null });
      if (holder) throw conflict(`a key in force is named ${body.name} already (${String(holder._id)}, prefix ${holder.prefix}): a name is an identity in every history; revoke that key first to replace it`);
      const key = newKey();
      const doc = await storeKey(models, { ...body, hash: hashKey(key), prefix: prefixOf(key), createdBy: actor.name });
      return { ...present(doc.toObject() as KeyDoc), key };
    },
  });

  route(router, {
    method: 'get',
    path: '/api-keys',
    tag: 'API keys',
    summary: 'List API keys, oldest first (never their secrets)',
    roles: ['admin'],
    query: z.strictObject({ ...Page.shape }),
    response: PageOf(ApiKeyAnswer),
    // a key's id grows with its creation time: the primary key is the list's order
    handler: async ({ query }) => pageOf(models.ApiKey, {}, [['_id', 1]], query, (k) => present(k as KeyDoc)),
  });

  route(router, {
    method: 'delete',
    path: '/api-keys/:id',
    tag: 'API keys',
    summary: 'Revoke an API key',
    roles: ['admin'],
    params: z.strictObject({ id: z.string().refine(isValidObjectId, 'an API key id') }),
    response: ApiKeyAnswer,
    handler: async ({ params, actor }) => {
      const k = await models.ApiKey.findById(params.id).lean();
      if (!k) throw notFound(`there is no API key ${params.id}`);
      if (k.revokedAt) throw conflict(`API key ${params.id} is already revoked`);
      await revokeKey(models, k._id, actor.name);
      keys.forget(k.hash);
      return present((await models.ApiKey.findById(params.id).lean()) as KeyDoc);
    },
  });

  return router;
}
