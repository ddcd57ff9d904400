/**
 * Configuration items: one document per CI, its id its name, holding its attributes and the
 * relationships that go from it (so a CI and its relationships change in one atomic write), and
 * its history, one entry per version.
 *
 * A write is conditional on the version read, bumps the version, takes the next number of the
 * `cmdb` counter as `seq` (the graph cache reads what changed by it) and carries its own history
 * entry in `lastChange`; the entry is then copied to `ci_history`. A writer that stops between the
 * two leaves the entry in the CI, and the next write (or a read of the history) copies it first.
 */
import { Schema, type Connection } from 'mongoose';
import { RELATIONSHIPS_PER_CI_MAX, type CiStatus, type Relationship } from '../domain/cmdb';
import { formSchema, type FormField } from '../domain/schemas/request';
import { isDuplicateKey, type Models } from '.';
import { nextNumber } from './counter';
import { findLatestPolicy } from './policies';
import { findIndexed } from './query';

export interface CiHistoryEntry {
  version: number;
  action: 'registered' | 'updated' | 'relationship_added' | 'relationship_removed';
  at: Date;
  by: string;
  why: string;
  change: string | null;
  changes: Change[];
}

/** One field of a CI changed: `attributes.os`, `owner`, `relationships` (as sentences). */
export interface Change {
  field: string;
  from: unknown;
  to: unknown;
}

export interface CiDoc {
  _id: string;
  class: string;
  classVersion: number;
  description: string;
  owner: string;
  status: CiStatus;
  attributes: Record<string, unknown>;
  relationships: Array<Omit<Relationship, 'from'>>;
  version: number;
  seq: number;
  verifiedAt: Date | null;
  /** the last verification: which case, what it found, who, when */
  verification?: { case: string; result: 'verified' | 'different'; findings: string | null; by: string; at: Date } | null;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
  lastChange: CiHistoryEntry;
}

const ciSchema = new Schema({ _id: String }, { strict: false, versionKey: false });
ciSchema.index({ seq: 1 }, { name: 'seq' });
ciSchema.index({ class: 1, _id: 1 }, { name: 'class_name' });
ciSchema.index({ owner: 1, _id: 1 }, { name: 'owner_name' });
ciSchema.index({ status: 1, _id: 1 }, { name: 'status_name' });
// the CIs longest unverified first (never verified: null, first of all), for the verification audit
ciSchema.index({ verifiedAt: 1, _id: 1 }, { name: 'verified_name' });

const historySchema = new Schema({ _id: String, ci: String, version: Number }, { strict: false, versionKey: false });
historySchema.index({ ci: 1, version: 1 }, { name: 'ci_version' });

export const configurationItemModel = (conn: Connection) => conn.model('ConfigurationItem', ciSchema, 'configuration_items');
export const ciHistoryModel = (conn: Connection) => conn.model('CiHistory', historySchema, 'ci_history');

export class CiConflict extends Error {}

/** The fields of a CI a write sets (everything but its bookkeeping). */
export type CiState = Pick<CiDoc, 'class' | 'classVersion' | 'description' | 'owner' | 'status' | 'attributes' | 'relationships'>;

export async function findCi(models: Models, name: string): Promise<CiDoc | null> {
  return (await models.ConfigurationItem.collection.findOne({ _id: name as never })) as unknown as CiDoc | null;
}

/** Registers a new CI; a CI of that name already there is a conflict. */
export async function registerCi(models: Models, name: string, state: CiState, entry: Omit<CiHistoryEntry, 'version' | 'at'>): Promise<CiDoc> {
  const at = new Date();
  const lastChange: CiHistoryEntry = { ...entry, version: 1, at };
  const doc: CiDoc = { _id: name, ...state, version: 1, seq: await nextNumber(models.Counter, 'cmdb'), verifiedAt: null, createdAt: at, createdBy: entry.by, updatedAt: at, updatedBy: entry.by, lastChange };
  try {
    await models.ConfigurationItem.collection.insertOne(doc as never);
  } catch (err) {
    if (isDuplicateKey(err)) throw new CiConflict(`there is a CI named ${name} already`);
    throw err;
  }
  await keepHistory(models, name, lastChange);
  return doc;
}

/**
 * Writes the next version of a CI over the one read (`current`): a write made meanwhile by someone
 * else is a conflict, and nothing is written.
 */
export async function updateCi(models: Models, current: CiDoc, state: CiState, entry: Omit<CiHistoryEntry, 'version' | 'at'>): Promise<CiDoc> {
  await keepHistory(models, current._id, current.lastChange);
  const at = new Date();
  const version = current.version + 1;
  const lastChange: CiHistoryEntry = { ...entry, version, at };
  const seq = await nextNumber(models.Counter, 'cmdb');
  const set = { ...state, version, seq, updatedAt: at, updatedBy: entry.by, lastChange };
  const r = await models.ConfigurationItem.collection.updateOne({ _id: current._id as never, version: current.version }, { $set: set });
  if (r.matchedCount === 0) throw new CiConflict(`${current._id} was changed meanwhile (it is past version ${current.version}): read it again`);
  await keepHistory(models, current._id, lastChange);
  return { ...current, ...set };
}

async function keepHistory(models: Models, ci: string, entry: CiHistoryEntry): Promise<void> {
  try {
    await models.CiHistory.collection.insertOne({ _id: `${ci}:${entry.version}`, ci, ...entry } as never);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err; // kept already
  }
}

