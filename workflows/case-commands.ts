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
import { refusal, type RefusalKind } from './refusal';

/** what every command carries: who acts, and the command's input */
export interface CommandArgs<I = unknown> {
  actor: Actor;
  input: I;
}

export function handleCommands<C extends string, R extends { state: string }, V>(opts: {
  updates: Record<C, UpdateDefinition<V, [any]>>;
  /** the case, once it is recorded (commands wait until then) */
  current: () => R | undefined;
  refuse: (rec: R, command: C, actor: Actor, input: unknown) => { kind: RefusalKind; message: string } | null;
  apply: (command: C, input: unknown, actor: Actor) => Promise<V>;
}): void {
  for (const command of Object.keys(opts.updates) as C[]) {
    const check = ({ actor, input }: CommandArgs, rec: R | undefined) => {
      if (rec) {
        const refused = opts.refuse(rec, command, actor, input ?? {});
        if (refused) throw refusal(refused, rec.state);
      }
      return input ?? {};
    };
    wf.setHandler(
      opts.updates[command] as UpdateDefinition<V, [CommandArgs]>,
      async (args: CommandArgs) => {
        await wf.condition(() => opts.current() !== undefined);
        return opts.apply(command, check(args, opts.current()), args.actor);
      },
      { validator: (args: CommandArgs) => void check(args, opts.current()) },
    );
  }
}
