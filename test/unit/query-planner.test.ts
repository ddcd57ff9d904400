/** Which index serves which list: the planner every read goes through (models/query.ts). */
import mongoose from 'mongoose';
import { createModels } from '../../models';
import { decodeCursor, encodeCursor, equalityFields, indexFor } from '../../models/query';

const models = createModels(mongoose.createConnection()); // models only: nothing is sent anywhere
const NEWEST = [['_id', -1]] as const;

describe('the index a list is read on', () => {
  it('is the one whose leading keys the filter pins, ordered as the list is', () => {
    expect(indexFor(models.Incident, { open: true, priority: 'P1' }, NEWEST)).toBe('open_priority_id');
    expect(indexFor(models.Incident, { open: true, assignmentGroup: 'network' }, NEWEST)).toBe('open_group_id');
    expect(indexFor(models.Incident, { state: 'on_hold' }, NEWEST)).toBe('state_id');
    expect(indexFor(models.Incident, { caller: 'bob', state: 'new' }, NEWEST)).toMatch(/^(caller_id|state_id)$/);
    expect(indexFor(models.Incident, { open: true }, NEWEST)).toBe('open_id');
    expect(indexFor(models.Incident, {}, NEWEST)).toBe('_id_');
  });

  it('reads a period of closed cases on the closing time, latest first, and counts it there too', () => {
    const period = { closedAt: { $gte: 1, $lt: 2 } };
    expect(indexFor(models.Incident, period, [['closedAt', -1], ['_id', -1]])).toBe('closedAt_id');
    expect(indexFor(models.Incident, period)).toBe('closedAt_id');
    expect(indexFor(models.Incident, { openedAt: { $gte: 5 } })).toBe('openedAt');
  });

  it('pages a history and a person’s links on their own indexes', () => {
    expect(indexFor(models.Audit, { caseId: 'INC0000001', seq: { $gt: 3 } }, [['seq', 1]])).toBe('case_seq');
    expect(indexFor(models.Link, { k: 'approvals.approvers=ann', open: true }, [['at', 1], ['target', 1]])).toBe('k_open_at');
    expect(indexFor(models.Link, { k: 'approvals.approvers=ann' }, [['at', -1], ['target', -1]])).toBe('k_at');
  });

  it('refuses a sort no declared index serves, rather than sorting a collection', () => {
    expect(() => indexFor(models.Incident, { state: 'new' }, [['title', 1]])).toThrow(/no declared index serves/);
  });

  it('counts only scalar pins as equality', () => {
    expect(equalityFields({ a: 1, b: 'x', c: null, d: { $eq: 2 }, e: { $in: [1] }, f: { $gt: 1 }, $and: [] })).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('a cursor', () => {
  it('carries the last item’s sort values, and refuses what is not one', () => {
    const c = encodeCursor([1732500000000, 'INC0000042'])!;
    expect(decodeCursor(c, 2)).toEqual([1732500000000, 'INC0000042']);
    expect(decodeCursor(c, 1)).toBeNull();
    expect(decodeCursor('not-a-cursor', 2)).toBeNull();
    expect(decodeCursor(Buffer.from('[{"$gt":1}]').toString('base64url'), 1)).toBeNull();
    expect(encodeCursor(null)).toBeNull();
  });
});
