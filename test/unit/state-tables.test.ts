/**
 * Every process's state table: consistent (no unknown state, no command from a final state, every
 * state reachable from where a case starts), and the one source of the process's state refusals.
 */
import type { Actor } from '../../domain/actor';
import { allowedIn, allowedWhen, refuseByState, tableFaults, type StateTable } from '../../domain/case';
import { CHANGE_AUTOMATIC, CHANGE_TABLE, refuseChangeCommand } from '../../domain/change';
import { IMPROVEMENT_AUTOMATIC, IMPROVEMENT_TABLE, refuseImprovementCommand } from '../../domain/improvement';
import { INCIDENT_AUTOMATIC, INCIDENT_TABLE, refuseIncidentCommand } from '../../domain/incident';
import { NONCONFORMITY_AUTOMATIC, NONCONFORMITY_TABLE, refuseNonconformityCommand } from '../../domain/nonconformity';
import { PROBLEM_AUTOMATIC, PROBLEM_TABLE, refuseProblemCommand } from '../../domain/problem';
import { RELEASE_AUTOMATIC, RELEASE_TABLE, refuseReleaseCommand } from '../../domain/release';
import { REQUEST_AUTOMATIC, REQUEST_TABLE, refuseRequestCommand } from '../../domain/request';
import { REVIEW_AUTOMATIC, REVIEW_TABLE, refuseReviewCommand } from '../../domain/review';
import { PROCESSES } from '../../domain/processes';
import { VERIFICATION_AUTOMATIC, VERIFICATION_TABLE, refuseVerificationCommand } from '../../domain/verification';
import { TRANSITION_AUTOMATIC, TRANSITION_TABLE, refuseTransitionCommand } from '../../domain/transition';
/** a retirement's design ready to submit and accept: a requirement with evidence, a criterion met */
const TRANSITION_READY = [
  { id: 'I1', kind: 'requirement' as const, title: 'Users moved off', owner: 'tom', evidence: 'migration report', evidenceBy: 'tom', evidenceAt: 1, by: 'tom', at: 1 },
  { id: 'I2', kind: 'acceptance_criterion' as const, title: 'No traffic for 30 days', owner: 'tom', evidence: 'traffic graph', evidenceBy: 'tom', evidenceAt: 1, by: 'tom', at: 1 },
];

const admin: Actor = { name: 'root', roles: ['admin'], groups: [] };

type AnyTable = StateTable<string, string>;
const processes: Array<{ name: string; table: AnyTable; initial: string[]; automatic: ReadonlyArray<{ from: string; to: string }>; refuse: (state: string, command: string) => { kind: string; message: string } | null }> = [
  { name: 'incident', table: INCIDENT_TABLE as AnyTable, initial: ['new'], automatic: INCIDENT_AUTOMATIC, refuse: (state, c) => refuseIncidentCommand({ number: 'INC0000001', state: state as never, assignmentGroup: 'network', caller: 'bob' }, c as never, admin) },
  { name: 'change', table: CHANGE_TABLE as AnyTable, initial: ['new'], automatic: CHANGE_AUTOMATIC, refuse: (state, c) => refuseChangeCommand({ state: state as never, requestedBy: 'ann', implementationGroup: 'ops', backingOut: false }, c as never, admin) },
  { name: 'request', table: REQUEST_TABLE as AnyTable, initial: ['approval'], automatic: REQUEST_AUTOMATIC, refuse: (state, c) => refuseRequestCommand({ state: state as never, requestedBy: 'bob', requestedFor: 'bob' }, c as never, admin) },
  { name: 'problem', table: PROBLEM_TABLE as AnyTable, initial: ['new'], automatic: PROBLEM_AUTOMATIC, refuse: (state, c) => refuseProblemCommand({ state: state as never, group: 'problem-team' }, c as never, admin) },
  { name: 'improvement', table: IMPROVEMENT_TABLE as AnyTable, initial: ['plan'], automatic: IMPROVEMENT_AUTOMATIC, refuse: (state, c) => refuseImprovementCommand({ state: state as never, owner: 'ian' }, c as never, admin) },
  { name: 'nonconformity', table: NONCONFORMITY_TABLE as AnyTable, initial: ['containment'], automatic: NONCONFORMITY_AUTOMATIC, refuse: (state, c) => refuseNonconformityCommand({ state: state as never, owner: 'ian' }, c as never, admin) },
  { name: 'review', table: REVIEW_TABLE as AnyTable, initial: ['reviewing'], automatic: REVIEW_AUTOMATIC, refuse: (state, c) => refuseReviewCommand({ state: state as never, service: { owner: 'sam' }, actions: [] }, c as never, admin) },
  { name: 'release', table: RELEASE_TABLE as AnyTable, initial: ['planning'], automatic: RELEASE_AUTOMATIC, refuse: (state, c) => refuseReleaseCommand({ state: state as never, requestedBy: 'ann', group: 'ops', tests: [], deployments: [] }, c as never, admin) },
  { name: 'verification', table: VERIFICATION_TABLE as AnyTable, initial: ['verifying'], automatic: VERIFICATION_AUTOMATIC, refuse: (state, c) => refuseVerificationCommand({ state: state as never }, c as never, admin) },
  { name: 'transition', table: TRANSITION_TABLE as AnyTable, initial: ['design'], automatic: TRANSITION_AUTOMATIC, refuse: (state, c) => refuseTransitionCommand({ state: state as never, kind: 'retire', owner: 'tom', group: 'svc-team', service: { owner: 'sam' }, items: TRANSITION_READY, improvements: [] }, c as never, admin, { item: c === 'meet_criterion' ? 'I2' : 'I1', releases: [] }) },
];

