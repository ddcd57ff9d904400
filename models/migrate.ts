/**
 * Brings a database written by an earlier version up to this one, once, at start. Each step is
 * idempotent (a crash halfway, or two processes starting at once, only repeat work) and recorded
 * in `schema_migrations` when done, so later starts skip it without reading anything.
 */
import type { Model } from 'mongoose';
import { approvalStored } from './approval';
import type { StoredShape } from './case-record';
import { caseStores, ensureIndexes, isDuplicateKey, type Models } from './index';
import { syncLinks } from './link';
import { findLatestPolicy, putPolicy, seedDefaultPolicies } from './policies';
import { taskStored } from './task';

type Doc = Record<string, any>;

interface Rekey {
  model: Model<any>;
  /** the field whose value becomes the `_id` */
  keyField: string;
  derive(doc: Doc): Doc;
  links?(doc: Doc): Array<{ field: string; value: string }>;
  linkAt?(doc: Doc): number;
}

const fromShape = (model: Model<any>, keyField: string, shape: StoredShape<any>): Rekey => ({
  model,
  keyField,
  derive: shape.derive,
  links: shape.links,
  linkAt: shape.linkAt,
});

/**
 * Moves every document whose `_id` is not its key to one that is (copy, then delete the old), with
 * the derived fields and links the current version keeps. Before this version, case records,
 * tasks, approvals and notifications had generated ids and were found by a scan.
 */
async function rekey({ model, keyField, derive, links, linkAt }: Rekey, models: Models): Promise<number> {
  let moved = 0;
  const cursor = model.collection.find({}, { batchSize: 500 });
  for await (const doc of cursor) {
    const key = doc[keyField];
    if (typeof key !== 'string' || String(doc._id) === key) continue;
    const { _id: old, ...rest } = doc;
    const next = { ...rest, ...derive(rest) };
    try {
      await model.collection.insertOne({ _id: key, ...next } as never);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // moved before a crash: only the old copy is left to remove
    }
    await model.collection.deleteOne({ _id: old });
    if (links && linkAt) await syncLinks(models.Link, model.collection.collectionName, key, links(next), next.open as boolean, linkAt(next));
    moved++;
  }
  return moved;
}

const MIGRATIONS: Array<{ name: string; run(models: Models): Promise<string> }> = [
  {
    name: '2026-11-keyed-records',
    async run(models) {
      const steps: Rekey[] = [
        ...Object.values(caseStores(models)).map(({ model, stored }) => fromShape(model, 'number', stored)),
        { model: models.Task, keyField: 'id', derive: taskStored.derive },
        { model: models.Approval, keyField: 'id', derive: approvalStored.derive, links: approvalStored.links as Rekey['links'], linkAt: (a) => a.dueAt },
        { model: models.Notification, keyField: 'key', derive: () => ({}) },
      ];
      const moved: string[] = [];
      for (const step of steps) {
        const n = await rekey(step, models);
        if (n) moved.push(`${n} ${step.model.collection.collectionName}`);
      }
      // who holds a key of which group: links, so an approval stage finds a group's members on an index
      for await (const key of models.ApiKey.collection.find({})) {
        await syncLinks(models.Link, 'api_keys', String(key._id), (key.groups ?? []).map((value: string) => ({ field: 'groups', value })), !key.revokedAt, 0);
      }
      return moved.length ? `keyed by number or id: ${moved.join(', ')}` : 'nothing to move';
    },
  },
  {
    name: '2026-12-references',
    async run(models) {
      // a database with cases from before the portfolio and the CMDB: its desks name services and CIs as free text, and go on doing so until the process owner turns checking on
      if (await findLatestPolicy(models, 'references', 'default')) return 'references policy there already';
      const cases = await Promise.all(Object.values(caseStores(models)).map(({ model }) => model.collection.findOne({}, { projection: { _id: 1 } })));
      if (!cases.some(Boolean)) return 'a new database: services and CIs are checked';
      await putPolicy(models, 'references', 'default', { freeText: { incident: true, problem: true, change: true } }, 'system');
      return 'cases from before the CMDB: free text allowed for services and CIs until PUT /policies/references turns checking on';
    },
  },
];

/**
 * What every process that uses the database runs first: the declared indexes, the pending
 * migrations, the default policies. Answers what the migrations did.
 */
export async function prepareDatabase(models: Models): Promise<string[]> {
  await ensureIndexes(models);
  const done = models.conn.collection('schema_migrations');
  const said: string[] = [];
  for (const m of MIGRATIONS) {
    if (await done.findOne({ _id: m.name } as never)) continue;
    const what = await m.run(models);
    await done.updateOne({ _id: m.name } as never, { $set: { at: new Date(), what } }, { upsert: true });
    said.push(`${m.name}: ${what}`);
  }
  await seedDefaultPolicies(models);
  return said;
}
