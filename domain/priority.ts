/** The priority matrix: priority = f(impact, urgency), a process owner's data. */
import type { PriorityMatrixBody } from './schemas/priority';

export type { PriorityMatrixBody } from './schemas/priority';

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** 1 is the highest impact or urgency, 3 the lowest. */
export type Level = 1 | 2 | 3;

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
