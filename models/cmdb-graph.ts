/**
 * The CMDB's relationships in memory, for impact analysis: FerretDB has no `$graphLookup`, and
 * following relationships one query per CI costs a round trip per CI. Every process that analyses
 * impact (the API, the worker) keeps one graph per database and brings it up to date before each
 * use by reading only the CIs written since (the `seq` index).
 *
 * Catching up: a CI's `seq` is taken from a counter before it is written, so a write that took a
 * lower number may land after one that took a higher. Each catch-up therefore reads again what
 * changed in the last {@link SETTLE_MS} (a write lands within it or not at all: requests give
 * the database 1.5 s), and a CI is taken only if its version is newer than the one held.
 */
import type { Models } from '.';
import type { CiStatus, Relationship, RelationshipType } from '../domain/cmdb';
import { dependencyOf } from '../domain/cmdb';
import type { CiDoc } from './configuration-item';
import { findIndexed } from './query';

export const SETTLE_MS = 10_000;
const READ_BATCH = 5_000;

export interface GraphNode {
  name: string;
  class: string;
  owner: string;
  status: CiStatus;
  version: number;
  relationships: Relationship[];
}

export class CmdbGraph {
  private readonly nodes = new Map<string, GraphNode>();
  /** for each CI, the relationships whose other end depends on it */
  private readonly dependents = new Map<string, Set<Relationship>>();
  /** for each CI, the relationships that end at it (from others to it) */
  private readonly incoming = new Map<string, Set<Relationship>>();
  /** every CI of seq up to this is held */
  private settled = 0;
  /** the highest seq read, and when each was first seen (it becomes `settled` once SETTLE_MS old) */
  private marks: Array<{ seq: number; at: number }> = [];
  private catchingUp: Promise<void> | null = null;

  constructor(private readonly models: Models, private readonly now: () => number = Date.now) {}

  /** Brings the graph up to date with the database (calls at the same moment share one read). */
  async upToDate(): Promise<this> {
    this.catchingUp ??= this.catchUp().finally(() => (this.catchingUp = null));
    await this.catchingUp;
    return this;
  }

  private async catchUp(): Promise<void> {
    const now = this.now();
    while (this.marks.length && now - this.marks[0].at >= SETTLE_MS) this.settled = Math.max(this.settled, this.marks.shift()!.seq);
    let after = this.settled;
    let highest = after;
    for (;;) {
      const docs = await findIndexed<CiDoc>(this.models.ConfigurationItem, { seq: { $gt: after } }, {
        sort: [['seq', 1]],
        limit: READ_BATCH,
        projection: { class: 1, owner: 1, status: 1, version: 1, seq: 1, relationships: 1 },
      });
      for (const d of docs) this.take(d);
      if (docs.length) after = highest = docs[docs.length - 1].seq;
      if (docs.length < READ_BATCH) break;
    }
    if (highest > (this.marks[this.marks.length - 1]?.seq ?? this.settled)) this.marks.push({ seq: highest, at: now });
  }

  private take(d: CiDoc): void {
    const held = this.nodes.get(d._id);
    if (held && held.version >= d.version) return;
    if (held) {
      for (const rel of held.relationships) {
        this.dependents.get(dependencyOf(rel))?.delete(rel);
        this.incoming.get(rel.to)?.delete(rel);
      }
    }
    const relationships = (d.relationships ?? []).map((r) => ({ from: d._id, type: r.type as RelationshipType, to: r.to }));
    this.nodes.set(d._id, { name: d._id, class: d.class, owner: d.owner, status: d.status, version: d.version, relationships });
    for (const rel of relationships) {
      addTo(this.dependents, dependencyOf(rel), rel);
      addTo(this.incoming, rel.to, rel);
    }
  }

  node(name: string): GraphNode | undefined {
    return this.nodes.get(name);
  }

  /** The relationships through which others depend on a CI. */
  dependentsOf(name: string): Iterable<Relationship> {
    return this.dependents.get(name) ?? [];
  }

  /** Every relationship that ends at a CI (from others to it), whichever end depends. */
  relationshipsTo(name: string): Relationship[] {
    return [...(this.incoming.get(name) ?? [])];
  }

  get size(): number {
    return this.nodes.size;
  }
}

function addTo(map: Map<string, Set<Relationship>>, key: string, rel: Relationship): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(rel);
}

const graphs = new WeakMap<Models, CmdbGraph>();
/** The graph of a database, one per process. */
export function cmdbGraph(models: Models): CmdbGraph {
  let g = graphs.get(models);
  if (!g) graphs.set(models, (g = new CmdbGraph(models)));
  return g;
}
