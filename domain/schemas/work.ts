/** Approvals and tasks as the API answers with them: on their own, and within the case that opened them. */
import { z } from 'zod';
import { APPROVAL_PROCESSES } from '../approval';
import { TASK_STATES, TASK_TYPES } from '../task';
import { VersionRef } from './answers';

/** epoch milliseconds: records of cases, approvals and tasks carry their instants so */
export const EpochMs = z.number().describe('milliseconds since 1970-01-01T00:00:00Z');

export const ApprovalAnswer = z.strictObject({
  id: z.string().describe('the case number, -A and a sequence: CHG0000001-A1'),
  caseId: z.string(),
  process: z.enum(APPROVAL_PROCESSES),
  title: z.string(),
  requester: z.string(),
  policy: VersionRef,
  stage: z.number().int(),
  stageName: z.string(),
  mode: z.enum(['any', 'all', 'quorum']),
  quorum: z.number().int().optional(),
  approvers: z.array(z.string()).describe('who may decide: named users and the members of the named groups, less the requester'),
  decisions: z.array(
    z.strictObject({
      approver: z.string().describe('the approver whose decision this is'),
      decidedBy: z.string().describe('who gave it: the approver, or their delegate'),
      decision: z.enum(['approve', 'reject']),
      comment: z.string(),
      at: EpochMs,
    }),
  ),
  state: z.enum(['pending', 'approved', 'rejected']),
  escalatedTo: z.string().nullable(),
  openedAt: EpochMs,
  dueAt: EpochMs,
  decidedAt: EpochMs.nullable(),
  reason: z.string().nullable().describe("how the stage ended when no decision did: a deadline's approve or reject, no eligible approver"),
  rev: z.number().int(),
});

export const TaskAnswer = z.strictObject({
  id: z.string().describe('the case number, -T and a sequence: CHG0000001-T1'),
  caseId: z.string(),
  process: z.string(),
  type: z.enum(Object.keys(TASK_TYPES) as [keyof typeof TASK_TYPES, ...Array<keyof typeof TASK_TYPES>]),
  title: z.string(),
  group: z.string(),
  assignee: z.string().nullable(),
  state: z.enum(TASK_STATES),
  outcome: z.string().nullable(),
  fields: z.record(z.string(), z.unknown()).nullable(),
  createdAt: EpochMs,
  dueAt: EpochMs.nullable(),
  completedAt: EpochMs.nullable(),
  completedBy: z.string().nullable(),
  rev: z.number().int(),
});

/** An approval in a person's list: whose approval they decide it for. */
export const MyApprovalAnswer = ApprovalAnswer.extend({ onBehalfOf: z.string().optional().describe('the approver they decide it for: themselves or one who delegated to them') });

/** What a case's `approvals` and `tasks` add to its answer. */
export const CaseWork = { approvals: z.array(ApprovalAnswer), tasks: z.array(TaskAnswer) };
