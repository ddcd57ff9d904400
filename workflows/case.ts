/**
 * The building block every process's workflow is made of: what each of them would otherwise
 * repeat. A `Case` records transitions in order (each persisted, as what it changed, before the
 * command that caused it is answered), answers the `opened` update once the case is recorded,
 * registers the process's commands with their validator and handler, and lets the process wait
 * until it is recorded. The process's own file then holds its diagram: its record, its commands'
 * effects, its timers and the other cases and people it involves.
 */
import * as wf from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { Actor } from '../domain/actor';
import type { CaseEvent, CommandOutcome } from '../domain/case';

export type { CaseEvent } from '../domain/case';
import type { CaseKind, RecordOp } from '../domain/record-diff';
import { handleCommands, type CommandOf } from './case-commands';
import { caseWriter } from './persistence';
import type { RefusalKind } from './refusal';

type CaseRecord<S extends string> = { number: string; state: S; seq: number; comments?: unknown[] };

/**
 * What a case hands its next run when it continues as new: the record as persisted, and the
 * outcomes of the commands it applied lately by update id (a command repeated with its
 * Idempotency-Key after the case continued is answered with its outcome, not applied again).
 */
export interface CaseCarry<R> {
  record: R;
  updates: Array<[string, CommandOutcome & { at: number }]>;
  /** how many comments the case keeps in its stored record only */
  commentsOutside: number;
}

/** How many applied commands' outcomes a case remembers across runs, and for how long (the API keeps a key a day). */
const REMEMBERED_UPDATES = 1_000;
const REMEMBERED_FOR_MS = 24 * 3_600_000;

/**
 * The outcome of a command this case applied, by update id, as far as the case remembers it (the
 * commands of its earlier runs included): for a command repeated with its Idempotency-Key after
 * the case closed, when the first attempt ran in an earlier run than the last (Temporal answers a
 * repeated update id from the run that took it only). Null when the case does not know it.
 */
export const commandOutcome = wf.defineQuery<CommandOutcome | null, [string]>('case.command_outcome');

/** Which updates a case has applied, by update id (see Case.updates). */
export interface AppliedUpdates {
  applied(updateId: string): boolean;
  note(updateId: string): void;
}

export class Case<R extends CaseRecord<S>, S extends string> {
  private rec: R | undefined;
  private recorded = false;
  private writing = 0;
  /** comments written to the stored record only, not held here ('comments-outside') */
  private commentsOutside = 0;
  private readonly outcomes = new Map<string, CommandOutcome & { at: number }>();
  private readonly persist: (rec: R, event: CaseEvent<S>, outside?: RecordOp[]) => Promise<void>;

  /** Call before the workflow's first await, so no early command or `opened` finds no handler. */
  constructor(
    private readonly opts: {
      kind: CaseKind;
      /** the process's whole-record persist step, for cases that began before 'persist-diff' */
      legacy: (input: { record: R; event: CaseEvent<S> }) => Promise<void>;
      opened: UpdateDefinition<any, []>;
      /** what `opened` answers */
      view: () => unknown;
      /** run on every transition before it is persisted (to bring derived fields up to date) */
      beforeRecord?: (rec: R) => void;
      /** the case as its previous run left it, when this run continues it */
      resumed?: CaseCarry<R>;
    },
  ) {
    this.persist = caseWriter<R, CaseEvent<S>>(opts.kind, opts.legacy, opts.resumed?.record);
    if (opts.resumed) {
      this.rec = opts.resumed.record;
      this.recorded = true;
      this.commentsOutside = opts.resumed.commentsOutside;
      for (const [id, outcome] of opts.resumed.updates) this.outcomes.set(id, outcome);
    }
    wf.setHandler(commandOutcome, (updateId) => {
      const o = this.outcomes.get(updateId);
      return o ? { number: o.number, state: o.state, seq: o.seq } : null;
    });
    wf.setHandler(opts.opened, async () => {
      await this.ready();
      return opts.view();
    });
  }

  /**
   * Whether the case should continue as new now: Temporal suggests it once the history grows
   * past its thresholds (thousands of events or megabytes). Cases that began before this code
   * ignore the suggestion ('continue-as-new').
   */
  continueSuggested(): boolean {
    return wf.workflowInfo().continueAsNewSuggested && wf.patched('continue-as-new');
  }

  /**
   * Hands the case to a new run of its workflow, once every command in progress is answered and
   * every transition persisted; `next` makes the new run's input from what the case carries (the
   * process adds its own state: clocks, policies, building blocks). Never returns.
   */
  async continueAsNew<F extends wf.Workflow>(next: (carry: CaseCarry<R>) => Parameters<F>): Promise<never> {
    await wf.condition(() => this.writing === 0 && wf.allHandlersFinished());
    const since = Date.now() - REMEMBERED_FOR_MS;
    const updates = [...this.outcomes].filter(([, o]) => o.at >= since).slice(-REMEMBERED_UPDATES);
    return wf.continueAsNew<F>(...next({ record: this.rec!, updates, commentsOutside: this.commentsOutside }));
  }

