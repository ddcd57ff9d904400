/**
 * Human tasks: work a group does inside a case (implement, back out, review, fulfil). Each task
 * type says which outcomes it takes and which fields its completion requires.
 */
import type { Actor } from './actor';
import type { TaskCommandInput } from './schemas/task';

export type { TaskCommandInput } from './schemas/task';

/** the longest text a completion field takes (trimmed) */
export const TASK_FIELD_MAX = 4000;

/** Each task type: the outcomes it takes, and the text fields its completion carries, required or optional. */
export const TASK_TYPES = {
  backout: { outcomes: ['backed_out', 'failed'] as const, fields: { notes: 'required' } },
  pir: { outcomes: ['successful', 'failed', 'backed_out'] as const, fields: { findings: 'required', lessons: 'optional' } },
  fulfil: { outcomes: ['done', 'failed'] as const, fields: { notes: 'optional' } },
  investigate: { outcomes: ['done'] as const, fields: { findings: 'required' } },
  action: { outcomes: ['done'] as const, fields: { notes: 'optional' } },
  /** a service review: how the period went against the SLA, the minutes, and the decisions taken */
  review: { outcomes: ['satisfactory', 'action_needed'] as const, fields: { minutes: 'required', decisions: 'optional' } },
  /** a CI checked against what is really there: as recorded, or different (and then what differs) */
  verify: { outcomes: ['verified', 'different'] as const, fields: { findings: 'optional' }, requiredWhen: { different: ['findings'] } },
  /** one of a release's tests, run on its build: the result and what was found */
  release_test: { outcomes: ['passed', 'failed'] as const, fields: { results: 'required' } },
  /** a release deployed to an environment by hand */
  deploy: { outcomes: ['deployed', 'failed'] as const, fields: { notes: 'optional' }, requiredWhen: { failed: ['notes'] } },
  /** a release checked in an environment after its deployment */
  verify_deployment: { outcomes: ['verified', 'failed'] as const, fields: { notes: 'optional' }, requiredWhen: { failed: ['notes'] } },
  /** a release taken out of an environment again: the environment back as it was */
  rollback: { outcomes: ['rolled_back', 'failed'] as const, fields: { notes: 'required' } },
  /** a service some time after its transition: did it go well, and what is learned */
  post_transition_review: { outcomes: ['successful', 'issues'] as const, fields: { lessons: 'required', notes: 'optional' } },
} as const satisfies Record<string, { outcomes: readonly string[]; fields: Record<string, 'required' | 'optional'>; requiredWhen?: Record<string, readonly string[]> }>;
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

export type TaskCommand = 'claim' | 'unclaim' | 'complete' | 'reassign';

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
      const problem = fieldsProblem(def.fields, fields ?? {});
      if (problem) return { kind: 'invalid', message: problem };
      // fields an outcome needs that the type otherwise leaves optional (a difference says what differs)
      const needed = ('requiredWhen' in def ? (def.requiredWhen as Record<string, readonly string[]>)[outcome] : undefined) ?? [];
      const missing = needed.find((f) => (fields as Record<string, unknown> | undefined)?.[f] === undefined);
      return missing ? { kind: 'invalid', message: `fields.${missing}: required when the outcome is ${outcome}` } : null;
    }
  }
}

/**
 * Why completion fields do not fit their type (null: they fit): the first field in the type's
 * order that is missing, not text, blank or too long, then fields the type does not take. Worded
 * as the API words a schema's refusal.
 */
function fieldsProblem(spec: Record<string, 'required' | 'optional'>, fields: unknown): string | null {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (kind(fields) !== 'object') return `fields.(all): Invalid input: expected object, received ${kind(fields)}`;
  const given = fields as Record<string, unknown>;
  for (const [name, need] of Object.entries(spec)) {
    const v = given[name];
    if (v === undefined && need === 'optional') continue;
    if (typeof v !== 'string') return `fields.${name}: Invalid input: expected string, received ${kind(v)}`;
    const length = v.trim().length;
    if (length < 1) return `fields.${name}: Too small: expected string to have >=1 characters`;
    if (length > TASK_FIELD_MAX) return `fields.${name}: Too big: expected string to have <=${TASK_FIELD_MAX} characters`;
  }
  const unknown = Object.keys(given).filter((k) => !Object.hasOwn(spec, k));
  return unknown.length ? `fields.(all): unknown field ${unknown.join(', ')}` : null;
}
