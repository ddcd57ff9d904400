/**
 * Service design and transition [ISO/IEC 20000-1 8.5.2]: a new or changed service brought from its
 * design into operation, or a service retired. The design is a checklist (requirements, acceptance
 * criteria, and the considerations 8.5.2.2 asks for: SLA, capacity, availability and continuity,
 * information security, budget), approved by policy; the service is built and transitioned through
 * releases; accepted against its criteria, when the portfolio says what the transition made of it;
 * reviewed after a period. Pure: the workflow, its activities and the API share it.
 */
import type { Actor } from './actor';
import { refuseByState, type CaseEvent, type StateTable } from './case';
import type { TransitionCommandInput, TransitionPolicyBody } from './schemas/transition';

export type { CreateTransitionInput, TransitionCommandInput, TransitionPolicyBody } from './schemas/transition';

export const TRANSITION_KINDS = ['new', 'change', 'retire'] as const;
export type TransitionKind = (typeof TRANSITION_KINDS)[number];

export const TRANSITION_STATES = ['design', 'design_approval', 'transition', 'acceptance', 'post_transition', 'closed', 'cancelled'] as const;
export type TransitionState = (typeof TRANSITION_STATES)[number];

/** What the design of a new or changed service considers besides its requirements [8.5.2.2]. */
export const DESIGN_CONSIDERATIONS = ['sla', 'capacity', 'availability_continuity', 'information_security', 'budget'] as const;
export const ITEM_KINDS = ['requirement', 'acceptance_criterion', ...DESIGN_CONSIDERATIONS] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];
const CONSIDERATION_NAMES: Record<(typeof DESIGN_CONSIDERATIONS)[number], string> = {
  sla: 'an SLA draft (sla)',
  capacity: 'a capacity item (capacity)',
  availability_continuity: 'an availability and continuity item (availability_continuity)',
  information_security: 'an information security item (information_security)',
  budget: 'a budget item (budget)',
};

export const TRANSITION_COMMANDS = ['add_item', 'record_evidence', 'submit_design', 'submit_for_acceptance', 'meet_criterion', 'accept', 'refuse', 'add_improvement', 'cancel', 'comment'] as const;
export type TransitionCommand = (typeof TRANSITION_COMMANDS)[number];

/** the most checklist items one transition holds, and the most improvements its review opens */
export const MAX_TRANSITION_ITEMS = 100;
export const MAX_TRANSITION_IMPROVEMENTS = 20;

/** Release states that count as transitioned (the release is in operation), and those that do not count at all. */
export const RELEASE_DONE = ['early_life_support', 'closed'] as const;
export const RELEASE_NOT_COUNTED = ['cancelled', 'rolled_back'] as const;

export const DEFAULT_TRANSITION_POLICY: TransitionPolicyBody = { reviewAfterDays: 30, reviewGroup: null, reviewDueDays: 14 };

const OPEN: TransitionState[] = ['design', 'design_approval', 'transition', 'acceptance', 'post_transition'];
export const TRANSITION_TABLE: StateTable<TransitionState, TransitionCommand> = {
  noun: 'a transition',
  states: TRANSITION_STATES,
  final: ['closed', 'cancelled'],
  commands: {
    add_item: { from: ['design'], to: 'same' },
    record_evidence: { from: ['design'], to: 'same' },
    submit_design: { from: ['design'], to: ['design_approval'] },
    submit_for_acceptance: { from: ['transition'], to: ['acceptance'] },
    meet_criterion: { from: ['acceptance'], to: 'same' },
    accept: { from: ['acceptance'], to: ['post_transition'] },
    refuse: { from: ['acceptance'], to: ['transition'] },
    add_improvement: { from: ['post_transition'], to: 'same' },
    cancel: { from: ['design', 'design_approval', 'transition', 'acceptance'], to: ['cancelled'] },
    comment: { from: OPEN, to: 'same' },
  },
};
/** What the transition does by itself: the design approved or sent back, the review done. */
export const TRANSITION_AUTOMATIC: ReadonlyArray<{ from: TransitionState; to: TransitionState }> = [
  { from: 'design_approval', to: 'transition' },
  { from: 'design_approval', to: 'design' },
  { from: 'post_transition', to: 'closed' },
];

export function transitionNumber(n: number): string {
  return `TRN${String(n).padStart(7, '0')}`;
}

