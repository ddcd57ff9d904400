import type { Actor } from '../../domain/actor';
import { INCIDENT_STATES, nextState, refuseIncidentCommand } from '../../domain/incident';

const agent: Actor = { name: 'alice', roles: ['agent'], groups: ['network'] };
const otherAgent: Actor = { name: 'omar', roles: ['agent'], groups: ['desktop'] };
const caller: Actor = { name: 'bob', roles: ['requester'], groups: [] };
const rec = (state: (typeof INCIDENT_STATES)[number], group: string | null = 'network') => ({ number: 'INC0000001', state, assignmentGroup: group, caller: 'bob' });

describe('the incident state table', () => {
  it('moves new → assigned → in_progress ⇄ on_hold → resolved → closed', () => {
    expect(nextState('new', 'assign')).toBe('assigned');
    expect(nextState('assigned', 'start')).toBe('in_progress');
    expect(nextState('in_progress', 'hold')).toBe('on_hold');
    expect(nextState('on_hold', 'resume')).toBe('in_progress');
    expect(nextState('in_progress', 'resolve')).toBe('resolved');
    expect(nextState('resolved', 'confirm')).toBe('closed');
    expect(nextState('resolved', 'close')).toBe('closed');
    expect(nextState('resolved', 'reopen')).toBe('in_progress');
  });

  it('refuses what the table does not allow', () => {
    expect(nextState('new', 'start')).toBeNull();
    expect(nextState('on_hold', 'resolve')).toBeNull();
    expect(nextState('assigned', 'resolve')).toBeNull();
    expect(nextState('closed', 'comment')).toBeNull();
    expect(nextState('closed', 'reopen')).toBeNull();
    for (const s of INCIDENT_STATES) expect(nextState(s, 'confirm') === null).toBe(s !== 'resolved');
  });
});

describe('who may act on an incident', () => {
  it('lets the assigned group work the incident and no other group', () => {
    expect(refuseIncidentCommand(rec('assigned'), 'start', agent)).toBeNull();
    expect(refuseIncidentCommand(rec('assigned'), 'start', otherAgent)?.kind).toBe('forbidden');
    expect(refuseIncidentCommand(rec('in_progress'), 'assign', otherAgent)?.kind).toBe('forbidden');
  });

  it('lets any agent dispatch a new incident', () => {
    expect(refuseIncidentCommand(rec('new', null), 'assign', otherAgent)).toBeNull();
    expect(refuseIncidentCommand(rec('new', null), 'assign', caller)?.kind).toBe('forbidden');
  });

  it('lets only the caller confirm, and the caller or the group reopen', () => {
    expect(refuseIncidentCommand(rec('resolved'), 'confirm', caller)).toBeNull();
    expect(refuseIncidentCommand(rec('resolved'), 'confirm', agent)?.kind).toBe('forbidden');
    expect(refuseIncidentCommand(rec('resolved'), 'reopen', caller)).toBeNull();
    expect(refuseIncidentCommand(rec('resolved'), 'reopen', agent)).toBeNull();
    expect(refuseIncidentCommand(rec('resolved'), 'reopen', otherAgent)?.kind).toBe('forbidden');
  });

  it('reports an illegal transition before rights', () => {
    expect(refuseIncidentCommand(rec('closed'), 'reopen', otherAgent)).toEqual({ kind: 'conflict', message: 'cannot reopen an incident that is closed' });
  });

  it('refuses a requester on another caller’s incident before telling its state', () => {
    const stranger: Actor = { name: 'eve', roles: ['requester'], groups: [] };
    expect(refuseIncidentCommand(rec('closed'), 'comment', stranger)).toEqual({ kind: 'forbidden', message: 'INC0000001 is not one of your incidents' });
  });
});
