/**
 * Service request management [ISO/IEC 20000-1 8.6.2] as one workflow per request; its id is the
 * request number. approval by the item's policy → fulfilment tasks (sequential or parallel) →
 * fulfilled → closed on the requester's confirmation or after the item's days; rejected when
 * approval is refused; the requester may cancel until fulfilment starts.
 */
import * as wf from '@temporalio/workflow';
import { persistStep } from './persistence';
import { Case, type CaseCarry } from './case';
import type { UpdateDefinition } from '@temporalio/common';
import type { Actor } from '../domain/actor';
import { matchPolicy } from '../domain/approval';
import { startClock, thresholdAt } from '../domain/sla';
import { REQUEST_COMMANDS, refuseRequestCommand, type CatalogItem, type FulfilmentAgreement, type RequestCommand, type RequestCommandInput, type RequestState } from '../domain/request';
import type { ApprovalRecord } from '../domain/approval';
import type { TaskRecord } from '../domain/task';
import type { createActivities } from '../activities';
import type { RequestRecord, RequestEvent, RequestView } from '../domain/request';
import { Approvals } from './approval';
import { commandUpdates, type CommandArgs, type CommandOf, type CommandOutcome } from './case-commands';
import { reads, tell } from './steps';
import { Tasks } from './task';

type Activities = ReturnType<typeof createActivities>;
export type { RequestRecord, RequestEvent, RequestView } from '../domain/request';
const persistRequest = persistStep('persistRequest');
const { loadApprovalPolicies } = reads;

export type RequestCommandArgs = CommandArgs<RequestCommandInput<RequestCommand>>;
export type RequestUpdate = UpdateDefinition<CommandOutcome, [RequestCommandArgs]>;
export const requestUpdates: Record<RequestCommand, RequestUpdate> = commandUpdates<Record<RequestCommand, RequestCommandInput<RequestCommand>>>('request.', REQUEST_COMMANDS);
export const requestOpened = wf.defineUpdate<RequestView>('request.opened');

export interface RequestWorkflowInput {
  number: string;
  item: CatalogItem;
  fields: Record<string, unknown>;
  requestedFor: string;
  actor: Actor;
  /** the customer it was raised for, when named */
  customer?: string | null;
  /** the SLA fulfilment target for its item (absent: no SLA sets one, or a request raised before SLAs had them) */
  agreement?: FulfilmentAgreement | null;
  /** the case as its previous run left it (fulfilled, waiting for its requester), when it continued as new */
  resume?: { carry: CaseCarry<RequestRecord>; approvals: ApprovalRecord[]; tasks: TaskRecord[] };
}

const DAY = 86_400_000;