  /**
   * Applies a transition to the case at once (nothing is awaited before it is applied, so
   * transitions never interleave), gives it the next sequence number, and resolves once it is
   * persisted.
   */
  readonly record = (action: string, by: string, note: string | null, details?: Record<string, unknown>, to?: S, at?: number, outside?: RecordOp[]): Promise<void> => {
    const r = this.rec!;
    const from = r.seq === 0 ? null : r.state;
    if (to) r.state = to;
    r.seq += 1;
    this.opts.beforeRecord?.(r);
    this.writing += 1;
    return this.persist(r, { seq: r.seq, action, from, to: r.state, by, at: at ?? Date.now(), note, details }, outside).finally(() => {
      this.writing -= 1;
    });
  };

  /**
   * The case's memory of applied updates, for building blocks with updates of their own (a task's
   * completion, an approval's decision): carried across continue-as-new like the commands', so such
   * an update repeated with its Idempotency-Key in a later run is answered, not refused for its own success.
   */
  readonly updates: AppliedUpdates = {
    applied: (updateId) => this.outcomes.has(updateId),
    note: (updateId) => {
      const r = this.rec!;
      this.outcomes.delete(updateId);
      this.outcomes.set(updateId, { number: r.number, state: r.state, seq: r.seq, at: Date.now() });
      if (this.outcomes.size > REMEMBERED_UPDATES) this.outcomes.delete(this.outcomes.keys().next().value!);
    },
  };

  /** For building blocks (approvals, tasks) that write into the case's history. */
  readonly history = (action: string, by: string, note: string | null, details: Record<string, unknown>): Promise<void> => this.record(action, by, note, details);

  /** Records the case as opened (its first transition); commands are taken from then on. */
  async open(rec: R, action: string, by: string, note: string | null, details: Record<string, unknown>, to: S, at?: number): Promise<void> {
    this.rec = rec;
    await this.record(action, by, note, details, to, at);
    this.recorded = true;
  }

  /**
   * The `comment` command, the same in every process: the comment joins the stored record and the
   * history, and the workflow keeps only their count: free text that does not drive the process
   * does not sit in its state (nor travel again with a continue-as-new). A case takes at most
   * MAX_COMMENTS of domain/case.ts, refused in case-commands.ts. Cases that began before kept
   * their comments in the workflow's record too, and replay so ('comments-outside').
   */
  comment({ text }: { text: string }, by: Actor): Promise<void> {
    const comment = { at: Date.now(), by: by.name, text };
    if (!wf.patched('comments-outside')) {
      (this.rec!.comments as Array<typeof comment>).push(comment);
      return this.record('comment', by.name, text);
    }
    this.commentsOutside += 1;
    return this.record('comment', by.name, text, undefined, undefined, undefined, [{ op: 'push', path: ['comments'], items: [comment] }]);
  }

  /**
   * Waits until `done`, handing the case to a new run (through `next`, as `continueAsNew` does)
   * whenever Temporal suggests it meanwhile: for a process that waits for people in a state where
   * it holds nothing else in progress. With `timeoutMs`, gives up then (the new run waits out what
   * is left of it, as the process's own `next` carries its deadline): true when `done` came first.
   */
  async waitFor<F extends wf.Workflow>(done: () => boolean, next: (carry: CaseCarry<R>) => Parameters<F>, timeoutMs?: number): Promise<boolean> {
    // a timed wait of a case that began before 'continue-as-new' keeps its one timer
    if (timeoutMs !== undefined && !wf.patched('continue-as-new')) return wf.condition(done, timeoutMs);
    const suggested = () => done() || wf.workflowInfo().continueAsNewSuggested;
    const came = timeoutMs === undefined ? (await wf.condition(suggested), true) : await wf.condition(suggested, timeoutMs);
    if (!came || done()) return came;
    if (this.continueSuggested()) await this.continueAsNew<F>(next);
    await wf.condition(done); // an untimed wait of a case that began before 'continue-as-new' just waits
    return true;
  }

  /** The `cancel` command, the same in every process that has one: the reason kept, the case closed. */
  cancel({ reason }: { reason: string }, by: Actor, to: S): Promise<void> {
    const r = this.rec as R & { cancelReason: string | null; closedAt: number | null };
    r.cancelReason = reason;
    r.closedAt = Date.now();
    return this.record('cancel', by.name, reason, {}, to);
  }

  /** Resolves once the case is recorded: signals and updates that arrive early wait for it. */
  ready(): Promise<void> {
    return wf.condition(() => this.recorded);
  }

  /** Registers the process's commands: refused by `refuse` (validator and handler), applied by `apply`. */
  commands<C extends string, I extends Record<C, unknown>>(opts: {
    updates: Record<C, UpdateDefinition<CommandOutcome, [any]>>;
    refuse: (rec: R, command: C, actor: Actor, input: unknown) => { kind: RefusalKind; message: string } | null;
    apply: (cmd: CommandOf<C, I>, actor: Actor) => Promise<unknown>;
  }): void {
    handleCommands({
      ...opts,
      current: () => (this.recorded ? this.rec : undefined),
      comments: () => (this.rec?.comments?.length ?? 0) + this.commentsOutside,
      answered: (id) => {
        const o = this.outcomes.get(id);
        return o && { number: o.number, state: o.state, seq: o.seq };
      },
      remember: (id, outcome) => {
        this.outcomes.delete(id);
        this.outcomes.set(id, { ...outcome, at: Date.now() });
        if (this.outcomes.size > REMEMBERED_UPDATES) this.outcomes.delete(this.outcomes.keys().next().value!);
      },
    });
  }
}
