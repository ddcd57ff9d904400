/** Who is acting: the identity behind an API key, passed with every command into the workflow. */
export const ROLES = ['admin', 'process_owner', 'agent', 'approver', 'improvement_manager', 'requester', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  name: string;
  roles: Role[];
  groups: string[];
}

export const SYSTEM: Actor = { name: 'system', roles: ['admin'], groups: [] };