/** How many versions of one CI's history a read returns at most (the newest). */
export const CI_HISTORY_READ_LIMIT = 1_000;

/** A CI's history, oldest first; the last entry comes from the CI itself if its copy is not kept yet. */
export async function ciHistory(models: Models, ci: CiDoc): Promise<CiHistoryEntry[]> {
  const kept = await findIndexed<CiHistoryEntry & { _id: string; ci: string }>(models.CiHistory, { ci: ci._id }, { sort: [['version', -1]], limit: CI_HISTORY_READ_LIMIT, projection: { _id: 0, ci: 0 } });
  const entries = kept.reverse() as CiHistoryEntry[];
  if (!entries.some((e) => e.version === ci.lastChange.version)) entries.push(ci.lastChange);
  return entries;
}

/** What a CI update (a change's, or a direct edit) asks: the fields to set, attributes to merge (null removes), relationships to add and remove. */
export interface CiUpdateRequest {
  ci: string;
  owner?: string;
  status?: CiStatus;
  description?: string;
  attributes?: Record<string, unknown>;
  addRelationships?: Array<{ type: string; to: string }>;
  removeRelationships?: Array<{ type: string; to: string }>;
}

export type CiUpdatePlan =
  | { ok: true; ci: CiDoc; state: CiState; changes: Change[] }
  | { ok: false; errors: Array<{ path: string; message: string }> };

/**
 * Checks a CI update against the CMDB as it is now and works out the CI's next state: the CI and
 * its class exist, the merged attributes fit the class, relationships added go to CIs that exist.
 * Adding a relationship that is there, or removing one that is not, changes nothing, so an update
 * applied twice is applied once.
 */
export async function planCiUpdate(models: Models, u: CiUpdateRequest): Promise<CiUpdatePlan> {
  const ci = await findCi(models, u.ci);
  if (!ci) return { ok: false, errors: [{ path: 'ci', message: `there is no CI ${u.ci}` }] };
  const cls = await findLatestPolicy<{ attributes: FormField[] }>(models, 'ci-class', ci.class);
  if (!cls) return { ok: false, errors: [{ path: 'ci', message: `${u.ci}'s class ${ci.class} is not defined any more` }] };
  const errors: Array<{ path: string; message: string }> = [];
  let attributes = ci.attributes;
  if (u.attributes) {
    const merged = { ...ci.attributes };
    for (const [k, v] of Object.entries(u.attributes)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    const checked = checkAttributes(ci.class, cls.body.attributes, merged);
    if ('errors' in checked) errors.push(...checked.errors);
    else attributes = checked.attributes;
  }
  const same = (a: { type: string; to: string }, b: { type: string; to: string }) => a.type === b.type && a.to === b.to;
  let relationships = ci.relationships.filter((r) => !(u.removeRelationships ?? []).some((x) => same(x, r)));
  for (const [i, add] of (u.addRelationships ?? []).entries()) {
    if (add.to === ci._id) errors.push({ path: `addRelationships.${i}.to`, message: 'a CI does not relate to itself' });
    else if (!(await findCi(models, add.to))) errors.push({ path: `addRelationships.${i}.to`, message: `there is no CI ${add.to}` });
    else if (!relationships.some((r) => same(r, add))) relationships = [...relationships, { type: add.type as Relationship['type'], to: add.to }];
  }
  if (relationships.length > RELATIONSHIPS_PER_CI_MAX) errors.push({ path: 'addRelationships', message: `a CI has at most ${RELATIONSHIPS_PER_CI_MAX} relationships of its own` });
  if (errors.length) return { ok: false, errors };
  const state: CiState = { class: ci.class, classVersion: cls.version, description: u.description ?? ci.description, owner: u.owner ?? ci.owner, status: u.status ?? ci.status, attributes, relationships };
  return { ok: true, ci, state, changes: ciChanges(ci, state) };
}

/** A CI's attributes against its class's attribute schema: as the schema reads them, or what is wrong, by path (`attributes.os`). */
export function checkAttributes(className: string, fields: FormField[], attributes: Record<string, unknown>): { attributes: Record<string, unknown> } | { errors: Array<{ path: string; message: string }> } {
  const r = formSchema(fields).safeParse(attributes);
  if (r.success) return { attributes: r.data as Record<string, unknown> };
  return { errors: r.error.issues.map((i) => ({ path: ['attributes', ...i.path].join('.'), message: i.code === 'unrecognized_keys' ? `a ${className} has no attribute ${i.keys.join(', ')}` : i.message })) };
}

/** What changed between two states of a CI, field by field (attributes one by one, relationships as sentences). */
export function ciChanges(before: CiState & { _id?: string }, after: CiState & { _id?: string }, name = before._id ?? ''): Change[] {
  const out: Change[] = [];
  for (const f of ['class', 'description', 'owner', 'status'] as const) if (before[f] !== after[f]) out.push({ field: f, from: before[f] ?? null, to: after[f] });
  for (const k of [...new Set([...Object.keys(before.attributes), ...Object.keys(after.attributes)])].sort()) {
    if (JSON.stringify(before.attributes[k]) !== JSON.stringify(after.attributes[k])) out.push({ field: `attributes.${k}`, from: before.attributes[k] ?? null, to: after.attributes[k] ?? null });
  }
  const text = (rs: CiState['relationships']) => rs.map((r) => `${name} ${r.type} ${r.to}`).sort();
  const [b, a] = [text(before.relationships), text(after.relationships)];
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ field: 'relationships', from: b, to: a });
  return out;
}
