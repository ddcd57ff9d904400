/**
 * The human-task building block: a piece of work for a group inside a case. Members of the group
 * claim, give back, reassign and complete it; completion carries the outcome and the fields the
 * task's type requires. Every step goes into the case's history through the case's recorder.
 */
import * as wf from '@temporalio/workflow';
import { persistStep } from './persistence';
import type { UpdateDefinition } from '@temporalio/common';
import type { Actor } from '../domain/actor';
import { refuseTaskCommand, type TaskCommand, type TaskCommandInput, type TaskRecord, type TaskType } from '../domain/task';
import type { createActivities } from '../activities';
import { refusal } from './refusal';
import { inOrder } from './serial';
import type { AppliedUpdates } from './case';

type Activities = ReturnType<typeof createActivities>;
const persistTask = persistStep('persistTask');

export interface TaskCommandArgs<C extends TaskCommand = TaskCommand> {
  taskId: string;
  actor: Actor;
  input: TaskCommandInput<C>;
}
export type TaskUpdate = UpdateDefinition<TaskRecord, [TaskCommandArgs]>;
export const taskUpdates: Record<TaskCommand, TaskUpdate> = {
  claim: wf.defineUpdate<TaskRecord, [TaskCommandArgs]>('claimTask'),
  unclaim: wf.defineUpdate<TaskRecord, [TaskCommandArgs]>('unclaimTask'),
  complete: wf.defineUpdate<TaskRecord, [TaskCommandArgs]>('completeTask'),
  reassign: wf.defineUpdate<TaskRecord, [TaskCommandArgs]>('reassignTask'),
};

export interface TaskContext {
  caseId: string;
  process: string;
  history: (action: string, by: string, note: string | null, details: Record<string, unknown>) => Promise<unknown>;
  /** the case's memory of applied updates: a repeated one is answered with the task as it is now */
  updates?: AppliedUpdates;
}

export class Tasks {
  private count = 0;
  private readonly write = inOrder();
  private persist(t: TaskRecord) {
    const snapshot = JSON.parse(JSON.stringify(t)) as TaskRecord;
    return this.write(() => persistTask(snapshot));
  }
  readonly all: TaskRecord[] = [];

  /** Takes over the tasks of the case's previous run (it continued as new with none open). */
  restore(tasks: TaskRecord[]): void {
    this.all.push(...tasks);
    this.count = tasks.length;
  }

  /** Call before the workflow's first await. */
  constructor(private readonly ctx: TaskContext) {
    for (const command of Object.keys(taskUpdates) as TaskCommand[]) {
      wf.setHandler(
        taskUpdates[command],
        async ({ taskId, actor, input }) => {
          const updateId = wf.currentUpdateInfo()?.id;
          if (this.repeated(updateId)) return JSON.parse(JSON.stringify(this.all.find((x) => x.id === taskId) ?? null)) as TaskRecord;
          const refused = this.refuse(taskId, command, actor, input);
          if (refused) throw refused;
          const t = this.all.find((x) => x.id === taskId)!;
          if (updateId !== undefined) ctx.updates?.note(updateId);
          this.apply(t, command, actor, (input ?? {}) as TaskCommandInput<TaskCommand>);
          t.rev += 1;
          const answer = JSON.parse(JSON.stringify(t)) as TaskRecord;
          const note = command === 'complete' ? `outcome ${t.outcome}` : command === 'reassign' ? `to ${t.group}${t.assignee ? ' / ' + t.assignee : ''}` : null;
          await Promise.all([this.persist(t), ctx.history(`task_${command}`, actor.name, note, { task: t.id, type: t.type, ...(command === 'complete' ? { fields: t.fields } : {}) })]);
          return answer;
        },
        {
          validator: ({ taskId, actor, input }) => {
            if (this.repeated(wf.currentUpdateInfo()?.id)) return;
            const r = this.refuse(taskId, command, actor, input);
            if (r) throw r;
          },
        },
      );
    }
  }

  /** An update the case applied before (in an earlier run): answered, not applied again. */
  private repeated(updateId: string | undefined): boolean {
    return updateId !== undefined && !!this.ctx.updates?.applied(updateId);
  }

  private refuse(taskId: string, command: TaskCommand, actor: Actor, input: unknown) {
    const t = this.all.find((x) => x.id === taskId);
    if (!t) return refusal({ kind: 'invalid', message: `there is no task ${taskId} in this case` }, undefined);
    const r = refuseTaskCommand(t, command, actor, input ?? {});
    return r ? refusal(r, t.state) : null;
  }

  private apply(t: TaskRecord, command: TaskCommand, actor: Actor, input: TaskCommandInput<TaskCommand>) {
    switch (command) {
      case 'claim':
        t.state = 'claimed';
        t.assignee = actor.name;
        return;
      case 'unclaim':
        t.state = 'open';
        t.assignee = null;
        return;
      case 'reassign': {
        const i = input as TaskCommandInput<'reassign'>;
        t.group = i.group;
        t.assignee = i.assignee ?? null;
        t.state = i.assignee ? 'claimed' : 'open';
        return;
      }
      case 'complete': {
        const i = input as TaskCommandInput<'complete'>;
        t.state = 'completed';
        t.outcome = i.outcome;
        t.fields = i.fields ?? {};
        t.completedAt = Date.now();
        t.completedBy = actor.name;
        return;
      }
    }
  }

  /** Opens a task and waits until it is completed; answers with the completed task. */
  run(spec: { type: TaskType; title: string; group: string; assignee?: string; dueAt?: number }): Promise<TaskRecord> {
    return this.open(spec).done;
  }

  /** Opens a task at once; `done` settles when it is completed or cancelled. */
  open(spec: { type: TaskType; title: string; group: string; assignee?: string; dueAt?: number }): { task: TaskRecord; done: Promise<TaskRecord> } {
    const t: TaskRecord = {
      id: `${this.ctx.caseId}-T${++this.count}`,
      caseId: this.ctx.caseId,
      process: this.ctx.process,
      type: spec.type,
      title: spec.title,
      group: spec.group,
      // a task for a named person (a service owner's review) starts claimed by them; the group may take it over
      assignee: spec.assignee ?? null,
      state: spec.assignee ? 'claimed' : 'open',
      outcome: null,
      fields: null,
      createdAt: Date.now(),
      dueAt: spec.dueAt ?? null,
      completedAt: null,
      completedBy: null,
      rev: 1,
    };
    this.all.push(t);
    const opened = Promise.all([this.persist(t), this.ctx.history('task_opened', 'system', `${spec.type}: ${spec.title}`, { task: t.id, group: spec.group, ...(spec.assignee ? { assignee: spec.assignee } : {}) })]);
    const done = opened.then(() => wf.condition(() => t.state === 'completed' || t.state === 'cancelled')).then(() => t);
    return { task: t, done };
  }

  /** Cancels every task not yet completed (the case ended). */
  async cancelOpen(reason: string) {
    for (const t of this.all.filter((x) => x.state === 'open' || x.state === 'claimed')) {
      t.state = 'cancelled';
      t.rev += 1;
      await Promise.all([this.persist(t), this.ctx.history('task_cancelled', 'system', reason, { task: t.id })]);
    }
  }
}