// ---- the design checklist ----

export interface TransitionItem {
  id: string;
  kind: ItemKind;
  title: string;
  /** who answers for it: records its evidence, or meets it at acceptance */
  owner: string;
  /** what shows it is done (for an acceptance criterion: that it was met at acceptance) */
  evidence: string | null;
  evidenceBy: string | null;
  evidenceAt: number | null;
  by: string;
  at: number;
}

const label = (i: TransitionItem) => `${i.id} (${i.title})`;

/**
 * What a design lacks before it can be approved (empty: nothing): a requirement and an acceptance
 * criterion; for a new or changed service one item of each consideration; and evidence on every
 * item but the acceptance criteria, which are met at acceptance. A retirement needs no considerations.
 */
export function designGaps(kind: TransitionKind, items: readonly TransitionItem[]): string[] {
  const has = (k: ItemKind) => items.some((i) => i.kind === k);
  const gaps: string[] = [];
  if (!has('requirement')) gaps.push('a requirement');
  if (!has('acceptance_criterion')) gaps.push('an acceptance criterion');
  if (kind !== 'retire') for (const c of DESIGN_CONSIDERATIONS) if (!has(c)) gaps.push(CONSIDERATION_NAMES[c]);
  const unproven = items.filter((i) => i.kind !== 'acceptance_criterion' && i.evidence === null);
  if (unproven.length) gaps.push(`evidence on ${unproven.map(label).join(', ')}`);
  return gaps;
}

/** The acceptance criteria not met yet. */
export function unmetCriteria(items: readonly TransitionItem[]): TransitionItem[] {
  return items.filter((i) => i.kind === 'acceptance_criterion' && i.evidence === null);
}

/** Why the releases found for a transition do not let it go to acceptance (null: they do). */
export function releasesNotReady(releases: ReadonlyArray<{ number: string; state: string }>): string | null {
  const counted = releases.filter((r) => !(RELEASE_NOT_COUNTED as readonly string[]).includes(r.state));
  if (counted.length === 0) return releases.length ? `every release of it is ${RELEASE_NOT_COUNTED.join(' or ')}: the service needs a release in ${RELEASE_DONE.join(' or ')}` : 'no release names this transition: the service is transitioned through a release';
  const pending = counted.filter((r) => !(RELEASE_DONE as readonly string[]).includes(r.state));
  return pending.length ? `releases not yet in ${RELEASE_DONE.join(' or ')}: ${pending.map((r) => `${r.number} (${r.state})`).join(', ')}` : null;
}

// ---- rights ----

type Refusal = { kind: 'forbidden' | 'conflict' | 'invalid'; message: string };

export interface TransitionFacts {
  state: TransitionState;
  kind: TransitionKind;
  owner: string;
  group: string;
  service: { owner: string };
  items: TransitionItem[];
  improvements: unknown[];
}

/**
 * Whether a command is legal now and this actor may give it. The transition's owner (its manager)
 * and process owners steer it; its group does the work; an item's owner records its evidence; the
 * service owner accepts or refuses the service.
 */
