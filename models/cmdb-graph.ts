/**
 * The CMDB's relationships in memory, for impact analysis: FerretDB has no `$graphLookup`, and
 * following relationships one query per CI costs a round trip per CI. Every process that analyses
 * impact (the API, the worker) keeps one graph per database and brings it up to date before each
 * use by reading only the CIs written since (the `seq` index).
 *
 * Catching up: a CI's `seq` is taken from a counter before it is written, so a write that took a
 * lower number may land after one that took a higher. The numbers missing below the highest read
 * are gaps: each catch-up looks for the writes of the open gaps by their numbers, for
 * {@link SETTLE_MS} (a write lands within it or not at all: requests give the database 1.5 s).
 * Most gaps are numbers no CI holds any more (a CI written twice keeps its second) and close by
 * themselves. A CI is taken only if its version is newer than the one held.
 */
import type { Models } from '.';
import type { CiStatus, Relationship, RelationshipType } from '../domain/cmdb';
import { dependencyOf, dependentOf } from '../domain/cmdb';
import type { CiDoc } from './configuration-item';
import { findIndexed } from './query';

export const SETTLE_MS = 10_000;
/** CIs read per query: small enough for a request's database deadline (1.5 s) */
const READ_BATCH = 1_000;
/** open gaps looked up one by one (more: one range read) */
const GAP_LOOKUPS = 20;
/** numbers missed in one run that are kept as gaps, the highest (a run longer than writes in flight are numbers taken by writes that failed) */
const MAX_GAP_RUN = 1_000;
const GRAPH_FIELDS = { class: 1, owner: 1, status: 1, version: 1, seq: 1, relationships: 1, updatedAt: 1 } as const;

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
  /** for each CI, the relationships through which it depends on others */
  private readonly dependencies = new Map<string, Set<Relationship>>();
  /** for each CI, the relationships that end at it (from others to it) */
  private readonly incoming = new Map<string, Set<Relationship>>();
  /** the highest seq read */
  private highest = 0;
  /** seqs below `highest` not read yet, and when each was first missed */
  private readonly gaps = new Map<number, number>();
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
    for (const [seq, at] of this.gaps) if (now - at >= SETTLE_MS) this.gaps.delete(seq);
    if (this.gaps.size) {
      // writes that took their numbers before the last read and landed after it
      const open = [...this.gaps.keys()];
      const late = open.length <= GAP_LOOKUPS
        ? (await Promise.all(open.map((seq) => findIndexed<CiDoc>(this.models.ConfigurationItem, { seq }, { limit: 1, projection: GRAPH_FIELDS })))).flat()
        : await findIndexed<CiDoc>(this.models.ConfigurationItem, { seq: { $gte: Math.min(...open), $lte: Math.max(...open) } }, { sort: [['seq', 1]], limit: READ_BATCH, projection: GRAPH_FIELDS });
      for (const d of late) {
        if (!this.gaps.delete(d.seq)) continue;
        this.take(d);
      }
    }
    for (;;) {
      const docs = await findIndexed<CiDoc>(this.models.ConfigurationItem, { seq: { $gt: this.highest } }, { sort: [['seq', 1]], limit: READ_BATCH, projection: GRAPH_FIELDS });
      for (const d of docs) {
        // a number missing below a CI written lately may be a write still landing; below one written long ago, it is not
        if (now - new Date(d.updatedAt).getTime() < SETTLE_MS) for (let missed = Math.max(this.highest + 1, d.seq - MAX_GAP_RUN); missed < d.seq; missed++) this.gaps.set(missed, now);
        this.highest = d.seq;
        this.take(d);
      }
      if (docs.length < READ_BATCH) break;
    }
  }

  private take(d: CiDoc): void {
    const held = this.nodes.get(d._id);
    if (held && held.version >= d.version) return;
    if (held) {
      for (const rel of held.relationships) {
        this.dependents.get(dependencyOf(rel))?.delete(rel);
        this.incoming.get(rel.to)?.delete(rel);
        this.dependencies.get(dependentOf(rel))?.delete(rel);
      }
    }
    const relationships = (d.relationships ?? []).map((r) => ({ from: d._id, type: r.type as RelationshipType, to: r.to }));
    this.nodes.set(d._id, { name: d._id, class: d.class, owner: d.owner, status: d.status, version: d.version, relationships });
    for (const rel of relationships) {
      addTo(this.dependents, dependencyOf(rel), rel);
      addTo(this.incoming, rel.to, rel);
      addTo(this.dependencies, dependentOf(rel), rel);
    }
  }

  node(name: string): GraphNode | undefined {
    return this.nodes.get(name);
  }

  /** The relationships through which others depend on a CI. */
  dependentsOf(name: string): Iterable<Relationship> {
    return this.dependents.get(name) ?? [];
  }

  /** The relationships through which a CI depends on others. */
  dependenciesOf(name: string): Iterable<Relationship> {
    return this.dependencies.get(name) ?? [];
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
