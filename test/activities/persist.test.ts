/** The step that persists a transition, against the real database: idempotent and never rewinding. */
import { createActivities } from '../../activities';
import type { IncidentEvent, IncidentRecord } from '../../domain/incident';
import { startClock } from '../../domain/sla';
import type { Models } from '../../models';
import { openDatabase } from '../support/harness';

let models: Models;
beforeAll(async () => (models = await openDatabase('persist')));
afterAll(async () => models?.conn.close());

function recordAt(seq: number, state: IncidentRecord['state']): IncidentRecord {
  const clock = startClock('resolution', 60_000, { id: '24x7', version: 1 }, 0);
  return {
    number: 'INC0000042', title: 't', description: 'd', caller: 'bob', service: 's', configurationItem: 'ci', category: 'c', impact: 2, urgency: 2,
    state, priority: 'P3', major: false, assignmentGroup: null, assignee: null, openedBy: 'alice', openedAt: 0, resolvedAt: null, closedAt: null,
    resolutionCode: null, resolution: null, holdReason: null, reopenCount: 0, assignments: [], escalations: [], comments: [],
    policy: { priorityMatrix: 1, incidentSla: 1, calendar: { id: '24x7', version: 1 } },
    sla: { response: { ...clock, name: 'response' }, resolution: clock }, autoCloseAt: null, seq,
  };
}
const event = (seq: number, to: IncidentRecord['state']): IncidentEvent => ({ seq, action: seq === 1 ? 'open' : 'assign', from: null, to, by: 'alice', at: seq * 1000, note: null });

describe('persisting a transition', () => {
  it('writes the record and one audit entry, however often it is retried', async () => {
    const a = createActivities({ models });
    await a.persistIncident({ record: recordAt(1, 'new'), event: event(1, 'new') });
    await a.persistIncident({ record: recordAt(1, 'new'), event: event(1, 'new') });
    await a.persistIncident({ record: recordAt(2, 'assigned'), event: event(2, 'assigned') });
    await a.persistIncident({ record: recordAt(2, 'assigned'), event: event(2, 'assigned') });
    expect(await models.Incident.countDocuments({ number: 'INC0000042' })).toBe(1);
    expect(await models.Audit.find({ caseId: 'INC0000042' }).sort({ seq: 1 }).lean()).toMatchObject([{ seq: 1 }, { seq: 2 }]);
  });

  it('never lets a late, older write rewind the record or its history', async () => {
    const a = createActivities({ models });
    const late = { ...recordAt(1, 'new'), number: 'INC0000043' };
    await a.persistIncident({ record: { ...recordAt(2, 'assigned'), number: 'INC0000043' }, event: event(2, 'assigned') });
    await a.persistIncident({ record: { ...recordAt(1, 'new'), number: 'INC0000043' }, event: { ...event(1, 'new'), note: 'first' } });
    await a.persistIncident({ record: late, event: { ...event(1, 'new'), note: 'a retry that lost the race' } });
    expect(await models.Incident.findOne({ number: 'INC0000043' }).lean()).toMatchObject({ seq: 2, state: 'assigned' });
    const entries = await models.Audit.find({ caseId: 'INC0000043' }).sort({ seq: 1 }).lean();
    expect(entries.map((e) => [e.seq, e.note ?? null])).toEqual([[1, 'first'], [2, null]]);
  });

  it('retries, not skips, a record write the database did not apply, so the record never stays behind its history', async () => {
    const a = createActivities({ models });
    const number = 'INC0000044';
    await a.persistIncident({ record: { ...recordAt(1, 'new'), number }, event: event(1, 'new') });
    // the database answers the conditional update as matching nothing, and writes nothing, once
    const collection = models.Incident.collection;
    const real = collection.updateOne.bind(collection);
    let dropped = 0;
    collection.updateOne = (async (...args: Parameters<typeof real>) => {
      if (dropped++ === 0) return { acknowledged: true, matchedCount: 0, modifiedCount: 0, upsertedCount: 0, upsertedId: null };
      return real(...args);
    }) as typeof collection.updateOne;
    try {
      await expect(a.persistIncident({ record: { ...recordAt(2, 'assigned'), number }, event: event(2, 'assigned') })).rejects.toThrow(`${number}: seq 2 was not written over 1`);
      await a.persistIncident({ record: { ...recordAt(2, 'assigned'), number }, event: event(2, 'assigned') }); // the retry
    } finally {
      collection.updateOne = real;
    }
    expect(((await models.Incident.findOne({ number }).lean()) as unknown as { seq: number; state: string })).toMatchObject({ seq: 2, state: 'assigned' });
    expect(await models.Audit.countDocuments({ caseId: number })).toBe(2);
  });
});
