/** The priority matrix: priority = f(impact, urgency), a process owner's data. */
import { z } from 'zod';

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export const Priority = z.enum(PRIORITIES);
export type Priority = z.infer<typeof Priority>;

/** 1 is the highest impact or urgency, 3 the lowest. */
export const Level = z.number().int().min(1).max(3);
export type Level = 1 | 2 | 3;

const Row = z.strictObject({ '1': Priority, '2': Priority, '3': Priority });

/** matrix[impact][urgency] */
export const PriorityMatrixBody = z.strictObject({
  matrix: z.strictObject({ '1': Row, '2': Row, '3': Row }),
});
export type PriorityMatrixBody = z.infer<typeof PriorityMatrixBody>;

export const DEFAULT_PRIORITY_MATRIX: PriorityMatrixBody = {
  matrix: {
    '1': { '1': 'P1', '2': 'P2', '3': 'P3' },
    '2': { '1': 'P2', '2': 'P3', '3': 'P4' },
    '3': { '1': 'P3', '2': 'P4', '3': 'P4' },
  },
};

export function priorityOf(policy: PriorityMatrixBody, impact: number, urgency: number): Priority {
  const row = policy.matrix[String(impact) as '1' | '2' | '3'];
  const cell = row?.[String(urgency) as '1' | '2' | '3'];
  if (!cell) throw new RangeError(`impact ${impact} and urgency ${urgency} must each be 1, 2 or 3`);
  return cell;
}
