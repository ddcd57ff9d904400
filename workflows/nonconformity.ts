/**
 * Nonconformity and corrective action [ISO/IEC 20000-1 10.1] as one workflow per nonconformity:
 * containment → root cause → corrective action (an improvement run as its own PDCA workflow, a
 * child of this one) → effectiveness review → closed; an ineffective correction starts another.
 */
import * as wf from '@temporalio/workflow';
import { persistStep } from './persistence';
import { Case, type CaseCarry } from './case';
import type { UpdateDefinition } from '@temporalio/common';
import type { Actor } from '../domain/actor';
import {
  NONCONFORMITY_COMMANDS,
  refuseNonconformityCommand,
  type NonconformityCommand,
  type NonconformityCommandInput,
  type NonconformityState,
  type RaiseNonconformityInput,
} from '../domain/nonconformity';
import type { NonconformityRecord, NonconformityEvent } from '../domain/nonconformity';
import { startImprovement } from './improvement-child';
import { commandUpdates, type CommandArgs, type CommandOf, type CommandOutcome } from './case-commands';

export type { NonconformityRecord, NonconformityEvent } from '../domain/nonconformity';
const persistNonconformity = persistStep('persistNonconformity');

export type NonconformityCommandArgs = CommandArgs<NonconformityCommandInput<NonconformityCommand>>;
export type NonconformityUpdate = UpdateDefinition<CommandOutcome, [NonconformityCommandArgs]>;
export const nonconformityUpdates: Record<NonconformityCommand, NonconformityUpdate> = commandUpdates<Record<NonconformityCommand, NonconformityCommandInput<NonconformityCommand>>>('nonconformity.', NONCONFORMITY_COMMANDS);
export const nonconformityOpened = wf.defineUpdate<NonconformityRecord>('nonconformity.opened');

export interface NonconformityWorkflowInput {
  number: string;
  input: RaiseNonconformityInput;
  actor: Actor;
  /** the case as its previous run left it (waiting for people, no corrective action running), when it continued as new */
  resume?: { carry: CaseCarry<NonconformityRecord> };
}

export async function nonconformityWorkflow({ number, input, actor, resume }: NonconformityWorkflowInput): Promise<NonconformityRecord> {
  let rec: NonconformityRecord | undefined;
  const kase = new Case<NonconformityRecord, NonconformityState>({ kind: 'nonconformity', legacy: persistNonconformity, opened: nonconformityOpened, view: () => JSON.parse(JSON.stringify(rec)), resumed: resume?.carry });
  const { record, history } = kase;

  kase.commands({
    updates: nonconformityUpdates,
    refuse: refuseNonconformityCommand,
    apply,
  });

  function apply(cmd: CommandOf<NonconformityCommand, { [K in NonconformityCommand]: NonconformityCommandInput<K> }>, by: Actor): Promise<unknown> {
    const r = rec!;
    const now = Date.now();
    switch (cmd.command) {
      case 'contain': {
        const i = cmd.input;
        r.containment = { actions: i.actions, by: by.name, at: now };
        return record('contain', by.name, i.actions, {}, 'root_cause');
      }
      case 'record_root_cause': {
        const i = cmd.input;
        r.rootCause = { rootCause: i.rootCause, by: by.name, at: now };
        return record('record_root_cause', by.name, i.rootCause, {}, 'corrective_action');
      }
      case 'review_effectiveness': {
        const i = cmd.input;
        r.effectiveness = { effective: i.effective, notes: i.notes, by: by.name, at: now };
        if (i.effective) r.closedAt = now;
        return record('review_effectiveness', by.name, i.notes, { effective: i.effective }, i.effective ? 'closed' : 'corrective_action');
      }
      case 'cancel':
        return kase.cancel(cmd.input, by, 'cancelled');
      case 'comment':
        return kase.comment(cmd.input, by);
    }
  }

  if (resume) rec = resume.carry.record; // continued from an earlier run
  else {
    rec = {
      ...input, number, state: 'containment', raisedBy: actor.name, openedAt: Date.now(), containment: null, rootCause: null,
      correctiveActions: [], effectiveness: null, closedAt: null, cancelReason: null, comments: [], seq: 0,
    };
    await kase.open(rec, 'raise', actor.name, input.evidence, { requirement: input.requirement, severity: input.severity }, 'containment');
  }
  // waiting for people with no corrective action running, a long wait continues as new
  const next = (carry: CaseCarry<NonconformityRecord>): Parameters<typeof nonconformityWorkflow> => [{ number, input, actor, resume: { carry } }];

  while (rec.state !== 'closed' && rec.state !== 'cancelled') {
    if (rec.state === 'effectiveness_review') {
      await kase.waitFor(() => rec!.state !== 'effectiveness_review', next);
      continue;
    }
    await kase.waitFor(() => rec!.state === 'corrective_action' || rec!.state === 'cancelled', next);
    if ((rec.state as NonconformityState) === 'cancelled') break; // a handler may have moved it meanwhile
    // the corrective action: an improvement of its own, run as a PDCA cycle, a child of this case
    const n = rec.correctiveActions.length + 1;
    const { number: improvement, child } = await startImprovement({
      title: `Corrective action${n > 1 ? ` ${n}` : ''} for ${number}: ${rec.title}`.slice(0, 200),
      description: rec.rootCause?.rootCause ?? rec.evidence,
      source: 'nonconformity',
      sourceRef: number,
      service: rec.service,
      owner: rec.owner,
      benefit: `${rec.requirement} is met again, and the cause does not recur`,
    });
    rec.correctiveActions.push({ improvement, startedAt: Date.now(), endedAt: null, outcome: null });
    await record('corrective_action', 'system', `run as ${improvement}`, { improvement });
    const result = await child.result();
    const ca = rec.correctiveActions[rec.correctiveActions.length - 1];
    ca.endedAt = Date.now();
    ca.outcome = result.state;
    if (result.state === 'closed') {
      await record('corrective_action_done', 'system', `${improvement} closed: review its effectiveness`, { improvement }, 'effectiveness_review');
    } else {
      await record('corrective_action_cancelled', 'system', `${improvement} was cancelled: find the root cause again`, { improvement }, 'root_cause');
    }
  }
  await wf.condition(wf.allHandlersFinished);
  return JSON.parse(JSON.stringify(rec)) as NonconformityRecord;
}
