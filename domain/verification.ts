/**
 * Configuration verification and audit [ISO/IEC 20000-1 8.2.6]: the CIs not verified within the
 * policy's period are checked against what is really there, each by its owner group as a task of
 * one verification case. A CI found as recorded is marked verified; one that differs opens an
 * incident or a change (or is only recorded), as the policy says, and the case links it.
 */
import type { Actor } from './actor';
import { refuseByState, type CaseEvent, type StateTable } from './case';
import type { CiVerificationPolicyBody } from './schemas/verification';

export type { VerificationCommandInput, CiVerificationPolicyBody } from './schemas/verification';

export const VERIFICATION_STATES = ['verifying', 'closed', 'cancelled'] as const;
export type VerificationState = (typeof VERIFICATION_STATES)[number];

export const VERIFICATION_COMMANDS = ['cancel', 'comment'] as const;
export type VerificationCommand = (typeof VERIFICATION_COMMANDS)[number];

export const VERIFICATION_TABLE: StateTable<VerificationState, VerificationCommand> = {
  noun: 'a verification',
  states: VERIFICATION_STATES,
  final: ['closed', 'cancelled'],
  commands: {
    cancel: { from: ['verifying'], to: ['cancelled'] },
    comment: { from: ['verifying'], to: 'same' },
  },
};
/** What the case does by itself: its last task completed closes it. */
export const VERIFICATION_AUTOMATIC: ReadonlyArray<{ from: VerificationState; to: VerificationState }> = [{ from: 'verifying', to: 'closed' }];

export function refuseVerificationCommand(v: { state: VerificationState }, command: VerificationCommand, actor: Actor): { kind: 'forbidden' | 'conflict'; message: string } | null {
  const wrongState = refuseByState(VERIFICATION_TABLE, command, v.state);
  if (wrongState) return wrongState;
  if (command === 'cancel' && !actor.roles.includes('admin') && !actor.roles.includes('process_owner')) return { kind: 'forbidden', message: 'only a process owner can cancel a verification' };
  return null;
}

export function verificationNumber(n: number): string {
  return `VER${String(n).padStart(7, '0')}`;
}

export const DEFAULT_CI_VERIFICATION_POLICY: CiVerificationPolicyBody = {
  enabled: true,
  everyDays: 180,
  classes: {},
  verifierGroup: null,
  dueDays: 14,
  maxPerAudit: 200,
  onDifference: 'incident',
  incident: { service: 'Configuration management', category: 'configuration', impact: 3, urgency: 3 },
  change: { leadDays: 7 },
};

/** How many days a CI of a class may go unverified under a policy. */
export function verificationPeriodDays(policy: CiVerificationPolicyBody, ciClass: string): number {
  return policy.classes[ciClass] ?? policy.everyDays;
}

/** A CI to verify, as the case opens its task. */
export interface VerificationItemInput {
  ci: string;
  class: string;
  /** the group that verifies it: the CI's owner */
  group: string;
  /** the service its incident names on a difference: the first portfolio service listing the CI, else the policy's */
  service: string;
  verifiedAt: number | null;
}

export interface VerificationItem extends VerificationItemInput {
  task: string | null;
  result: 'verified' | 'different' | null;
  findings: string | null;
  by: string | null;
  at: number | null;
  /** the incident or change a difference opened */
  opened: string | null;
}

export interface VerificationRecord {
  number: string;
  state: VerificationState;
  policy: { version: number; onDifference: CiVerificationPolicyBody['onDifference'] };
  openedBy: string;
  openedAt: number;
  dueAt: number;
  overdueAt: number | null;
  items: VerificationItem[];
  closedAt: number | null;
  cancelReason: string | null;
  comments: Array<{ at: number; by: string; text: string }>;
  seq: number;
}

export type VerificationEvent = CaseEvent<VerificationState>;
