/**
 * A case's commands as workflow updates, the same way for every process: the input is checked
 * against its schema, and the command refused when the case's state or the actor's rights do not
 * allow it, first in the validator (so a refusal leaves no trace in the history) and again in the
 * handler (which may run after other commands changed the case); then it is applied.
 */
import * as wf from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import type { Actor } from '../domain/actor';
import { refusal, type RefusalKind } from './refusal';

/** what every command carries: who acts, and the command's input */
export interface CommandArgs<I = unknown> {
  actor: Actor;
  input: I;
}

export function handleCommands<C extends string, R extends { state: string }, V>(opts: {
  updates: Record<C, UpdateDefinition<V, [any]>>;
  inputs: Record<C, z.ZodType>;
  /** the case, once it is recorded (commands wait until then) */
  current: () => R | undefined;
  refuse: (rec: R, command: C, actor: Actor, input: unknown) => { kind: RefusalKind; message: string } | null;
  apply: (command: C, input: unknown, actor: Actor) => Promise<V>;
}): void {
  for (const command of Object.keys(opts.updates) as C[]) {
    const check = ({ actor, input }: CommandArgs, rec: R | undefined) => {
      const parsed = opts.inputs[command].safeParse(input ?? {});
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        const where = i?.path.length ? `${i.path.join('.')}: ` : '';
        throw refusal({ kind: 'invalid', message: `${where}${i?.message ?? 'invalid input'}` }, rec?.state);
      }
      if (rec) {
        const refused = opts.refuse(rec, command, actor, parsed.data);
        if (refused) throw refusal(refused, rec.state);
      }
      return parsed.data;
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
