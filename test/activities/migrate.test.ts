/** A database written by the previous version is brought over once, at start, and nothing is lost. */
import { Types } from 'mongoose';
import { prepareDatabase } from '../../models/migrate';
import { findLatestPolicy } from '../../models/policies';
import { linkKey } from '../../models/link';
import type { Models } from '../../models';
import { openDatabase } from '../support/harness';

let models: Models;
beforeAll(async () => (models = await openDatabase('migrate')));
afterAll(async () => models?.conn.close());

const clock = (breachedAt: number | null) => ({ name: 'resolution', targetMs: 1, calendar: { id: '24x7', version: 1 }, startedAt: 0, usedMs: 0, runningSince: null, pauses: [], stoppedAt: null, warnedAt: null, breachedAt });

describe('the migration of an earlier database', () => {
  it('keys records by their numbers and ids, derives what lists filter on, writes the links, and runs once', async () => {
    // as the previous version wrote them: generated ids, found by a scan of their number
    const inc = new Types.ObjectId();
    await models.Incident.collection.insertOne({ _id: inc, number: 'INC0000101', state: 'in_progress', priority: 'P2', seq: 4, openedAt: 1000, sla: { response: clock(null), resolution: clock(5) } } as never);
    await models.Change.collection.insertOne({ _id: new Types.ObjectId(), number: 'CHG0000101', state: 'scheduled', openedAt: 2000, seq: 3, plannedStart: '2027-01-01T10:00:00+01:00', plannedEnd: '2027-01-01T12:00:00+01:00', configurationItems: ['db-1', 'db-1', 'app-2'], services: ['Payroll'] } as never);
    await models.Problem.collection.insertOne({ _id: new Types.ObjectId(), number: 'PRB0000101', state: 'known_error', openedAt: 3000, seq: 2, knownError: { symptoms: 's' }, trend: { groupBy: 'configurationItem', key: 'db-1' }, incidents: ['INC0000101'] } as never);
    await models.Approval.collection.insertOne({ _id: new Types.ObjectId(), id: 'CHG0000101-A1', caseId: 'CHG0000101', state: 'pending', approvers: ['ann', 'ben'], dueAt: 9000, openedAt: 2500, rev: 1 } as never);
    await models.Task.collection.insertOne({ _id: new Types.ObjectId(), id: 'CHG0000101-T1', caseId: 'CHG0000101', state: 'claimed', group: 'network', createdAt: 2600, rev: 2 } as never);
    await models.Notification.collection.insertOne({ _id: new Types.ObjectId(), key: 'INC0000101:3', type: 'sla_breach', caseId: 'INC0000101', createdAt: new Date(), deliveredAt: null } as never);
    const key = new Types.ObjectId();
    await models.ApiKey.collection.insertOne({ _id: key, name: 'gus', hash: 'h-gus-migrate', prefix: 'x', roles: ['approver'], groups: ['cab'], revokedAt: null } as never);
    await models.conn.collection('schema_migrations').deleteMany({});

    const said = await prepareDatabase(models);
    expect(said.join('\n')).toMatch(/keyed by number or id: 1 incidents, 1 changes, 1 problems, 1 tasks, 1 approvals, 1 notifications/);

    expect(await models.Incident.collection.findOne({ _id: inc })).toBeNull();
    expect(await models.Incident.collection.findOne({ _id: 'INC0000101' as never })).toMatchObject({ number: 'INC0000101', seq: 4, open: true, breached: true, priority: 'P2' });
    expect(await models.Change.collection.findOne({ _id: 'CHG0000101' as never })).toMatchObject({ open: true, plannedStartAt: Date.parse('2027-01-01T09:00:00Z') });
    expect(await models.Problem.collection.findOne({ _id: 'PRB0000101' as never })).toMatchObject({ kedb: true, trendKey: 'configurationItem:db-1' });
    expect(await models.Task.collection.findOne({ _id: 'CHG0000101-T1' as never })).toMatchObject({ open: true, rev: 2 });
    expect(await models.Approval.collection.findOne({ _id: 'CHG0000101-A1' as never })).toMatchObject({ open: true });
    expect(await models.Notification.collection.findOne({ _id: 'INC0000101:3' as never })).toMatchObject({ type: 'sla_breach' });

    const links = async (k: string) => (await models.Link.collection.find({ k }, { hint: 'k_at' }).toArray()).map((l) => [l.target, l.open]);
    expect(await links(linkKey('changes', 'configurationItems', 'db-1'))).toEqual([['CHG0000101', true]]);
    expect(await links(linkKey('changes', 'services', 'Payroll'))).toEqual([['CHG0000101', true]]);
    expect(await links(linkKey('problems', 'incidents', 'INC0000101'))).toEqual([['PRB0000101', true]]);
    expect(await links(linkKey('approvals', 'approvers', 'ben'))).toEqual([['CHG0000101-A1', true]]);
    expect(await links(linkKey('api_keys', 'groups', 'cab'))).toEqual([[String(key), true]]);

    // recorded once: a second start reads nothing and moves nothing
    expect(await prepareDatabase(models)).toEqual([]);
    expect(await models.conn.collection('schema_migrations').countDocuments({})).toBe(2);
  });

  it('lets a database with cases from before the CMDB go on naming services and CIs as free text; a new one checks them', async () => {
    const fresh = await openDatabase('migrate_refs');
    try {
      expect((await findLatestPolicy(fresh, 'references', 'default'))?.body).toEqual({ freeText: { incident: false, problem: false, change: false } });
      // as the previous version left it: cases, no references policy, the migration not run
      await fresh.Policy.collection.deleteMany({ kind: 'references' });
      await fresh.conn.collection('schema_migrations').deleteOne({ _id: '2026-12-references' } as never);
      await fresh.Incident.collection.insertOne({ _id: 'INC0000201', number: 'INC0000201', state: 'closed', service: 'VPN', configurationItem: 'vpn-gw-1' } as never);
      expect((await prepareDatabase(fresh)).join('\n')).toMatch(/free text allowed for services and CIs until PUT \/policies\/references turns checking on/);
      expect((await findLatestPolicy(fresh, 'references', 'default'))?.body).toEqual({ freeText: { incident: true, problem: true, change: true } });
      expect(await prepareDatabase(fresh)).toEqual([]);
    } finally {
      await fresh.conn.close();
    }
  });

  it('finishes a move a crash cut short: the copy is there, the old one is removed, nothing doubles', async () => {
    const old = new Types.ObjectId();
    await models.Incident.collection.insertOne({ _id: old, number: 'INC0000102', state: 'closed', seq: 9, openedAt: 1, sla: { response: clock(null), resolution: clock(null) } } as never);
    await models.Incident.collection.insertOne({ _id: 'INC0000102', number: 'INC0000102', state: 'closed', seq: 9, openedAt: 1, open: false, breached: false } as never);
    await models.conn.collection('schema_migrations').deleteMany({});
    await prepareDatabase(models);
    expect(await models.Incident.collection.countDocuments({ number: 'INC0000102' })).toBe(1);
    expect(await models.Incident.collection.findOne({ _id: 'INC0000102' as never })).toMatchObject({ seq: 9, open: false });
  });
});
