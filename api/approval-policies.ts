/**
 * Approval policies (process owners): which cases need whose approval, in which mode, by when.
 * Versioned like every policy; a running case keeps the version it started with.
 */
import { Router } from 'express';
import { z } from 'zod';
import { APPROVAL_PROCESSES } from '../domain/approval';
import { ApprovalPolicyBody } from '../domain/schemas/approval';
import { ApprovalPolicyAnswer, ApprovalPolicyList } from '../domain/schemas/policy-answers';
import type { Models } from '../models';
import { nextNumber } from '../models/counter';
import { findLatestPolicy, latestPolicies, policyVersion, putPolicy } from '../models/policies';
import { present, READ_ONLY, writeVersion } from './policies';
import { badRequest, notFound } from './problem';
import { route } from './route';
import { approvalProblems, refuseIf } from './policy-checks';

const OWNERS = ['process_owner', 'admin'] as const;
const Id = z.strictObject({ id: z.string().regex(/^ap-\d+$/, 'an approval policy id such as ap-1') });

export function approvalPolicyRoutes({ models }: { models: Models }): Router {
  const router = Router();

  route(router, {
    method: 'post',
    path: '/approval-policies',
    tag: 'Approval policies',
    summary: 'Define an approval policy: conditions on the case, then stages (approvers, mode, deadline, what happens at it)',
    roles: OWNERS,
    body: ApprovalPolicyBody,
    status: 201,
    response: ApprovalPolicyAnswer,
    handler: async ({ body, actor, res }) => {
      refuseIf(await approvalProblems(models, body));
      const id = `ap-${await nextNumber(models.Counter, 'approval-policy')}`;
      const p = await putPolicy(models, 'approval-policy', id, body, actor.name);
      res.location(`/approval-policies/${id}`).set('ETag', `"${p.version}"`);
      return { id, ...present(p) };
    },
  });

  route(router, {
    method: 'get',
    path: '/approval-policies',
    tag: 'Approval policies',
    summary: 'Approval policies (latest versions), optionally of one process',
    roles: 'authenticated',
    query: z.strictObject({ process: z.enum(APPROVAL_PROCESSES).optional() }),
    response: ApprovalPolicyList,
    handler: async ({ query }) => {
      const all = await latestPolicies<ApprovalPolicyBody>(models, 'approval-policy');
      const items = all.filter((p) => !query.process || p.body.process === query.process).map((p) => ({ id: p.key, ...present(p) }));
      return { items: items.sort((a, b) => a.rank - b.rank || a.id.localeCompare(b.id)) };
    },
  });

  route(router, {
    method: 'get',
    path: '/approval-policies/:id',
    tag: 'Approval policies',
    summary: 'An approval policy; ?version=N for an earlier version',
    roles: 'authenticated',
    params: Id,
    query: z.strictObject({ version: z.coerce.number().int().min(1).optional() }),
    response: ApprovalPolicyAnswer,
    handler: async ({ params, query, res }) => {
      const p = query.version ? await policyVersion(models, 'approval-policy', params.id, query.version) : await findLatestPolicy(models, 'approval-policy', params.id);
      if (!p) throw notFound(query.version ? `approval policy ${params.id} has no version ${query.version}` : `there is no approval policy ${params.id}`);
      res.set('ETag', `"${p.version}"`);
      return { id: params.id, ...present(p) };
    },
  });

  route(router, {
    method: 'put',
    path: '/approval-policies/:id',
    tag: 'Approval policies',
    summary: 'Replace an approval policy with a new version (cases already running keep theirs)',
    roles: OWNERS,
    params: Id,
    body: ApprovalPolicyBody,
    readOnlyFields: READ_ONLY,
    response: ApprovalPolicyAnswer,
    handler: async ({ params, body, actor, req, res }) => {
      if (!(await findLatestPolicy(models, 'approval-policy', params.id))) throw notFound(`there is no approval policy ${params.id}`);
      refuseIf(await approvalProblems(models, body));
      return { id: params.id, ...(await writeVersion(models, req, res, 'approval-policy', params.id, body, actor.name)) };
    },
  });

  return router;
}