export async function requestWorkflow({ number, item, fields, requestedFor, actor, customer, agreement, resume }: RequestWorkflowInput): Promise<RequestView> {
  let rec: RequestRecord | undefined;
  const kase = new Case<RequestRecord, RequestState>({ kind: 'request', legacy: persistRequest, opened: requestOpened, view: () => view(), resumed: resume?.carry });
  const { record, history } = kase;
  const view = (): RequestView => JSON.parse(JSON.stringify({ ...rec!, approvals: approvals.all, tasks: tasks.all }));

  const approvals = new Approvals({ caseId: number, process: 'request', title: () => item.name, requester: actor.name, history, updates: kase.updates });
  const tasks = new Tasks({ caseId: number, process: 'request', history, updates: kase.updates });
  kase.commands({
    updates: requestUpdates,
    refuse: refuseRequestCommand,
    apply,
  });

  function apply(cmd: CommandOf<RequestCommand, { [K in RequestCommand]: RequestCommandInput<K> }>, by: Actor): Promise<unknown> {
    const r = rec!;
    const now = Date.now();
    switch (cmd.command) {
      case 'cancel':
        return kase.cancel(cmd.input, by, 'cancelled');
      case 'confirm': {
        const i = cmd.input;
        r.closedAt = now;
        r.autoCloseAt = null;
        return record('confirm', by.name, i.note ?? null, {}, 'closed');
      }
      case 'comment':
        return kase.comment(cmd.input, by);
    }
  }

  const next = (carry: CaseCarry<RequestRecord>): Parameters<typeof requestWorkflow> => [
    { number, item, fields, requestedFor, actor, customer, agreement, resume: { carry, approvals: approvals.all, tasks: tasks.all } },
  ];
  if (resume) {
    // ---- continued from an earlier run, fulfilled and waiting for its requester ----
    rec = resume.carry.record;
    approvals.restore(resume.approvals);
    tasks.restore(resume.tasks);
  } else await requestAndFulfil();
  if (rec!.state === 'fulfilled') {
    // ---- confirmation, or closed after the item's days; a long wait continues as new ----
    const confirmed = await kase.waitFor(() => rec!.state !== 'fulfilled', next, Math.max(1, rec!.autoCloseAt! - Date.now()));
    if (!confirmed) {
      rec!.closedAt = Date.now();
      rec!.autoCloseAt = null;
      await record('auto_close', 'system', `no confirmation within ${item.autoCloseDays} days`, {}, 'closed');
    }
  }
  await wf.condition(wf.allHandlersFinished);
  return view();

  /**
   * The SLA's fulfilment clock, from now (fulfilment starts) on its calendar: the groups whose
   * tasks are still open are warned at the target's warning share and told of the breach at its
   * due time; stop() ends it when fulfilment ends, recording whether the target was met.
   */
  async function startFulfilmentClock(a: FulfilmentAgreement): Promise<{ stop: (failed: boolean) => Promise<void> } | null> {
    const now = Date.now();
    const running = startClock('resolution', a.fulfilmentMinutes * 60_000, { id: a.calendar.id, version: a.calendar.version }, now);
    const warningAt = thresholdAt(running, a.calendar, a.warningPercent / 100);
    const dueAt = thresholdAt(running, a.calendar, 1);
    if (warningAt === null || dueAt === null) {
      // the calendar changed after the SLA was agreed and carries no working time for it: fulfilled without a target, and said
      await record('fulfilment_target_not_computable', 'system', `${a.sla.name}: ${a.fulfilmentMinutes} business minutes do not fall due on calendar ${a.calendar.id} v${a.calendar.version}`, { sla: a.sla });
      return null;
    }
    const target = { sla: { id: a.sla.id, version: a.sla.version }, fulfilmentMinutes: a.fulfilmentMinutes, calendar: { id: a.calendar.id, version: a.calendar.version }, startedAt: now, warningAt, dueAt, endedAt: null as number | null, met: null as boolean | null };
    rec!.fulfilment.target = target;
    await record('fulfilment_target', 'system', `${a.fulfilmentMinutes} business minutes (${a.sla.name}): due ${new Date(dueAt).toISOString()}`, { sla: a.sla, dueAt, warningAt });
    let ended = false;
    const openGroups = () => [...new Set(tasks.all.filter((t) => t.state === 'open' || t.state === 'claimed').map((t) => t.group))];
    const alarms = (async () => {
      for (const [kind, at] of [['warning', warningAt], ['breach', dueAt]] as const) {
        if (await wf.condition(() => ended, Math.max(1, at - Date.now()))) return;
        const groups = openGroups();
        await record(`fulfilment_${kind}`, 'system', kind === 'warning' ? `${a.warningPercent}% of the fulfilment target used; still with ${groups.join(', ')}` : `fulfilment target missed (due ${new Date(dueAt).toISOString()}); still with ${groups.join(', ')}`, { groups, dueAt });
        tell({ key: `${number}:fulfilment:${kind}`, type: kind === 'warning' ? 'request_warning' : 'request_breach', number, title: item.name, catalogItem: item.id, service: item.service ?? null, groups, dueAt, at: Date.now() });
      }
    })();
    return {
      stop: async (failed: boolean) => {
        ended = true;
        await alarms;
        target.endedAt = Date.now();
        // a request whose fulfilment failed did not meet its target, however fast it failed
        target.met = !failed && target.endedAt <= target.dueAt;
      },
    };
  }

  /** Approval by the item's policy, then fulfilment by its tasks. */
  async function requestAndFulfil(): Promise<void> {
    // ---- request: approval by policy ----
    const { policies, calendars } = await loadApprovalPolicies();
    rec = {
      number,
      state: 'approval',
      catalogItem: { id: item.id, version: item.version, name: item.name, category: item.category },
      fields,
      requestedBy: actor.name,
      requestedFor,
      ...(customer ? { customer } : {}),
      openedAt: Date.now(),
      approval: null,
      fulfilment: { mode: item.fulfilment.mode, outcome: null },
      fulfilledAt: null,
      closedAt: null,
      autoCloseAt: null,
      cancelReason: null,
      comments: [],
      seq: 0,
    };
    await kase.open(rec, 'request', actor.name, null, { catalogItem: rec!.catalogItem, requestedFor }, 'approval');
    const policy = item.approvalPolicy
      ? (policies.find((p) => p.id === item.approvalPolicy) ?? null)
      : matchPolicy(policies, 'request', { catalogItem: item.id, category: item.category, ...fields });
    if (policy) {
      const result = await Promise.race([approvals.run(policy, calendars), wf.condition(() => rec!.state === 'cancelled').then(() => null)]);
      if (result === null) await approvals.withdraw('the request was cancelled');
      else {
        rec!.approval = { policy: { id: policy.id, version: policy.version }, outcome: result.outcome, reason: result.reason };
        if (result.outcome === 'rejected') await record('reject', 'system', result.reason, {}, 'rejected');
      }
    } else {
      rec!.approval = { policy: null, outcome: 'not_required', reason: 'no approval policy applies to this item' };
    }

    // ---- fulfilment ----
    if (rec!.state === 'approval') {
      await record('fulfil', 'system', `${item.fulfilment.tasks.length} task(s), ${item.fulfilment.mode}`, {}, 'fulfilment');
      const specs = item.fulfilment.tasks.map((t) => ({ type: 'fulfil' as const, title: `${t.title} (${item.name} for ${requestedFor})`, group: t.group }));
      const clock = agreement ? await startFulfilmentClock(agreement) : null;
      let failed = false;
      if (item.fulfilment.mode === 'parallel') {
        failed = (await Promise.all(specs.map((s) => tasks.run(s)))).some((t) => t.outcome === 'failed');
      } else {
        for (const s of specs) {
          if ((await tasks.run(s)).outcome === 'failed') {
            failed = true;
            break;
          }
        }
      }
      rec!.fulfilment.outcome = failed ? 'failed' : 'done';
      if (clock) await clock.stop(failed);
      if (failed) {
        rec!.closedAt = Date.now();
        await tasks.cancelOpen('an earlier fulfilment task failed');
        await record('close', 'system', 'fulfilment failed', { outcome: 'failed' }, 'closed');
      } else {
        rec!.fulfilledAt = Date.now();
        rec!.autoCloseAt = rec!.fulfilledAt + item.autoCloseDays * DAY;
        await record('fulfilled', 'system', null, {}, 'fulfilled');
      }
    }
  }
}
