/**
 * What every process's commands share: what a command carries and what it answers. Types only,
 * imported by the workflows, their activities and the API alike.
 */
import type { Actor } from './actor';
import type { Process } from './processes';

/**
 * What a command answers: where it left the case. Never the case itself: an answer is kept in
 * the case's history, and a case copied into every answer makes the history grow with the square
 * of its activity. The API answers with the case as the database holds it once the command is
 * applied (its transition is persisted before the command is answered).
 */
export interface CommandOutcome {
  number: string;
  state: string;
  seq: number;
}

/** One entry of a case's history, as the audit trail keeps it. */
export interface CaseEvent<S extends string> {
  seq: number;
  action: string;
  from: S | null;
  to: S;
  by: string;
  at: number;
  note: string | null;
  details?: Record<string, unknown>;
}

/** A process that runs as a case: one of domain/processes.ts PROCESSES. */
export type CaseKind = Process;

/**
 * Comments sit in a case's record and travel through its Temporal history once each, so a case
 * of any process takes at most 100, of at most 2,000 characters each.
 */
export const MAX_COMMENTS = 100;
export const commentLimit = (number: string | undefined) => `${number ?? 'this case'} takes at most ${MAX_COMMENTS} comments (of at most 2,000 characters each)`;

/** What every command carries: who acts, and the command's input */
export interface CommandArgs<I = unknown> {
  actor: Actor;
  input: I;
}

/**
 * A process's state table, the one description of its life that the workflow's refusals, the
 * API's refusals and the OpenAPI document ("allowed when …") are all derived from: for each
 * command the states it is allowed from and the states it can lead to (more than one where the
 * command's input or the process decides), and the final states, in which a case takes no more
 * commands.
 */
export interface StateTable<S extends string, C extends string> {
  /** what the process calls a case, with its article: 'an incident' */
  noun: string;
  states: readonly S[];
  final: readonly S[];
  commands: Record<C, { from: readonly S[]; to: readonly S[] | 'same' }>;
}

const words = (s: string) => s.replace(/_/g, ' ');

/** Whether `command` is allowed in `state`. */
export const allowedIn = <S extends string, C extends string>(table: StateTable<S, C>, command: C, state: S) => table.commands[command].from.includes(state);

/** The refusal of a command the case's state does not allow (409), or null. */
export function refuseByState<S extends string, C extends string>(table: StateTable<S, C>, command: C, state: S): { kind: 'conflict'; message: string } | null {
  return allowedIn(table, command, state) ? null : { kind: 'conflict', message: `cannot ${words(command)} ${table.noun} that is ${words(state)}` };
}

/** "Allowed when the change is new, assessment; leads to cancelled." for the API's description. */
export function allowedWhen<S extends string, C extends string>(table: StateTable<S, C>, command: C): string {
  const t = table.commands[command];
  const to = t.to === 'same' ? 'leaves the state as it is' : `leads to ${t.to.join(' or ')}`;
  return `Allowed when ${table.noun.replace(/^an? /, 'the ')} is ${t.from.join(', ')}; ${to}.`;
}

/** What is wrong with a table (empty when nothing): unknown states, commands from final states, unreachable states. */
export function tableFaults<S extends string, C extends string>(table: StateTable<S, C>, initial: readonly S[], automatic: ReadonlyArray<{ from: S; to: S }> = []): string[] {
  const faults: string[] = [];
  const known = new Set<string>(table.states);
  for (const f of table.final) if (!known.has(f)) faults.push(`final state ${f} is not a state`);
  const edges: Array<{ from: S; to: S; by: string }> = automatic.map((a) => ({ ...a, by: 'the process' }));
  for (const [command, t] of Object.entries(table.commands) as Array<[C, { from: readonly S[]; to: readonly S[] | 'same' }]>) {
    if (t.from.length === 0) faults.push(`${command} is allowed from no state`);
    for (const s of t.from) {
      if (!known.has(s)) faults.push(`${command} is allowed from ${s}, which is not a state`);
      if (table.final.includes(s)) faults.push(`${command} is allowed from the final state ${s}`);
      for (const to of t.to === 'same' ? [s] : t.to) edges.push({ from: s, to, by: command });
    }
    if (t.to !== 'same') for (const s of t.to) if (!known.has(s)) faults.push(`${command} leads to ${s}, which is not a state`);
  }
  const reached = new Set<string>(initial);
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of edges) if (reached.has(e.from) && !reached.has(e.to)) grew = !!reached.add(e.to);
  }
  for (const s of table.states) if (!reached.has(s)) faults.push(`${s} cannot be reached`);
  return faults;
}
