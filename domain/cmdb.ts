/**
 * Configuration management [ISO/IEC 20000-1 8.2.6]: configuration items, their typed and directed
 * relationships, and what depends on what. Pure: the traversal is handed a way to read the graph.
 */

/** Where a CI is in its life. */
export const CI_STATUSES = ['planned', 'live', 'maintenance', 'retired'] as const;
export type CiStatus = (typeof CI_STATUSES)[number];

/**
 * The relationship types, each read "from <type> to". For each, which end depends on the other:
 * `from` (the usual case: an app runs_on a vm, so the vm failing reaches the app) or `to` (a disk
 * part_of an array: the disk failing reaches the array it is part of).
 */
export const RELATIONSHIP_TYPES = {
  depends_on: 'from',
  runs_on: 'from',
  hosted_on: 'from',
  uses: 'from',
  connects_to: 'from',
  backed_up_by: 'from',
  part_of: 'to',
} as const satisfies Record<string, 'from' | 'to'>;
export type RelationshipType = keyof typeof RELATIONSHIP_TYPES;
export const RELATIONSHIP_TYPE_NAMES = Object.keys(RELATIONSHIP_TYPES) as [RelationshipType, ...RelationshipType[]];

export interface Relationship {
  from: string;
  type: RelationshipType;
  to: string;
}

/** A CI's name is its id: what cases, services and URLs call it (a host name, an application's code). */
export const CI_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/** The processes whose cases name services and CIs: each checks them against the portfolio and the CMDB unless the references policy lets it take free text. */
export const REFERENCING_PROCESSES = ['incident', 'problem', 'change'] as const;
export type ReferencingProcess = (typeof REFERENCING_PROCESSES)[number];
export const DEFAULT_REFERENCES = { freeText: { incident: false, problem: false, change: false } } satisfies { freeText: Record<ReferencingProcess, boolean> };

/** How far an impact analysis follows relationships, and how many CIs it reports at most. */
export const IMPACT_DEPTH_DEFAULT = 10;
export const IMPACT_DEPTH_MAX = 20;
export const IMPACT_CIS_MAX = 5_000;
/** How many relationships one CI may have of its own (from it). */
export const RELATIONSHIPS_PER_CI_MAX = 500;

export interface Impacted {
  ci: string;
  depth: number;
  /** the relationships that carry the impact, from this CI back to the one analysed */
  path: Relationship[];
}

/**
 * Every CI that depends, directly or through others, on `start`: breadth first, so each is
 * reported with a shortest path; at most `depth` relationships away and `maxCis` CIs (`truncated`
 * says when either bound left some out). Cycles are followed once.
 */
export function impactOf(
  start: string,
  dependentsOf: (ci: string) => Iterable<Relationship>,
  opts: { depth: number; maxCis: number },
  /** the end of a relationship the walk goes on to: the dependent (impact), or the dependency (what a CI relies on) */
  toward: (rel: Relationship) => string = dependentOf,
): { cis: Impacted[]; truncated: boolean } {
  const reached = new Map<string, Impacted>([[start, { ci: start, depth: 0, path: [] }]]);
  const out: Impacted[] = [];
  let frontier = [start];
  let truncated = false;
  for (let depth = 1; frontier.length; depth++) {
    const next: string[] = [];
    for (const ci of frontier) {
      const via = reached.get(ci)!;
      for (const rel of dependentsOf(ci)) {
        const dependent = toward(rel);
        if (reached.has(dependent)) continue;
        if (depth > opts.depth || out.length >= opts.maxCis) {
          truncated = true;
          continue;
        }
        const found: Impacted = { ci: dependent, depth, path: [rel, ...via.path] };
        reached.set(dependent, found);
        out.push(found);
        next.push(dependent);
      }
    }
    frontier = next;
  }
  return { cis: out, truncated };
}

/** The end of a relationship that depends on the other. */
export const dependentOf = (rel: Relationship) => (RELATIONSHIP_TYPES[rel.type] === 'from' ? rel.from : rel.to);
/** The end of a relationship that the other depends on. */
export const dependencyOf = (rel: Relationship) => (RELATIONSHIP_TYPES[rel.type] === 'from' ? rel.to : rel.from);

/** `app-1 runs_on vm-1`: a relationship as a sentence. */
export const relationshipText = (rel: Relationship) => `${rel.from} ${rel.type} ${rel.to}`;