it('covers every process of the registry', () => {
  expect(processes.map((p) => p.name).sort()).toEqual(Object.keys(PROCESSES).sort());
});

describe.each(processes)('the $name state table', ({ table, initial, automatic, refuse }) => {
  it('is consistent: known states, no command from a final state, every state reachable', () => {
    expect(tableFaults(table, initial, automatic)).toEqual([]);
    for (const f of table.final) for (const c of Object.keys(table.commands)) expect(allowedIn(table, c, f)).toBe(false);
  });

  it('is what the process refuses by: a command is refused 409 in exactly the states the table does not allow', () => {
    for (const state of table.states) {
      for (const command of Object.keys(table.commands)) {
        const refused = refuse(state, command);
        if (allowedIn(table, command, state)) expect(refused).toBeNull();
        else expect(refused).toMatchObject({ kind: 'conflict', message: expect.stringContaining(refuseByState(table, command, state)!.message) });
      }
    }
  });

  it('describes every command for the API', () => {
    for (const command of Object.keys(table.commands)) expect(allowedWhen(table, command)).toMatch(/^Allowed when the \w+ is [a-z_, ]+; (leads to [a-z_ ]+|leaves the state as it is)\.$/);
  });
});

describe('a faulty table', () => {
  it('is reported: an unknown state, a command from a final state, a state nothing leads to', () => {
    const table: StateTable<string, string> = {
      noun: 'a thing',
      states: ['open', 'stuck', 'done'],
      final: ['done'],
      commands: { finish: { from: ['open', 'done'], to: ['done'] }, lose: { from: ['open'], to: ['nowhere'] } },
    };
    expect(tableFaults(table, ['open'])).toEqual(['finish is allowed from the final state done', 'lose leads to nowhere, which is not a state', 'stuck cannot be reached']);
  });
});

describe('the tables say what a practitioner expects', () => {
  it('an incident is commented on until it closes and reopened only from resolved', () => {
    expect(INCIDENT_TABLE.commands.comment.from).toEqual(INCIDENT_TABLE.states.filter((s) => !INCIDENT_TABLE.final.includes(s)));
    expect(INCIDENT_TABLE.commands.reopen.from).toEqual(['resolved']);
    expect(refuseByState(INCIDENT_TABLE, 'resolve', 'assigned')).toEqual({ kind: 'conflict', message: 'cannot resolve an incident that is assigned' });
  });
  it('a change is cancelled only before it is implemented, and a request only before fulfilment', () => {
    expect(CHANGE_TABLE.commands.cancel.from).not.toContain('implementing');
    expect(REQUEST_TABLE.commands.cancel.from).toEqual(['approval']);
    expect(allowedWhen(CHANGE_TABLE, 'cancel')).toBe('Allowed when the change is new, assessment, authorization, scheduled; leads to cancelled.');
  });

  it('a release is aborted while a deployment is left to stop, not once every environment is done', () => {
    const deployment = (state: string) => ({ environment: state, production: false, via: 'task' as const, verify: true, window: null, state: state as never, note: null, at: null });
    const facts = (states: string[]) => ({ state: 'deploying' as const, requestedBy: 'ann', group: 'ops', tests: [], deployments: states.map(deployment) });
    expect(refuseReleaseCommand(facts(['done', 'verifying']), 'abort', admin)).toBeNull();
    expect(refuseReleaseCommand(facts(['done', 'done']), 'abort', admin)).toEqual({ kind: 'conflict', message: 'every environment is deployed: there is nothing left to abort' });
  });

  it('a release goes round a bounded number of times: built, submitted, and its window set for each environment', () => {
    const deployment = (scheduled?: number) => ({ environment: 'staging', production: false, via: 'task' as const, verify: true, window: null, state: 'waiting' as const, note: null, at: null, scheduled });
    const facts = (state: string, rounds?: { builds: number; submissions: number }, scheduled?: number) => ({ state: state as never, requestedBy: 'ann', group: 'ops', tests: [], deployments: [deployment(scheduled)], rounds });
    expect(refuseReleaseCommand(facts('building', { builds: 19, submissions: 0 }), 'build_done', admin)).toBeNull();
    expect(refuseReleaseCommand(facts('building', { builds: 20, submissions: 0 }), 'build_done', admin)).toEqual({ kind: 'conflict', message: 'this release was built 20 times, the most one takes: cancel it and plan a new release' });
    // a release from before the rounds were counted counts none
    expect(refuseReleaseCommand(facts('building'), 'build_done', admin)).toBeNull();
    expect(refuseReleaseCommand(facts('testing', { builds: 1, submissions: 19 }), 'submit', admin)).toBeNull();
    expect(refuseReleaseCommand(facts('testing', { builds: 1, submissions: 20 }), 'submit', admin)?.message).toBe('this release was submitted for acceptance 20 times, the most one takes: cancel it and plan a new release');
    const schedule = { environment: 'staging', start: '2026-12-08T10:00:00Z', end: '2026-12-08T12:00:00Z' };
    expect(refuseReleaseCommand(facts('deploying', undefined, 19), 'schedule', admin, schedule)).toBeNull();
    expect(refuseReleaseCommand(facts('deploying', undefined, 20), 'schedule', admin, schedule)?.message).toBe('the window for staging was set 20 times, the most one environment takes: abort the release and plan a new one');
    expect(refuseReleaseCommand(facts('testing', undefined, 20), 'schedule', admin, schedule)?.message).toBe('the window for staging was set 20 times, the most one environment takes: cancel the release and plan a new one');
  });
});
