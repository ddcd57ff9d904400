/**
 * Delegations: while an approver is away, their approvals go to a delegate for a period.
 * An approver delegates their own approvals; an admin may record one for anybody.
 */
import { Router } from 'express';
import { isValidObjectId } from 'mongoose';
import { z } from 'zod';
import { DelegationAnswer, DelegationList } from '../domain/schemas/policy-answers';
import type { Models } from '../models';
import { findIndexed, findOneIndexed } from '../models/query';
import { conflict, forbidden, notFound } from './problem';
import { route } from './route';

/** Delegations read at most for one person (or, for an admin, in all). */
const PER_PERSON_LIMIT = 1_000;

const name = z.string().trim().min(1).max(200);
const CreateDelegation = z
  .strictObject({
    from: name,
    to: name,
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }),
    reason: z.string().max(500).default(''),
  })
  .superRefine((d, ctx) => {
    if (d.from === d.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'a delegate is someone else' });
    if (Date.parse(d.end) <= Date.parse(d.start)) ctx.addIssue({ code: 'custom', path: ['end'], message: 'end must be after start' });
  });

type DelegationDoc = { _id: unknown; from: string; to: string; start: Date; end: Date; reason: string; createdBy?: string; createdAt: Date; revokedAt: Date | null };
export const presentDelegation = (d: DelegationDoc) => ({
  id: String(d._id),
  from: d.from,
  to: d.to,
  start: d.start,
  end: d.end,
  reason: d.reason,
  createdBy: d.createdBy ?? null,
  createdAt: d.createdAt,
  revokedAt: d.revokedAt ?? null,
});

/** The delegation in force now from `from` to `to`, if any. */
export async function delegationInForce(models: Models, from: string, to: string, now = new Date()) {
  return findOneIndexed<DelegationDoc>(models.Delegation, { from, to, revokedAt: null, start: { $lte: now }, end: { $gt: now } }, [['start', 1], ['_id', 1]]);
}

/** Whose approvals `name` holds now: their own and those of everyone who delegated to them. */
export async function delegatorsOf(models: Models, name: string, now = new Date()): Promise<string[]> {
  const ds = await findIndexed<DelegationDoc>(models.Delegation, { to: name, revokedAt: null, start: { $lte: now }, end: { $gt: now } }, { sort: [['start', 1], ['_id', 1]], limit: PER_PERSON_LIMIT });
  return [...new Set(ds.map((d) => d.from))];
}

export function delegationRoutes({ models }: { models: Models }): Router {
  const router = Router();

  route(router, {
    method: 'post',
    path: '/delegations',
    tag: 'Approvals',
    summary: "Delegate an approver's approvals to someone else for a period",
    roles: ['approver', 'admin'],
    body: CreateDelegation,
    status: 201,
    response: DelegationAnswer,
    handler: async ({ body, actor }) => {
      if (!actor.roles.includes('admin') && body.from !== actor.name) throw forbidden('an approver delegates only their own approvals');
      const overlapping = await findOneIndexed(models.Delegation, { from: body.from, revokedAt: null, start: { $lt: new Date(body.end) }, end: { $gt: new Date(body.start) } }, [['start', 1], ['_id', 1]]);
      if (overlapping) throw conflict(`${body.from} already has a delegation in that period`);
      const d = await models.Delegation.create({ ...body, start: new Date(body.start), end: new Date(body.end), createdBy: actor.name });
      return presentDelegation(d.toObject() as DelegationDoc);
    },
  });

  route(router, {
    method: 'get',
    path: '/delegations',
    tag: 'Approvals',
    summary: 'Delegations from or to me (an admin or auditor sees all)',
    roles: 'authenticated',
    response: DelegationList,
    handler: async ({ actor }) => {
      const all = actor.roles.includes('admin') || actor.roles.includes('auditor');
      const sort = [['start', 1], ['_id', 1]] as const;
      const found = all
        ? await findIndexed<DelegationDoc>(models.Delegation, {}, { sort, limit: PER_PERSON_LIMIT })
        : (await Promise.all([findIndexed<DelegationDoc>(models.Delegation, { from: actor.name }, { sort, limit: PER_PERSON_LIMIT }), findIndexed<DelegationDoc>(models.Delegation, { to: actor.name }, { sort, limit: PER_PERSON_LIMIT })])).flat();
      const seen = new Set<string>();
      const items = found.filter((d) => !seen.has(String(d._id)) && seen.add(String(d._id))).sort((a, b) => a.start.getTime() - b.start.getTime());
      return { items: items.map((d) => presentDelegation(d)) };
    },
  });

  route(router, {
    method: 'delete',
    path: '/delegations/:id',
    tag: 'Approvals',
    summary: 'Withdraw a delegation',
    roles: ['approver', 'admin'],
    params: z.strictObject({ id: z.string().refine(isValidObjectId, 'a delegation id') }),
    response: DelegationAnswer,
    handler: async ({ params, actor }) => {
      const d = await models.Delegation.findById(params.id).lean();
      if (!d) throw notFound(`there is no delegation ${params.id}`);
      if (!actor.roles.includes('admin') && d.from !== actor.name) throw forbidden('only the approver who delegated can withdraw it');
      if (d.revokedAt) throw conflict('the delegation is already withdrawn');
      await models.Delegation.updateOne({ _id: d._id }, { $set: { revokedAt: new Date() } });
      return presentDelegation((await models.Delegation.findById(params.id).lean()) as DelegationDoc);
    },
  });

  return router;
}

