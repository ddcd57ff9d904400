/** Who is acting: the identity behind an API key, passed with every command into the workflow. */
import { z } from 'zod';

export const ROLES = ['admin', 'process_owner', 'agent', 'approver', 'improvement_manager', 'requester', 'auditor'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export interface Actor {
  name: string;
  roles: Role[];
  groups: string[];
}

export const SYSTEM: Actor = { name: 'system', roles: ['admin'], groups: [] };
