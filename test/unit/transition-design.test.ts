/** The rules a service transition goes by [8.5.2]: what a design lacks, and whether its releases let it go to acceptance. */
import { designGaps, releasesNotReady, unmetCriteria, type ItemKind, type TransitionItem } from '../../domain/transition';

const item = (id: string, kind: ItemKind, evidence: string | null = 'shown'): TransitionItem => ({ id, kind, title: `${kind} ${id}`, owner: 'tom', evidence, evidenceBy: evidence === null ? null : 'tom', evidenceAt: evidence === null ? null : 1, by: 'tom', at: 1 });
const complete = [item('I1', 'requirement'), item('I2', 'acceptance_criterion', null), ...(['sla', 'capacity', 'availability_continuity', 'information_security', 'budget'] as const).map((k, i) => item(`I${i + 3}`, k))];

describe('a design', () => {
  it('of a new or changed service needs a requirement, an acceptance criterion and each consideration of 8.5.2.2, with evidence on all but the criteria', () => {
    expect(designGaps('new', complete)).toEqual([]);
    expect(designGaps('change', [])).toEqual([
      'a requirement',
      'an acceptance criterion',
      'an SLA draft (sla)',
      'a capacity item (capacity)',
      'an availability and continuity item (availability_continuity)',
      'an information security item (information_security)',
      'a budget item (budget)',
    ]);
    const noEvidence = complete.map((i) => (i.kind === 'budget' || i.kind === 'sla' ? { ...i, evidence: null } : i));
    expect(designGaps('new', noEvidence)).toEqual(['evidence on I3 (sla I3), I7 (budget I7)']);
  });

  it('of a retirement needs only a requirement and an acceptance criterion', () => {
    expect(designGaps('retire', [item('I1', 'requirement'), item('I2', 'acceptance_criterion', null)])).toEqual([]);
    expect(designGaps('retire', [item('I1', 'requirement')])).toEqual(['an acceptance criterion']);
  });

  it('is accepted only when every acceptance criterion is met', () => {
    expect(unmetCriteria(complete).map((i) => i.id)).toEqual(['I2']);
    expect(unmetCriteria(complete.map((i) => ({ ...i, evidence: 'met' })))).toEqual([]);
  });
});

describe('the releases of a transition', () => {
  it('let it go to acceptance once one is in operation and none counted is still on its way', () => {
    expect(releasesNotReady([])).toBe('no release names this transition: the service is transitioned through a release');
    expect(releasesNotReady([{ number: 'REL1', state: 'rolled_back' }])).toBe('every release of it is cancelled or rolled_back: the service needs a release in early_life_support or closed');
    expect(releasesNotReady([{ number: 'REL1', state: 'closed' }, { number: 'REL2', state: 'testing' }, { number: 'REL3', state: 'cancelled' }])).toBe('releases not yet in early_life_support or closed: REL2 (testing)');
    expect(releasesNotReady([{ number: 'REL1', state: 'early_life_support' }, { number: 'REL3', state: 'cancelled' }])).toBeNull();
  });
});
