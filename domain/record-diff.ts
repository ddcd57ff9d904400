/**
 * What a transition changed in a case record, as a short list of operations. A case's workflow
 * hands its persist step only these (never a copy of the whole case), so the Temporal history of
 * a case grows with what each command changed, not with the size of the case times the number of
 * its commands. The step applies them to the stored record.
 *
 * Plain JSON only: objects are compared field by field, arrays item by item (items added at the
 * end are pushed, a changed item is described by its own changes).
 */
export type { CaseKind } from './case';

export type Path = Array<string | number>;
export type RecordOp =
  | { op: 'set'; path: Path; value: unknown }
  | { op: 'unset'; path: Path }
  | { op: 'push'; path: Path; items: unknown[] }
  | { op: 'truncate'; path: Path; length: number };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((v, i) => same(v, (b as unknown[])[i]));
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The operations that turn `before` into `after` (both plain JSON); `before` null is a new record. */
export function diffRecord(before: unknown, after: unknown, path: Path = []): RecordOp[] {
  if (before === after) return [];
  if (before === null || before === undefined) return after === undefined ? [] : [{ op: 'set', path, value: after }];
  if (isObject(before) && isObject(after)) {
    const ops: RecordOp[] = [];
    for (const key of Object.keys(after)) {
      if (after[key] === undefined) continue;
      if (!(key in before) || before[key] === undefined) ops.push({ op: 'set', path: [...path, key], value: after[key] });
      else ops.push(...diffRecord(before[key], after[key], [...path, key]));
    }
    for (const key of Object.keys(before)) if (before[key] !== undefined && (!(key in after) || after[key] === undefined)) ops.push({ op: 'unset', path: [...path, key] });
    return ops;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const ops: RecordOp[] = [];
    const common = Math.min(before.length, after.length);
    for (let i = 0; i < common; i++) {
      if (same(before[i], after[i])) continue;
      if (isObject(before[i]) && isObject(after[i])) ops.push(...diffRecord(before[i], after[i], [...path, i]));
      else ops.push({ op: 'set', path: [...path, i], value: after[i] });
    }
    if (after.length > before.length) ops.push({ op: 'push', path, items: after.slice(common) });
    else if (after.length < before.length) ops.push({ op: 'truncate', path, length: after.length });
    return ops;
  }
  return same(before, after) ? [] : [{ op: 'set', path, value: after }];
}

/** Applies `ops` to `record` (changed in place, and answered); a set at the empty path replaces it. */
export function applyRecordOps<T>(record: T, ops: RecordOp[]): T {
  let root: unknown = record;
  for (const o of ops) {
    if (o.path.length === 0) {
      if (o.op !== 'set') throw new Error(`cannot ${o.op} the record itself`);
      root = structuredCloneJson(o.value);
      continue;
    }
    const parent = walk(root, o.path.slice(0, -1), o.op !== 'unset') as Record<string | number, unknown>;
    const last = o.path[o.path.length - 1];
    const target = parent?.[last];
    switch (o.op) {
      case 'set':
        parent[last] = structuredCloneJson(o.value);
        break;
      case 'unset':
        if (parent !== undefined) delete parent[last];
        break;
      case 'push':
        if (Array.isArray(target)) target.push(...(structuredCloneJson(o.items) as unknown[]));
        else parent[last] = structuredCloneJson(o.items);
        break;
      case 'truncate':
        if (!Array.isArray(target)) throw new Error(`${o.path.join('.')} is not a list`);
        target.length = o.length;
        break;
    }
  }
  return root as T;
}

function walk(root: unknown, path: Path, create: boolean): unknown {
  let at = root as Record<string | number, unknown>;
  for (const [i, key] of path.entries()) {
    if (at[key] === undefined || at[key] === null) {
      if (!create) return undefined;
      at[key] = typeof path[i + 1] === 'number' ? [] : {};
    }
    at = at[key] as Record<string | number, unknown>;
  }
  return at;
}

const structuredCloneJson = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
