/**
 * Incident management [ISO/IEC 20000-1 8.6.1] as one workflow per incident; its id is the
 * incident number. The workflow holds the case and its SLA clocks; every transition is persisted
 * by an activity (record + audit trail) before the command that caused it is answered.
 */
import * as wf from '@temporalio/workflow';
import { persistStep } from './persistence';
import { Case, type CaseCarry, type CaseEvent } from './case';
import type { UpdateDefinition } from '@temporalio/common';
import type { Actor } from '../domain/actor';
import type { Calendar } from '../domain/calendar';
import {
  INCIDENT_COMMANDS,
  incidentView,
  nextState,
  refuseIncidentCommand,
  type IncidentCommand,
  type IncidentCommandInput,
  type IncidentEvent,
  type IncidentRecord,
  type IncidentState,
  type IncidentView,
  type OpenIncidentInput,
} from '../domain/incident';
import { priorityOf } from '../domain/priority';
import { calendarIdFor, DEFAULT_HOLD_REASONS, holdReasonsOf, type Ola } from '../domain/sla';
import { reachableWithin } from '../domain/calendar';
import type { AssignmentOla } from '../domain/incident';
import type { Priority } from '../domain/priority';
import type { HoldReason, IncidentSlaBody } from '../domain/schemas/sla';
import type { PriorityMatrixBody } from '../domain/priority';
import type { ChangeImpact } from '../domain/change';
import type { createActivities } from '../activities';
import { SlaClocks } from './sla-clock';
import { linkedToProblem, resolvedByProblem } from './signals';
import { commandUpdates, type CommandArgs, type CommandOf, type CommandOutcome } from './case-commands';
import { tell } from './steps';

type Activities = ReturnType<typeof createActivities>;
const persistIncident = persistStep('persistIncident');
const atOpen = { startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } } as const;
// what an incident reads when it is logged (policies, known errors) is read in the worker that
// opens it, within its first task: logging answers sooner ('local-open'; older cases replay as
// they ran, with regular activities)
const remoteOpen = wf.proxyActivities<Activities>(atOpen);
const localOpen = wf.proxyLocalActivities<Activities>(atOpen);

export type IncidentCommandArgs<C extends IncidentCommand> = CommandArgs<IncidentCommandInput<C>>;

/** The commands an incident takes, one update each (named by the command alone); the API sends the same definitions. */
export const incidentUpdates = commandUpdates<{ [K in IncidentCommand]: IncidentCommandInput<K> }>('', INCIDENT_COMMANDS);
export type IncidentUpdate = UpdateDefinition<CommandOutcome, [IncidentCommandArgs<IncidentCommand>]>;
/** Answers once the incident is opened and recorded (the API's answer to POST /incidents). */
export const incidentOpened = wf.defineUpdate<IncidentView>('opened');
export const incidentQuery = wf.defineQuery<IncidentView>('incident');

export interface IncidentWorkflowInput {
  number: string;
  input: OpenIncidentInput;
  actor: Actor;
  /** what depends on its CI, as the CMDB said when it was logged (the API works it out) */
  affects?: ChangeImpact | null;
  /** the case as its previous run left it, when it continued as new */
  resume?: { carry: CaseCarry<IncidentRecord>; calendar: Calendar; warningPercent: number; autoCloseDays: number; holdReasons?: HoldReason[]; rules?: Rules; olas?: Ola[] };
}

const DAY = 86_400_000;

/** What a re-prioritisation derives the priority and targets from: the rules the incident was logged with. */
type Rules = { matrix: PriorityMatrixBody; targets: IncidentSlaBody['targets'] };

