/** A task command's input and the fields each task type's completion carries, as the API validates them. */
import { z } from 'zod';
import { TASK_FIELD_MAX, TASK_TYPES, type TaskCommand, type TaskType } from '../task';

const notes = z.string().trim().min(1).max(TASK_FIELD_MAX);

/** the completion fields of each task type, from the type's table in the rules */
export const TaskFields = Object.fromEntries(
  Object.entries(TASK_TYPES).map(([type, def]) => [
    type,
    z.strictObject(Object.fromEntries(Object.entries(def.fields).map(([field, need]) => [field, need === 'required' ? notes : notes.optional()]))),
  ]),
) as Record<TaskType, z.ZodObject>;

export const TaskCommandInputs = {
  claim: z.strictObject({}),
  unclaim: z.strictObject({}),
  complete: z.strictObject({ outcome: z.string().min(1).max(50), fields: z.record(z.string(), z.unknown()).default({}) }),
  reassign: z.strictObject({ group: z.string().trim().min(1).max(200), assignee: z.string().trim().min(1).max(200).optional(), note: z.string().max(2000).optional() }),
} satisfies Record<TaskCommand, z.ZodType>;
export type TaskCommandInput<C extends TaskCommand> = z.infer<(typeof TaskCommandInputs)[C]>;