export function refuseTransitionCommand(t: TransitionFacts, command: TransitionCommand, actor: Actor, input: unknown = {}): Refusal | null {
  const wrongState = refuseByState(TRANSITION_TABLE, command, t.state);
  if (wrongState) return wrongState;
  const manager = actor.roles.includes('admin') || actor.roles.includes('process_owner') || actor.name === t.owner;
  const member = actor.groups.includes(t.group);
  const no = (message: string): Refusal => ({ kind: 'forbidden', message });
  switch (command) {
    case 'comment':
      return null;
    case 'add_item': {
      if (!manager && !member) return no(`only the transition's owner (${t.owner}), a member of ${t.group} or a process owner can add to the design`);
      return t.items.length >= MAX_TRANSITION_ITEMS ? { kind: 'conflict', message: `a transition holds at most ${MAX_TRANSITION_ITEMS} items` } : null;
    }
    case 'record_evidence':
    case 'meet_criterion': {
      const id = (input as { item?: string }).item;
      const item = t.items.find((i) => i.id === id);
      if (!item) return { kind: 'invalid', message: `item: there is no item ${id} in this transition` };
      if (!manager && actor.name !== item.owner) return no(`only the item's owner (${item.owner}), the transition's owner (${t.owner}) or a process owner can ${command === 'meet_criterion' ? 'meet' : 'record evidence on'} ${item.id}`);
      if (command === 'record_evidence' && item.kind === 'acceptance_criterion') return { kind: 'conflict', message: `${item.id} is an acceptance criterion: it is met at acceptance (meet_criterion)` };
      if (command === 'meet_criterion' && item.kind !== 'acceptance_criterion') return { kind: 'conflict', message: `${item.id} is a ${item.kind.replace(/_/g, ' ')} item, not an acceptance criterion` };
      return null;
    }
    case 'submit_design': {
      if (!manager) return no(`only the transition's owner (${t.owner}) or a process owner can submit the design`);
      const gaps = designGaps(t.kind, t.items);
      return gaps.length ? { kind: 'conflict', message: `the design is not complete: it needs ${gaps.join('; ')}` } : null;
    }
    case 'submit_for_acceptance': {
      if (!manager) return no(`only the transition's owner (${t.owner}) or a process owner can submit the service for acceptance`);
      // the API found the releases; a new or changed service goes only through one
      const releases = (input as { releases?: Array<{ number: string; state: string }> }).releases ?? [];
      const notReady = t.kind === 'retire' ? null : releasesNotReady(releases);
      return notReady ? { kind: 'conflict', message: notReady } : null;
    }
    case 'accept': {
      if (!manager && actor.name !== t.service.owner) return no(`only the service owner (${t.service.owner}), the transition's owner (${t.owner}) or a process owner can accept the service`);
      const unmet = unmetCriteria(t.items);
      return unmet.length ? { kind: 'conflict', message: `acceptance criteria not met: ${unmet.map(label).join(', ')}` } : null;
    }
    case 'refuse':
      return manager || actor.name === t.service.owner ? null : no(`only the service owner (${t.service.owner}), the transition's owner (${t.owner}) or a process owner can refuse the service`);
    case 'add_improvement':
      if (!manager && !member && !actor.roles.includes('improvement_manager')) return no(`only the transition's owner (${t.owner}), a member of ${t.group}, a process owner or an improvement manager can open an improvement`);
      return t.improvements.length >= MAX_TRANSITION_IMPROVEMENTS ? { kind: 'conflict', message: `a transition's review opens at most ${MAX_TRANSITION_IMPROVEMENTS} improvements` } : null;
    case 'cancel':
      return manager ? null : no(`only the transition's owner (${t.owner}) or a process owner can cancel it`);
  }
}

// ---- the record, its history entries: shared by the workflow, its activities and the API ----

/** What acceptance wrote in the portfolio: each record's version before and after (null: left as it was). */
export interface PortfolioChange {
  service: { id: string; from: string; to: string; version: number | null };
  slas: Array<{ id: string; active: boolean; version: number | null; note: string | null }>;
  catalogItems: Array<{ id: string; active: boolean; version: number | null }>;
}

export interface TransitionRecord {
  number: string;
  state: TransitionState;
  kind: TransitionKind;
  /** the service as the portfolio had it when the transition opened */
  service: { id: string; name: string; owner: string; status: string };
  title: string;
  description: string;
  /** the transition manager */
  owner: string;
  /** the team doing the work; it takes the post-transition review unless the policy names another */
  group: string;
  openedBy: string;
  openedAt: number;
  items: TransitionItem[];
  /** the last decision on the design: the policy that decided it (null: none matched) */
  approval: { policy: { id: string; version: number } | null; outcome: 'approved' | 'rejected'; reason: string; at: number } | null;
  /** the releases that transitioned it, as they stood when it went to acceptance */
  releases: Array<{ number: string; state: string }>;
  accepted: { by: string; at: number } | null;
  portfolio: PortfolioChange | null;
  review: { dueAt: number; taskDueAt: number | null; overdueAt: number | null; outcome: string | null; lessons: string | null; notes: string | null; by: string | null; at: number | null };
  improvements: Array<{ number: string; title: string; by: string; at: number }>;
  policy: { version: number } & TransitionPolicyBody;
  closedAt: number | null;
  cancelReason: string | null;
  comments: Array<{ at: number; by: string; text: string }>;
  seq: number;
}

export type TransitionEvent = CaseEvent<TransitionState>;
export type TransitionCommandInputs = { [K in TransitionCommand]: TransitionCommandInput<K> };
