/** The priority matrix as a process owner writes it, and the priority and level values, as the API validates them. */
import { z } from 'zod';
import { PRIORITIES } from '../priority';
import type * as rules from '../priority';

export const Priority = z.enum(PRIORITIES);
export type Priority = z.infer<typeof Priority>;

/** 1 is the highest impact or urgency, 3 the lowest. */
export const Level = z.number().int().min(1).max(3);
export type Level = rules.Level;

const Row = z.strictObject({ '1': Priority, '2': Priority, '3': Priority });

/** matrix[impact][urgency] */
export const PriorityMatrixBody = z.strictObject({
  matrix: z.strictObject({ '1': Row, '2': Row, '3': Row }),
});
export type PriorityMatrixBody = z.infer<typeof PriorityMatrixBody>;
