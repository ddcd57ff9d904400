import { incidentStored } from '../../models/incident';

const clock = (over: Record<string, unknown> = {}) => ({ breachedAt: null, warnedAt: null, stoppedAt: null, dueAt: 5_000, ...over });
const derive = (state: string, response: Record<string, unknown>, resolution: Record<string, unknown>) =>
  incidentStored.derive({ state, openedAt: 0, sla: { response: clock(response), resolution: clock(resolution) } } as never);

describe('what lists of incidents filter on', () => {
  it('is at risk while a clock is past its warning and neither breached nor stopped', () => {
    expect(derive('in_progress', {}, { warnedAt: 1 })).toMatchObject({ atRisk: true, breached: false, resolutionDueAt: 5_000 });
    expect(derive('in_progress', { warnedAt: 1, stoppedAt: 2 }, {})).toMatchObject({ atRisk: false });
    expect(derive('in_progress', {}, { warnedAt: 1, breachedAt: 3 })).toMatchObject({ atRisk: false, breached: true });
    expect(derive('closed', {}, { warnedAt: 1 })).toMatchObject({ atRisk: false, open: false, resolutionDueAt: null });
  });
  it('falls due when its running resolution clock does; a record from before has no due time', () => {
    expect(derive('on_hold', {}, { dueAt: null })).toMatchObject({ resolutionDueAt: null });
    expect(incidentStored.derive({ state: 'new', openedAt: 0, sla: { response: { breachedAt: null }, resolution: { breachedAt: null } } } as never)).toMatchObject({ resolutionDueAt: null, atRisk: false });
  });
});
