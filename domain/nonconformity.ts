/**
 * Nonconformity and corrective action [ISO/IEC 20000-1 10.1]: a requirement not met, contained,
 * its root cause found, a corrective action run as a PDCA improvement cycle, and its
 * effectiveness reviewed before it closes.
 */
import { z } from 'zod';
import type { Actor } from './actor';

const text = (max: number) => z.string().trim().min(1).max(max);
const name = text(200);

export const NONCONFORMITY_STATES = ['containment', 'root_cause', 'corrective_action', 'effectiveness_review', 'closed', 'cancelled'] as const;
export type NonconformityState = (typeof NONCONFORMITY_STATES)[number];

export const RaiseNonconformityInput = z.strictObject({
  title: text(200),
  /** where it was found: an internal audit, a process review, a customer complaint … */
  detectedIn: name,
  /** the requirement not met, e.g. "ISO/IEC 20000-1 8.6.1" or an SLA clause */
  requirement: name,
  evidence: text(10_000),
  severity: z.enum(['minor', 'major']),
  service: name,
  /** the person accountable for correcting it */
  owner: name,
});
export type RaiseNonconformityInput = z.infer<typeof RaiseNonconformityInput>;

export const NONCONFORMITY_COMMANDS = ['contain', 'record_root_cause', 'review_effectiveness', 'cancel', 'comment'] as const;
export type NonconformityCommand = (typeof NONCONFORMITY_COMMANDS)[number];
export const NonconformityCommandInputs = {
  /** what was done at once to limit the effects */
  contain: z.strictObject({ actions: text(10_000) }),
  /** the root cause: a corrective action starts, as a PDCA improvement cycle */
  record_root_cause: z.strictObject({ rootCause: text(10_000) }),
  /** after the corrective action closed: effective closes it; not effective starts another corrective action */
  review_effectiveness: z.strictObject({ effective: z.boolean(), notes: text(10_000) }),
  cancel: z.strictObject({ reason: text(2000) }),
  comment: z.strictObject({ text: text(2000) }),
} satisfies Record<NonconformityCommand, z.ZodType>;
export type NonconformityCommandInput<C extends NonconformityCommand> = z.infer<(typeof NonconformityCommandInputs)[C]>;

const FROM: Record<NonconformityCommand, readonly NonconformityState[]> = {
  contain: ['containment'],
  record_root_cause: ['root_cause'],
  review_effectiveness: ['effectiveness_review'],
  // raised in error: withdrawn before any corrective action starts
  cancel: ['containment', 'root_cause'],
  comment: ['containment', 'root_cause', 'corrective_action', 'effectiveness_review'],
};

export function refuseNonconformityCommand(n: { state: NonconformityState; owner: string }, command: NonconformityCommand, actor: Actor): { kind: 'forbidden' | 'conflict'; message: string } | null {
  if (!FROM[command].includes(n.state)) return { kind: 'conflict', message: `cannot ${command.replace(/_/g, ' ')} a nonconformity in ${n.state.replace(/_/g, ' ')}` };
  if (command === 'comment' || actor.roles.includes('admin') || actor.roles.includes('improvement_manager') || actor.name === n.owner) return null;
  if (command === 'review_effectiveness' && actor.roles.includes('auditor')) return null; // an auditor may verify the correction
  return { kind: 'forbidden', message: `only an improvement manager or the owner (${n.owner}) can ${command.replace(/_/g, ' ')}` };
}

export function nonconformityNumber(n: number): string {
  return `NCR${String(n).padStart(7, '0')}`;
}
export const NonconformityNumber = z.string().regex(/^NCR\d{7,}$/, 'a nonconformity number such as NCR0000001');
