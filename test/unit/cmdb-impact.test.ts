import { dependentOf, impactOf, relationshipText, type Relationship, type RelationshipType } from '../../domain/cmdb';

/** a graph as a list of sentences: "app runs_on vm" */
function graph(...sentences: string[]) {
  const rels: Relationship[] = sentences.map((s) => {
    const [from, type, to] = s.split(' ');
    return { from, type: type as RelationshipType, to };
  });
  const on = (ci: string) => rels.filter((r) => (dependentOf(r) === r.from ? r.to : r.from) === ci);
  return (start: string, depth = 10, maxCis = 100) => {
    const r = impactOf(start, on, { depth, maxCis });
    return { truncated: r.truncated, cis: r.cis.map((c) => `${c.ci}@${c.depth}: ${c.path.map(relationshipText).join(' / ')}`) };
  };
}

describe('impact analysis', () => {
  it('follows the relationships to every dependent, each with a shortest path', () => {
    const impact = graph('app runs_on vm', 'vm depends_on storage', 'web uses app', 'web depends_on storage', 'batch runs_on vm');
    expect(impact('storage').cis).toEqual([
      'vm@1: vm depends_on storage',
      'web@1: web depends_on storage',
      'app@2: app runs_on vm / vm depends_on storage',
      'batch@2: batch runs_on vm / vm depends_on storage',
    ]);
    expect(impact('app').cis).toEqual(['web@1: web uses app']);
    expect(impact('web')).toEqual({ truncated: false, cis: [] });
  });

  it('reads part_of the other way: the whole depends on its parts', () => {
    const impact = graph('disk-1 part_of array', 'vm depends_on array');
    expect(impact('disk-1').cis).toEqual(['array@1: disk-1 part_of array', 'vm@2: vm depends_on array / disk-1 part_of array']);
    expect(impact('array').cis).toEqual(['vm@1: vm depends_on array']);
  });

  it('follows a cycle once', () => {
    const impact = graph('a connects_to b', 'b connects_to a', 'c depends_on a');
    expect(impact('a').cis).toEqual(['b@1: b connects_to a', 'c@1: c depends_on a']);
  });

  it('stops at its depth and at its number of CIs, and says it left some out', () => {
    const chain = graph('b depends_on a', 'c depends_on b', 'd depends_on c');
    expect(chain('a', 2)).toEqual({ truncated: true, cis: ['b@1: b depends_on a', 'c@2: c depends_on b / b depends_on a'] });
    expect(chain('a', 3).truncated).toBe(false);
    const fan = graph('x1 runs_on h', 'x2 runs_on h', 'x3 runs_on h');
    expect(fan('h', 10, 2)).toEqual({ truncated: true, cis: ['x1@1: x1 runs_on h', 'x2@1: x2 runs_on h'] });
  });
});
