/**
 * A case's commands as workflow updates, the same way for every process: the command is refused
 * when the case's state or the actor's rights do not allow it, first in the validator (so a
 * refusal leaves no trace in the history) and again in the handler (which may run after other
 * commands changed the case); then it is applied.
 * The input is not parsed here: the API parses every body with the command's zod schema before it
 * sends the command, and zod in the workflow bundle would cost every cached workflow its own
 * instance of every schema.
 */
import * as wf from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { Actor } from '../domain/actor';
import { commentLimit, MAX_COMMENTS, type CommandArgs, type CommandOutcome } from '../domain/case';
import { refusal, type RefusalKind } from './refusal';

export type { CommandArgs, CommandOutcome } from '../domain/case';

/**
 * A case takes a bounded number of comments (each bounded by its schema), whatever its process:
 * they sit in its record and travel through its history. Cases that took more before the limit
 * was shared by every process replay as they ran ('comment-limit').
 */
function overCommentLimit(comments: number, command: string, replayable: boolean): boolean {
  if (command !== 'comment' || comments < MAX_COMMENTS) return false;
  return replayable ? wf.patched('comment-limit') : true;
}

/**
 * A process's commands as Temporal updates, one per command, named `<prefix><command>`: `I` maps
 * each command to its input, so each update is typed by its own. The names are in the histories of
 * running cases: never rename one.
 */
export function commandUpdates<I extends Record<string, unknown>>(prefix: string, commands: ReadonlyArray<keyof I & string>) {
  return Object.fromEntries(commands.map((c) => [c, wf.defineUpdate<CommandOutcome, [CommandArgs<I[typeof c]>]>(`${prefix}${c}`)])) as {
    [K in keyof I & string]: UpdateDefinition<CommandOutcome, [CommandArgs<I[K]>]>;
  };
}

/** A command with its input, one case per command: a handler's `switch (cmd.command)` types `cmd.input`. */
export type CommandOf<C extends string, I extends Record<C, unknown>> = { [K in C]: { command: K; input: I[K] } }[C];

export function handleCommands<C extends string, I extends Record<C, unknown>, R extends { state: string; number: string; seq: number; comments?: unknown[] }>(opts: {
  updates: Record<C, UpdateDefinition<CommandOutcome, [any]>>;
  /** the case, once it is recorded (commands wait until then) */
  current: () => R | undefined;
  /** how many comments the case has */
  comments: () => number;
  refuse: (rec: R, command: C, actor: Actor, input: unknown) => { kind: RefusalKind; message: string } | null;
  apply: (cmd: CommandOf<C, I>, actor: Actor) => Promise<unknown>;
  /**
   * The outcome of an update this case applied in an earlier run, by update id: Temporal answers a
   * repeated update id only within one run, so a case that continued as new answers it from here.
   */
  answered?: (updateId: string) => CommandOutcome | undefined;
  /** called with every applied command's outcome */
  remember?: (updateId: string, outcome: CommandOutcome) => void;
}): void {
  const earlier = () => {
    const id = wf.currentUpdateInfo()?.id;
    return id === undefined ? undefined : opts.answered?.(id);
  };
  for (const command of Object.keys(opts.updates) as C[]) {
    const check = ({ actor, input }: CommandArgs, rec: R | undefined, inHandler: boolean) => {
      if (rec && !earlier()) {
        const refused = opts.refuse(rec, command, actor, input ?? {});
        if (refused) throw refusal(refused, rec.state);
        if (overCommentLimit(opts.comments(), command, inHandler)) {
          throw refusal({ kind: 'conflict', message: commentLimit(rec.number) }, rec.state);
        }
      }
      return input ?? {};
    };
    wf.setHandler(
      opts.updates[command] as UpdateDefinition<CommandOutcome, [CommandArgs]>,
      async (args: CommandArgs): Promise<CommandOutcome> => {
        const updateId = wf.currentUpdateInfo()?.id;
        await wf.condition(() => opts.current() !== undefined);
        const answered = earlier();
        if (answered) return answered;
        const applied = opts.apply({ command, input: check(args, opts.current(), true) } as CommandOf<C, I>, args.actor);
        // where this command left the case (a process may move on by itself before it is persisted)
        const rec = opts.current()!;
        const outcome = { number: rec.number, state: rec.state, seq: rec.seq };
        if (updateId !== undefined) opts.remember?.(updateId, outcome);
        await applied;
        return outcome;
      },
      // a validator may not record a patch marker: it runs only live, where the limit holds
      { validator: (args: CommandArgs) => void check(args, opts.current(), false) },
    );
  }
}
