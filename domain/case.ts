/**
 * What every process's commands share: what a command carries and what it answers. Types only,
 * imported by the workflows, their activities and the API alike.
 */
import type { Actor } from './actor';

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

/** What every command carries: who acts, and the command's input */
export interface CommandArgs<I = unknown> {
  actor: Actor;
  input: I;
}
