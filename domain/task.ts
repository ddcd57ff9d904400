/**
 * Human tasks: work a group does inside a case (implement, back out, review, fulfil). Each task
 * type says which outcomes it takes and which fields its completion requires.
 */
import { z } from 'zod';
import type { Actor } from './actor';

const notes = z.string().trim().min(1).max(4000);

export const TASK_TYPES = {
  backout: { outcomes: ['backed_out', 'failed'] as const, fields: z.strictObject({ notes }) },
  pir: { outcomes: ['successful', 'failed', 'backed_out'] as const, fields: z.strictObject({ findings: notes, lessons: notes.optional() }) },
  fulfil: { outcomes: ['done', 'failed'] as const, fields: z.strictObject({ notes: notes.optional() }) },
  investigate: { outcomes: ['done'] as const, fields: z.strictObject({ findings: notes }) },
  action: { outcomes: ['done'] as const, fields: z.strictObject({ notes: notes.optional() }) },
} as const;
export type TaskType = keyof typeof TASK_TYPES;

export const TASK_STATES = ['open', 'claimed', 'completed', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export interface TaskRecord {
  id: string;
  caseId: string;
  process: string;
  type: TaskType;
  title: string;
  group: string;
  assignee: string | null;
  state: TaskState;
  outcome: string | null;
  fields: Record<string, unknown> | null;
  createdAt: number;
  dueAt: number | null;
  completedAt: number | null;
  completedBy: string | null;
  rev: number;
}

export const TaskCommandInputs = {
  claim: z.strictObject({}),
  unclaim: z.strictObject({}),
  complete: z.strictObject({ outcome: z.string().min(1).max(50), fields: z.record(z.string(), z.unknown()).default({}) }),
  reassign: z.strictObject({ group: z.string().trim().min(1).max(200), assignee: z.string().trim().min(1).max(200).optional(), note: z.string().max(2000).optional() }),
};
export type TaskCommand = keyof typeof TaskCommandInputs;
export type TaskCommandInput<C extends TaskCommand> = z.infer<(typeof TaskCommandInputs)[C]>;

export type TaskRefusal = { kind: 'forbidden' | 'conflict' | 'invalid'; message: string };

/** Who may act on a task, and whether its state allows it; for `complete`, whether the outcome and fields fit the type. */
export function refuseTaskCommand(t: TaskRecord, command: TaskCommand, actor: Actor, input: unknown): TaskRefusal | null {
  if (t.state === 'completed' || t.state === 'cancelled') return { kind: 'conflict', message: `task ${t.id} is ${t.state}` };
  const admin = actor.roles.includes('admin');
  const inGroup = actor.groups.includes(t.group);
  const isAssignee = t.assignee === actor.name;
  if (!admin && !inGroup && !isAssignee) return { kind: 'forbidden', message: `only a member of ${t.group} or the assignee can act on task ${t.id}` };
  switch (command) {
    case 'claim':
      if (t.state === 'claimed') return { kind: 'conflict', message: `task ${t.id} is already claimed by ${t.assignee}` };
      if (!admin && !inGroup) return { kind: 'forbidden', message: `only a member of ${t.group} can claim task ${t.id}` };
      return null;
    case 'unclaim':
      if (t.state !== 'claimed') return { kind: 'conflict', message: `task ${t.id} is not claimed` };
      if (!admin && !isAssignee) return { kind: 'forbidden', message: `only ${t.assignee} can give task ${t.id} back` };
      return null;
    case 'reassign':
      return null;
    case 'complete': {
      if (t.state === 'claimed' && !isAssignee && !admin) return { kind: 'forbidden', message: `task ${t.id} is claimed by ${t.assignee}` };
      const def = TASK_TYPES[t.type];
      const { outcome, fields } = input as TaskCommandInput<'complete'>;
      if (!(def.outcomes as readonly string[]).includes(outcome)) return { kind: 'invalid', message: `outcome must be one of: ${def.outcomes.join(', ')}` };
      const parsed = def.fields.safeParse(fields ?? {});
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        return { kind: 'invalid', message: `fields.${i.path.join('.') || '(all)'}: ${i.code === 'unrecognized_keys' ? `unknown field ${i.keys.join(', ')}` : i.message}` };
      }
      return null;
    }
  }
}
