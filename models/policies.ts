/** Reading and writing versioned policies (priority matrix, SLA policies, calendars, …). */
import { DEFAULT_CALENDARS } from '../domain/calendar';
import { DEFAULT_REFERENCES } from '../domain/cmdb';
import { PROCESSES } from '../domain/processes';
import { isDuplicateKey, type Models } from '.';
import { countIndexed, findIndexed, findOneIndexed } from './query';

export type PolicyKind = 'priority-matrix' | 'incident-sla' | 'calendar' | 'approval-policy' | 'change' | 'catalog-item' | 'problem' | 'problem-trend' | 'service' | 'ci-class' | 'references' | 'sla' | 'ci-verification' | 'release' | 'transition';

export interface StoredPolicy<T> {
  kind: PolicyKind;
  key: string;
  version: number;
  body: T;
  createdBy: string;
  createdAt: Date;
}

export class PolicyNotFound extends Error {}
export class PolicyVersionConflict extends Error {}

export async function findLatestPolicy<T>(models: Models, kind: PolicyKind, key: string): Promise<StoredPolicy<T> | null> {
  return findOneIndexed<StoredPolicy<T>>(models.Policy, { kind, key }, [['version', -1]], { _id: 0 });
}

export async function latestPolicy<T>(models: Models, kind: PolicyKind, key: string): Promise<StoredPolicy<T>> {
  const p = await findLatestPolicy<T>(models, kind, key);
  if (!p) throw new PolicyNotFound(`no ${kind} policy ${key}`);
  return p;
}

export async function policyVersion<T>(models: Models, kind: PolicyKind, key: string, version: number): Promise<StoredPolicy<T> | null> {
  return findOneIndexed<StoredPolicy<T>>(models.Policy, { kind, key, version }, [], { _id: 0 });
}

/** How many versions of one kind's policies are read at most, all keys together. */
const VERSIONS_OF_A_KIND_LIMIT = 50_000;

/** The latest version of every policy of a kind, by key. */
export async function latestPolicies<T>(models: Models, kind: PolicyKind): Promise<StoredPolicy<T>[]> {
  const all = await findIndexed<StoredPolicy<T>>(models.Policy, { kind }, { sort: [['key', 1], ['version', -1]], limit: VERSIONS_OF_A_KIND_LIMIT, projection: { _id: 0 } });
  return all.filter((p, i) => i === 0 || all[i - 1].key !== p.key);
}

const latestCache = new WeakMap<Models, Map<PolicyKind, { count: number; items: Promise<StoredPolicy<unknown>[]> }>>();

/**
 * `latestPolicies`, kept in memory while the kind's number of versions stays the same (versions are
 * only ever added, so any write changes it): one count on the index instead of reading them all.
 * For kinds read on every request of a kind (the services an impact analysis reports).
 */
export async function latestPoliciesCounted<T>(models: Models, kind: PolicyKind): Promise<StoredPolicy<T>[]> {
  let byKind = latestCache.get(models);
  if (!byKind) latestCache.set(models, (byKind = new Map()));
  const count = await countIndexed(models.Policy, { kind });
  const held = byKind.get(kind);
  if (held?.count === count) return held.items as Promise<StoredPolicy<T>[]>;
  const items = latestPolicies<T>(models, kind);
  byKind.set(kind, { count, items });
  items.catch(() => byKind.delete(kind));
  return items;
}

/**
 * Adds the next version. `expectedVersion`, when given, must be the current one (optimistic
 * concurrency: two owners editing at once do not silently overwrite each other).
 */
export async function putPolicy<T>(models: Models, kind: PolicyKind, key: string, body: T, by: string, expectedVersion?: number): Promise<StoredPolicy<T>> {
  const current = await findLatestPolicy<T>(models, kind, key);
  const currentVersion = current?.version ?? 0;
  if (expectedVersion !== undefined && expectedVersion !== currentVersion) {
    throw new PolicyVersionConflict(`${kind} ${key} is at version ${currentVersion}, not ${expectedVersion}`);
  }
  const doc = { kind, key, version: currentVersion + 1, body, createdBy: by, createdAt: new Date() };
  try {
    await models.Policy.collection.insertOne({ ...doc });
  } catch (err) {
    if (isDuplicateKey(err)) throw new PolicyVersionConflict(`${kind} ${key} was changed at the same moment; read it again`);
    throw err;
  }
  return doc;
}

/** Version 1 of each default policy (each process's, domain/processes.ts, and the calendars), where none exists yet. Safe to run at every start. */
export async function seedDefaultPolicies(models: Models): Promise<void> {
  const seeds: Array<readonly [PolicyKind, string, unknown]> = [
    ...Object.values(PROCESSES).flatMap((p): ReadonlyArray<readonly [PolicyKind, string, unknown]> => p.defaults),
    ...DEFAULT_CALENDARS.map((c): [PolicyKind, string, unknown] => ['calendar', c.id, c.body]),
    ['references', 'default', DEFAULT_REFERENCES],
  ];
  for (const [kind, key, body] of seeds) {
    if (await findLatestPolicy(models, kind, key)) continue;
    try {
      await putPolicy(models, kind, key, body, 'system');
    } catch (err) {
      if (!(err instanceof PolicyVersionConflict)) throw err;
    }
  }
}
