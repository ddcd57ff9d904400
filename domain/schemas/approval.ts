/** Approval policies as a process owner writes them, and an approver's decision, as the API validates them. */
import { z } from 'zod';
import { APPROVAL_PROCESSES } from '../approval';

const name = z.string().trim().min(1).max(200);

export const Condition = z.strictObject({
  /** a field of the case, dotted for nested fields: type, risk, cost, service, category, … */
  field: z.string().regex(/^[A-Za-z][\w.]{0,99}$/, 'a field name such as risk or service'),
  op: z.enum(['eq', 'ne', 'in', 'nin', 'gt', 'gte', 'lt', 'lte']),
  value: z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()])).max(100)]),
});
export type Condition = z.infer<typeof Condition>;

export const OnDeadline = z.discriminatedUnion('action', [
  /** the decision passes to a group: any one of its members decides, by a second deadline */
  z.strictObject({ action: z.literal('escalate'), group: name }),
  z.strictObject({ action: z.literal('reject') }),
  z.strictObject({ action: z.literal('approve') }),
]);
export type OnDeadline = z.infer<typeof OnDeadline>;

export const Stage = z
  .strictObject({
    name,
    approvers: z.strictObject({ users: z.array(name).max(100).default([]), groups: z.array(name).max(20).default([]) }),
    mode: z.enum(['any', 'all', 'quorum']),
    /** with mode quorum: how many approvals carry the stage */
    quorum: z.number().int().min(1).max(100).optional(),
    deadline: z.strictObject({ businessMinutes: z.number().int().min(1).max(525_600), calendarId: z.string().min(1).max(100) }),
    onDeadline: OnDeadline,
  })
  .superRefine((s, ctx) => {
    if (s.approvers.users.length + s.approvers.groups.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['approvers'], message: 'a stage needs at least one approver or group' });
    }
    if (s.mode === 'quorum' && s.quorum === undefined) ctx.addIssue({ code: 'custom', path: ['quorum'], message: 'mode quorum needs quorum: the number of approvals' });
    if (s.mode !== 'quorum' && s.quorum !== undefined) ctx.addIssue({ code: 'custom', path: ['quorum'], message: 'quorum is only for mode quorum' });
    if (s.mode === 'quorum' && s.quorum !== undefined && s.approvers.groups.length === 0 && s.quorum > s.approvers.users.length) {
      ctx.addIssue({ code: 'custom', path: ['quorum'], message: 'quorum is more than the named approvers' });
    }
  });
export type Stage = z.infer<typeof Stage>;

export const ApprovalPolicyBody = z.strictObject({
  name,
  description: z.string().max(2000).default(''),
  process: z.enum(APPROVAL_PROCESSES),
  /** when several policies match a case, the lowest rank applies */
  rank: z.number().int().min(0).max(10_000).default(100),
  enabled: z.boolean().default(true),
  /** every condition must hold for the policy to match; none: it matches every case of its process */
  match: z.array(Condition).max(20).default([]),
  stages: z.array(Stage).min(1).max(10),
});
export type ApprovalPolicyBody = z.infer<typeof ApprovalPolicyBody>;

export const DecisionInput = z.strictObject({ comment: z.string().trim().min(1, 'a decision carries a comment').max(4000) });
