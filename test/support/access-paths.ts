/**
 * Watches the database commands a connection sends and names every one that would read more
 * than its answer: a find or count without a hint that is not a primary-key lookup, a write whose
 * filter is not the primary key, any aggregate. The product's rule (models/query.ts): every read
 * is a primary-key lookup or a hinted index range.
 */
import type { Connection } from 'mongoose';

const ADMIN = new Set(['insert', 'getMore', 'killCursors', 'endSessions', 'ping', 'hello', 'isMaster', 'ismaster', 'buildInfo', 'listIndexes', 'createIndexes', 'dropIndexes', 'create', 'listCollections', 'saslStart', 'saslContinue', 'count_internal']);

function byPrimaryKey(filter: unknown): boolean {
  if (!filter || typeof filter !== 'object') return false;
  const id = (filter as Record<string, unknown>)._id;
  return id !== undefined && (typeof id !== 'object' || id === null || (id as object).constructor?.name === 'ObjectId');
}

/** Watches the commands of every connection given (the API's for requests, and the worker's). */
export function watchAccessPaths(...conns: Connection[]) {
  const conn = conns[0];
  const offences: string[] = [];
  /** every hinted find, to replay as an explain */
  const hinted: Array<Record<string, unknown>> = [];
  const listener = (e: { commandName: string; command: Record<string, any>; databaseName: string }) => {
    if (e.databaseName !== conn.name) return;
    const c = e.command;
    const name = e.commandName;
    if (ADMIN.has(name)) return;
    const what = `${name} ${c[name]} ${JSON.stringify(c.filter ?? c.query ?? c.updates?.[0]?.q ?? c.deletes?.[0]?.q ?? c.pipeline ?? {})}`;
    switch (name) {
      case 'find':
      case 'count':
        if (!c.hint && !byPrimaryKey(c.filter ?? c.query)) offences.push(what);
        if (name === 'find' && c.hint) hinted.push(Object.fromEntries(Object.entries({ find: c.find, filter: c.filter, sort: c.sort, limit: c.limit, hint: c.hint }).filter(([, v]) => v !== undefined)));
        return;
      case 'update':
        if (!c.updates.every((u: { q: unknown }) => byPrimaryKey(u.q))) offences.push(what);
        return;
      case 'delete':
        if (!c.deletes.every((d: { q: unknown }) => byPrimaryKey(d.q))) offences.push(what);
        return;
      case 'findAndModify':
        if (!byPrimaryKey(c.query)) offences.push(what);
        return;
      default:
        offences.push(what);
    }
  };
  for (const c of conns) c.getClient().on('commandStarted', listener);
  return {
    /** stops watching; answers each offending command once */
    stop(): string[] {
      for (const c of conns) c.getClient().off('commandStarted', listener);
      return [...new Set(offences)];
    },
    hinted,
  };
}
