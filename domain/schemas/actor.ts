/** The roles an API key may carry, as the API validates them. */
import { z } from 'zod';
import { ROLES } from '../actor';

export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;
