import { applyRecordOps, diffRecord } from '../../domain/record-diff';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

describe('a record diff', () => {
  const before = {
    number: 'INC-1',
    state: 'assigned',
    seq: 3,
    assignee: 'ann',
    holdReason: null as string | null,
    assignments: [{ group: 'l1', from: 1, to: null as number | null }],
    comments: [{ at: 1, by: 'ann', text: 'first' }],
    cycles: [{ n: 1, measurements: [{ v: 1 }], review: null as null | { decision: string } }],
    sla: { response: { dueAt: 10, stoppedAt: null as number | null } },
  };

  it('describes a transition by what it changed, and applying it gives the new record', () => {
    const after = clone(before);
    after.state = 'in_progress';
    after.seq = 4;
    after.assignments[0].to = 5;
    after.assignments.push({ group: 'l2', from: 5, to: null });
    after.comments.push({ at: 5, by: 'bob', text: 'second' });
    after.cycles[0].measurements.push({ v: 2 });
    after.cycles[0].review = { decision: 'met' };
    after.sla.response.stoppedAt = 5;
    delete (after as Partial<typeof after>).assignee;
    const ops = diffRecord(before, after);
    expect(ops).toEqual(
      expect.arrayContaining([
        { op: 'set', path: ['state'], value: 'in_progress' },
        { op: 'set', path: ['assignments', 0, 'to'], value: 5 },
        { op: 'push', path: ['assignments'], items: [{ group: 'l2', from: 5, to: null }] },
        { op: 'push', path: ['comments'], items: [{ at: 5, by: 'bob', text: 'second' }] },
        { op: 'push', path: ['cycles', 0, 'measurements'], items: [{ v: 2 }] },
        { op: 'set', path: ['cycles', 0, 'review'], value: { decision: 'met' } },
        { op: 'unset', path: ['assignee'] },
      ]),
    );
    // nothing of what stayed the same travels: the first comment is not in the diff
    expect(JSON.stringify(ops)).not.toContain('first');
    expect(applyRecordOps(clone(before), ops)).toEqual(after);
  });

  it('is empty when nothing changed, and a whole record when there was none before', () => {
    expect(diffRecord(before, clone(before))).toEqual([]);
    expect(applyRecordOps({}, diffRecord(null, before))).toEqual(before);
  });

  it('shortens a list and replaces a value of another type', () => {
    const after = { ...clone(before), comments: [], sla: null };
    const applied = applyRecordOps(clone(before), diffRecord(before, after));
    expect(applied).toEqual(after);
  });

  it('keeps a thousand appended comments linear: each diff carries only the new one', () => {
    let rec = clone(before);
    const sizes: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const next = clone(rec);
      next.seq += 1;
      next.comments.push({ at: i, by: 'x', text: 'y'.repeat(100) });
      sizes.push(JSON.stringify(diffRecord(rec, next)).length);
      rec = next;
    }
    expect(sizes[999]).toBeLessThanOrEqual(sizes[0] + 10);
    expect(sizes.reduce((a, b) => a + b)).toBeLessThan(1000 * 400);
  });
});