export async function incidentWorkflow({ number, input, actor, affects, resume }: IncidentWorkflowInput): Promise<IncidentView> {
  let rec: IncidentRecord | undefined;
  let cal: Calendar;
  let clocks: SlaClocks;
  let autoCloseDays = 0;
  /** the priority matrix and the targets it was logged with, for a re-prioritisation (a case continued from a run before them has none) */
  let rules: Rules | null = null;
  /** the OLAs of the supporting groups in its SLA, as it was logged */
  let olas: Ola[] = [];
  /** the hold reasons of its SLA or SLA policy, as it was logged */
  let holdReasons: HoldReason[] = DEFAULT_HOLD_REASONS;
  let changed = false;

  const view = () => incidentView(rec!, cal, Date.now());

  /**
   * Applies a transition to the case at once (no await before it is applied, so transitions never
   * interleave), gives it the next sequence number, and resolves, once it is persisted, to the
   * case as this transition left it.
   */
  const kase = new Case<IncidentRecord, IncidentState>({
    kind: 'incident',
    legacy: persistIncident as (input: { record: IncidentRecord; event: CaseEvent<IncidentState> }) => Promise<void>,
    opened: incidentOpened,
    view: () => view(),
    // every transition carries the clocks as they stand
    beforeRecord: (r) => {
      r.sla = clocks.snapshot();
      changed = true;
    },
    resumed: resume?.carry,
  });
  function record(event: Omit<IncidentEvent, 'seq' | 'at' | 'from' | 'to'> & { to?: IncidentEvent['to']; at?: number }): Promise<void> {
    return kase.record(event.action, event.by, event.note, event.details, event.to, event.at);
  }

  /**
   * Raises every SLA warning and breach due by `now`: each is an escalation on the record, an entry
   * in the history and a notification. Run before any command touches a clock, so a threshold
   * crossed just before a hold or a resolution is never lost.
   */
  function raiseDueAlarms(now: number): Promise<unknown> {
    const persisted: Promise<unknown>[] = [];
    for (const alarm of clocks.fire(now)) {
      const level = alarm.kind === 'warning' ? 1 : 2;
      rec!.escalations.push({ at: now, clock: alarm.clock, kind: alarm.kind, level });
      persisted.push(
        record({
          action: alarm.kind === 'warning' ? 'sla_warning' : 'sla_breach',
          by: 'system',
          note: `${alarm.clock} target ${alarm.kind === 'warning' ? 'at ' + clocks.warningPercent + '%' : 'breached'}`,
          details: { clock: alarm.clock, level },
        }),
      );
      tell({
        key: `${number}:${rec!.seq}`,
        type: alarm.kind === 'warning' ? 'sla_warning' : 'sla_breach',
        number,
        priority: rec!.priority,
        title: rec!.title,
        service: rec!.service,
        clock: alarm.clock,
        group: rec!.assignmentGroup,
        level,
        at: now,
      });
    }
    // the OLA of the group holding it now
    const held = rec!.assignments.find((a) => a.to === null);
    for (const alarm of olaAlarms(now).filter((a) => a.at <= now)) {
      const ola = held!.ola!;
      if (alarm.kind === 'warning') ola.warnedAt = alarm.at;
      else ola.breachedAt = alarm.at;
      const targetMinutes = ola.targetMs / 60_000;
      persisted.push(
        record({
          action: alarm.kind === 'warning' ? 'ola_warning' : 'ola_breach',
          by: 'system',
          note: `${held!.group}'s OLA of ${targetMinutes} business minutes ${alarm.kind === 'warning' ? `at ${ola.warningPercent}%` : 'breached'}`,
          details: { group: held!.group, targetMinutes },
        }),
      );
      tell({ key: `${number}:ola:${rec!.assignments.indexOf(held!)}:${alarm.kind}`, type: alarm.kind === 'warning' ? 'ola_warning' : 'ola_breach', number, priority: rec!.priority, title: rec!.title, service: rec!.service, group: held!.group, targetMinutes, at: now });
    }
    return Promise.all(persisted);
  }

  /**
   * The OLA alarms of the group holding the incident, with when each falls due: business time with
   * the group (less holds that stop the clock) reaching the warning share and the target.
   */
  function olaAlarms(now: number): Array<{ kind: 'warning' | 'breach'; at: number }> {
    const held = rec?.assignments.find((a) => a.to === null);
    const ola = held?.ola;
    if (!held || !ola || !clocks.resolutionRunning()) return [];
    const used = clocks.workingMsBetween(held.from, now);
    const out: Array<{ kind: 'warning' | 'breach'; at: number }> = [];
    for (const [kind, share, done] of [['warning', ola.warningPercent / 100, ola.warnedAt], ['breach', 1, ola.breachedAt]] as const) {
      if (done !== null) continue;
      const left = Math.ceil(ola.targetMs * share) - used;
      const at = left <= 0 ? now : reachableWithin(cal, now, left);
      if (at !== null) out.push({ kind, at });
    }
    return out;
  }

  /** The OLA of a group for a priority, as the assignment keeps it. */
  function olaOf(group: string, priority: Priority): AssignmentOla | undefined {
    const ola = olas.find((o) => o.group === group);
    return ola ? { targetMs: ola.targets[priority].resolutionMinutes * 60_000, warningPercent: ola.warningPercent, warnedAt: null, breachedAt: null } : undefined;
  }

  // Handlers first, before any await, so no command that arrives early is refused for want of one.
  wf.setHandler(incidentQuery, () => {
    if (!rec) throw new Error(`${number} is still being opened`);
    return view(); // as of the last activation: the API computes live figures itself
  });
  wf.setHandler(linkedToProblem, async ({ problem }) => {
    await kase.ready();
    if (rec!.problems?.includes(problem)) return;
    rec!.problems = [...(rec!.problems ?? []), problem];
    void record({ action: 'problem_linked', by: 'system', note: `linked to ${problem}`, details: { problem } });
  });
  wf.setHandler(resolvedByProblem, async ({ problem, resolution }) => {
    await kase.ready();
    const r = rec!;
    if (r.state === 'resolved' || r.state === 'closed') return; // its team got there first
    const now = Date.now();
    void raiseDueAlarms(now);
    r.resolutionCode = 'fixed';
    r.resolution = resolution;
    r.resolvedAt = now;
    r.autoCloseAt = now + autoCloseDays * DAY;
    r.holdReason = null;
    closeAssignment(now);
    clocks.resolve(now);
    void record({ action: 'resolved_by_problem', by: 'system', to: 'resolved', note: resolution, details: { problem } });
  });
  kase.commands({
    updates: incidentUpdates,
    refuse: (r: IncidentRecord, command: IncidentCommand, by: Actor) =>
      command === 'reprioritise' && !rules ? { kind: 'conflict' as const, message: `${number} was logged before re-prioritisation could be recorded: close it and log it again, or leave its priority` } : refuseIncidentCommand(r, command, by),
    // SLA alarms already due are raised before the command touches a clock
    apply: async (cmd: Parameters<typeof apply>[0], by: Actor) => {
      const alarms = raiseDueAlarms(Date.now());
      const answer = apply(cmd, by);
      await alarms;
      return answer;
    },
  });

  function apply(cmd: CommandOf<IncidentCommand, { [K in IncidentCommand]: IncidentCommandInput<K> }>, by: Actor): Promise<unknown> {
    const { command } = cmd;
    const now = Date.now();
    const r = rec!;
    const to = nextState(r.state, command)!;
    const base = { action: command, by: by.name, to } as const;
    switch (cmd.command) {
      case 'assign': {
        const i = cmd.input;
        closeAssignment(now);
        r.assignmentGroup = i.group;
        r.assignee = i.assignee ?? null;
        const ola = olaOf(i.group, r.priority);
        r.assignments.push({ group: i.group, assignee: r.assignee, from: now, to: null, businessMs: null, ...(ola ? { ola } : {}) });
        return record({ ...base, to: r.state === 'on_hold' ? 'on_hold' : 'assigned', note: i.note ?? null, details: { group: i.group, assignee: r.assignee } });
      }
      case 'start': {
        const i = cmd.input;
        clocks.respond(now);
        return record({ ...base, note: i.note ?? null });
      }
      case 'reprioritise': {
        const i = cmd.input;
        const was = { priority: r.priority, impact: r.impact, urgency: r.urgency };
        const priority = priorityOf(rules!.matrix, i.impact, i.urgency);
        r.impact = i.impact;
        r.urgency = i.urgency;
        r.priority = priority;
        // targets derived again from the rules it was logged with, counted from when it was logged
        clocks.retarget(rules!.targets[priority]);
        const held = r.assignments.find((a) => a.to === null);
        const ola = held ? olaOf(held.group, priority) : undefined;
        if (held?.ola && ola) held.ola.targetMs = ola.targetMs;
        if (priority === 'P1' && !r.major) {
          r.major = true;
          tell({ key: `${number}:major`, type: 'major_incident', number, priority, title: r.title, service: r.service, at: now });
        }
        return record({ ...base, note: i.reason, details: { from: was, to: { priority, impact: i.impact, urgency: i.urgency } } });
      }
      case 'hold': {
        const i = cmd.input;
        r.holdReason = i.reason;
        // waiting for the customer stops the resolution clock; waiting for an internal team does not (a hold without a code stops it, as before codes)
        const why = i.code ? holdReasons.find((h) => h.code === i.code) : undefined;
        const stops = why?.stopsClock ?? true;
        if (i.code) r.holdCode = i.code;
        if (stops) clocks.hold(now, i.reason);
        return record({ ...base, note: i.reason, ...(i.code ? { details: { code: i.code, stopsClock: stops } } : {}) });
      }
      case 'resume': {
        const i = cmd.input;
        r.holdReason = null;
        if (r.holdCode) r.holdCode = null;
        clocks.resume(now);
        return record({ ...base, note: i.note ?? null });
      }
      case 'resolve': {
        const i = cmd.input;
        r.resolutionCode = i.resolutionCode;
        r.resolution = i.resolution;
        r.resolvedAt = now;
        r.autoCloseAt = now + autoCloseDays * DAY;
        closeAssignment(now);
        clocks.resolve(now);
        return record({ ...base, note: i.resolution, details: { resolutionCode: i.resolutionCode } });
      }
      case 'reopen': {
        const i = cmd.input;
        r.reopenCount += 1;
        r.resolvedAt = null;
        r.autoCloseAt = null;
        if (r.assignmentGroup) r.assignments.push({ group: r.assignmentGroup, assignee: r.assignee, from: now, to: null, businessMs: null });
        clocks.reopen(now);
        return record({ ...base, note: i.reason, details: { previousResolution: r.resolution } });
      }
      case 'confirm':
      case 'close': {
        const i = cmd.input;
        r.closedAt = now;
        r.autoCloseAt = null;
        return record({ ...base, note: i.note ?? null });
      }
      case 'comment':
        return kase.comment(cmd.input, by);
    }
  }

  function closeAssignment(now: number) {
    const open = rec!.assignments.find((a) => a.to === null);
    if (open) {
      open.to = now;
      open.businessMs = clocks.workingMsBetween(open.from, now);
    }
  }

  if (resume) {
    // ---- continued from an earlier run: the same case, its clocks as they stood ----
    rec = resume.carry.record;
    cal = resume.calendar;
    autoCloseDays = resume.autoCloseDays;
    holdReasons = resume.holdReasons ?? DEFAULT_HOLD_REASONS;
    rules = resume.rules ?? null;
    olas = resume.olas ?? [];
    clocks = SlaClocks.restore(cal, resume.warningPercent, rec.sla);
  } else {
    // ---- open: classify, prioritise, start the clocks ----
    const openedAt = Date.now();
    const lookFor = { configurationItem: input.configurationItem, category: input.category };
    let policies: Awaited<ReturnType<Activities['loadIncidentPolicies']>>;
    let knownErrors: Awaited<ReturnType<Activities['findKnownErrors']>>;
    if (wf.patched('local-open')) {
      // both reads at once, in this worker
      [policies, knownErrors] = await Promise.all([localOpen.loadIncidentPolicies({ service: input.service, customer: input.customer ?? null, affected: affects?.services.map((s) => s.name) ?? [] }), localOpen.findKnownErrors(lookFor)]);
    } else {
      // as incidents opened before ran: one regular activity after the other; known errors shown at
      // logging were a later addition still, and incidents opened before it replay without them
      policies = await remoteOpen.loadIncidentPolicies();
      knownErrors = wf.patched('known-errors-at-open') ? await remoteOpen.findKnownErrors(lookFor) : [];
    }
    const priority = priorityOf(policies.priorityMatrix.body, input.impact, input.urgency);
    cal = policies.calendars[calendarIdFor(policies.incidentSla.body, priority)];
    autoCloseDays = policies.incidentSla.body.autoCloseDays;
    holdReasons = holdReasonsOf(policies.incidentSla.body);
    rules = { matrix: policies.priorityMatrix.body, targets: policies.incidentSla.body.targets };
    olas = policies.olas ?? [];
    const target = policies.incidentSla.body.targets[priority];
    clocks = SlaClocks.start(cal, policies.incidentSla.body.warningPercent, target, openedAt);
    rec = {
      ...input,
      number,
      state: 'new',
      priority,
      major: priority === 'P1',
      assignmentGroup: null,
      assignee: null,
      openedBy: actor.name,
      openedAt,
      resolvedAt: null,
      closedAt: null,
      resolutionCode: null,
      resolution: null,
      holdReason: null,
      reopenCount: 0,
      assignments: [],
      escalations: [],
      comments: [],
      knownErrors,
      ...(affects ? { affects } : {}),
      policy: {
        priorityMatrix: policies.priorityMatrix.version,
        incidentSla: policies.sla ? null : policies.incidentSla.version,
        sla: policies.sla ?? null,
        calendar: { id: cal.id, version: cal.version },
      },
      sla: clocks.snapshot(),
      autoCloseAt: null,
      seq: 0,
    };
    await kase.open(rec, 'open', actor.name, null, { priority, impact: input.impact, urgency: input.urgency }, 'new', openedAt);
    const uncomputable = clocks.uncomputable();
    if (uncomputable.length) {
      // a calendar without the working time for its targets (written before such writes were refused): the case runs on, visibly without those clocks' alarms
      const note = `the ${uncomputable.join(' and ')} target${uncomputable.length > 1 ? 's' : ''} cannot fall due on calendar ${cal.id} v${cal.version} within ten years: no SLA warning or breach will be raised; fix the calendar or the SLA policy`;
      await record({ action: 'sla_not_computable', by: 'system', note, details: { clocks: uncomputable, calendar: { id: cal.id, version: cal.version } } });
      tell({ key: `${number}:sla_not_computable`, type: 'sla_not_computable', number, priority, title: rec.title, service: rec.service, group: rec.assignmentGroup, at: Date.now() });
    }
    if (rec.major) {
      // the major-incident path: flagged on the record, and the major incident team is told at once
      tell({ key: `${number}:major`, type: 'major_incident', number, priority, title: rec.title, service: rec.service, at: Date.now() });
    }

  }

  // ---- run: wait for commands, firing SLA warnings, breaches and the auto-close as they fall due ----
  while (rec.state !== 'closed') {
    if (kase.continueSuggested()) {
      const r = { calendar: cal, warningPercent: clocks.warningPercent, autoCloseDays, holdReasons, ...(rules ? { rules } : {}), ...(olas.length ? { olas } : {}) };
      await kase.continueAsNew<typeof incidentWorkflow>((carry) => [{ number, input, actor, affects, resume: { carry, ...r } }]);
    }
    const due = Math.min(clocks.nextDue() ?? Infinity, rec.autoCloseAt ?? Infinity, ...olaAlarms(Date.now()).map((a) => a.at));
    changed = false;
    const woken = due === Infinity ? await wf.condition(() => changed) : await wf.condition(() => changed, Math.max(1, due - Date.now()));
    if (woken) continue;
    const now = Date.now();
    await raiseDueAlarms(now);
    if (rec.state === 'resolved' && rec.autoCloseAt !== null && now >= rec.autoCloseAt) {
      rec.closedAt = now;
      rec.autoCloseAt = null;
      await record({ action: 'auto_close', by: 'system', to: 'closed', note: `no confirmation from the caller within ${autoCloseDays} days` });
    }
  }
  await wf.condition(wf.allHandlersFinished);
  return view();
}
