/** The incident process end to end on the Temporal dev server, with a real worker and database. */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Actor } from '../../domain/actor';
import type { Models } from '../../models';
import { latestPolicy, putPolicy } from '../../models/policies';
import type { IncidentSlaBody } from '../../domain/sla';
import { devServerEnv, openDatabase, startWorker, type RunningWorker } from '../support/harness';
import { agent, caller, command, historyOf, openIncident, sampleIncident, stored } from '../support/incidents';

let env: TestWorkflowEnvironment;
let models: Models;
let worker: RunningWorker;
const desktopAgent: Actor = { name: 'dina', roles: ['agent'], groups: ['desktop'] };

beforeAll(async () => {
  [env, models] = await Promise.all([devServerEnv(), openDatabase('lifecycle')]);
  worker = await startWorker(env.nativeConnection, 'default', models);
});
afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await models?.conn.close();
});

async function refusal(p: Promise<unknown>): Promise<{ type: string; message: string; state: string | null }> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return { type: cause.type!, message: cause.message, state: (cause.details?.[0] as { state: string | null }).state };
}

describe('an incident, end to end', () => {
  it('runs from logging to the caller’s confirmation, recording every transition', async () => {
    const { number, handle, view } = await openIncident(env.client, worker.taskQueue, sampleIncident(2, 2));
    expect(view).toMatchObject({ number, state: 'new', priority: 'P3', major: false });
    expect(view.sla.response.status).toBe('running');

    expect((await command(env.client, number, 'assign', agent, { group: 'network', assignee: 'alice' })).state).toBe('assigned');
    const started = await command(env.client, number, 'start', agent, {});
    expect(started.state).toBe('in_progress');
    expect(started.sla.response.status).toBe('met');
    const held = await command(env.client, number, 'hold', agent, { reason: 'waiting for the caller' });
    expect(held).toMatchObject({ state: 'on_hold', holdReason: 'waiting for the caller' });
    expect(held.sla.resolution.status).toBe('paused');
    expect((await command(env.client, number, 'resume', agent, {})).sla.resolution.status).toBe('running');
    await command(env.client, number, 'comment', caller, { text: 'it works again for me' });
    const resolved = await command(env.client, number, 'resolve', agent, { resolutionCode: 'fixed', resolution: 'replaced the VPN certificate' });
    expect(resolved).toMatchObject({ state: 'resolved', resolutionCode: 'fixed' });
    expect(resolved.sla.resolution.status).toBe('met');

    const reopened = await command(env.client, number, 'reopen', caller, { reason: 'it failed again this morning' });
    expect(reopened).toMatchObject({ state: 'in_progress', reopenCount: 1, resolvedAt: null });
    expect(reopened.sla.resolution.status).toBe('running');
    expect(reopened.sla.resolution.pauses.map((p) => p.reason)).toEqual(['waiting for the caller', 'resolved, then reopened']);

    await command(env.client, number, 'resolve', agent, { resolutionCode: 'fixed', resolution: 'renewed the certificate chain too' });
    const closed = await command(env.client, number, 'confirm', caller, { note: 'thanks' });
    expect(closed.state).toBe('closed');
    expect((await handle.result()).state).toBe('closed');

    const history = await historyOf(models, number);
    expect(history.map((e) => [e.action, e.from ?? null, e.to, e.by])).toEqual([
      ['open', null, 'new', 'alice'],
      ['assign', 'new', 'assigned', 'alice'],
      ['start', 'assigned', 'in_progress', 'alice'],
      ['hold', 'in_progress', 'on_hold', 'alice'],
      ['resume', 'on_hold', 'in_progress', 'alice'],
      ['comment', 'in_progress', 'in_progress', 'bob'],
      ['resolve', 'in_progress', 'resolved', 'alice'],
      ['reopen', 'resolved', 'in_progress', 'bob'],
      ['resolve', 'in_progress', 'resolved', 'alice'],
      ['confirm', 'resolved', 'closed', 'bob'],
    ]);
    expect(history.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(history[3].note).toBe('waiting for the caller');

    // Temporal's own history agrees: one accepted update per command in the audit trail
    const events = (await handle.fetchHistory()).events ?? [];
    const accepted = events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).map((e) => e.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.name);
    expect(accepted.filter((n) => n !== 'opened')).toEqual(history.slice(1).map((e) => e.action));

    const rec = await stored(models, number);
    expect(rec).toMatchObject({ state: 'closed', seq: 10, breached: false });
  });

  it('raises a breach that fell due while no worker ran before the command that stops its clock', async () => {
    // a one-minute response target, so the breach falls due in real time on the dev server
    const sla = await latestPolicy<IncidentSlaBody>(models, 'incident-sla', 'default');
    await putPolicy(models, 'incident-sla', 'default', { ...sla.body, targets: { ...sla.body.targets, P1: { responseMinutes: 1, resolutionMinutes: 600, calendarId: '24x7' } } }, 'owner');
    const { number, view } = await openIncident(env.client, worker.taskQueue, sampleIncident(1, 1));
    await putPolicy(models, 'incident-sla', 'default', sla.body, 'owner');
    await command(env.client, number, 'assign', agent, { group: 'network' });
    const openedAt = Date.parse(view.openedAt);

    await worker.stop(); // the stack is down while the response target passes
    await new Promise((r) => setTimeout(r, Math.max(0, openedAt + 62_000 - Date.now())));
    const started = command(env.client, number, 'start', agent, {}); // queued with the overdue timer
    await new Promise((r) => setTimeout(r, 500));
    worker = await startWorker(env.nativeConnection, 'default', models, { taskQueue: worker.taskQueue, maxCachedWorkflows: 0 });

    const answer = await started;
    expect(answer.state).toBe('in_progress');
    expect(answer.sla.response.status).toBe('breached');
    expect(answer.sla.response.warnedAt).toBe(new Date(openedAt + 45_000).toISOString());
    expect(answer.sla.response.breachedAt).toBe(new Date(openedAt + 60_000).toISOString());
    expect(answer.escalations.map((e) => [e.clock, e.kind])).toEqual([['response', 'warning'], ['response', 'breach']]);
    const history = (await historyOf(models, number)).map((e) => e.action);
    expect(history).toEqual(['open', 'assign', 'sla_warning', 'sla_breach', 'start']);
    expect(await models.Incident.countDocuments({ number, breached: true })).toBe(1);
  }, 120_000);

  it('refuses an illegal transition and a stranger, and changes nothing', async () => {
    const { number, handle } = await openIncident(env.client, worker.taskQueue, sampleIncident(3, 2));
    await command(env.client, number, 'assign', agent, { group: 'network' });
    const before = await stored(models, number);
    const eventsBefore = (await handle.fetchHistory()).events!.length;

    expect(await refusal(command(env.client, number, 'resolve', agent, { resolutionCode: 'fixed', resolution: 'x' }))).toEqual({
      type: 'conflict',
      message: 'cannot resolve an incident that is assigned',
      state: 'assigned',
    });
    expect((await refusal(command(env.client, number, 'start', desktopAgent, {}))).type).toBe('forbidden');
    expect((await refusal(command(env.client, number, 'confirm', agent, {}))).type).toBe('conflict');

    expect(await stored(models, number)).toEqual(before);
    expect(await historyOf(models, number)).toHaveLength(2);
    // a refused update leaves no trace in the workflow's history either
    expect((await handle.fetchHistory()).events!.length).toBe(eventsBefore);
  });
});
