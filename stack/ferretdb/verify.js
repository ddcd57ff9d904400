#!/usr/bin/env node
// Checks FerretDB with iso20k-pushdown.patch: hinted find/count pushdown gives the same results as the
// stock (unhinted) path, explain shows index use, unknown hints are errors.
//
// Usage: NODE_PATH=/work/main/node_modules node stack/ferretdb/verify.js mongodb://127.0.0.1:27017/ [queries] [seed]
// Exits non-zero on any failure. Uses (and drops) the database `verify_pushdown`.
'use strict';

const { MongoClient, Long, Double, BSON } = require('mongodb');

const uri = process.argv[2];
const QUERIES = Number(process.argv[3] || 400);
let seed = Number(process.argv[4] || 20240601);

if (!uri) {
  console.error('usage: node verify.js <mongodb uri> [queries] [seed]');
  process.exit(2);
}

// deterministic PRNG (mulberry32), so a failure can be replayed with the same seed
function rand() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(rand() * n);
const pick = (a) => a[int(a.length)];
const chance = (p) => rand() < p;

const DOCS = 3000;
const STRINGS = ['', ' ', 'a', 'ab', 'ab ', 'ab!', 'abc', 'abd', 'B', 'b', 'Zeta', 'é', 'ü', '<tag>', 'q"uote', 'back\\slash', 'x&y', '10', '9'];
const T0 = Date.UTC(2024, 0, 1);

// Each field holds values of one type, or null, or is missing: the contract of hinted queries;
// x mixes strings and numbers, which compare as in MongoDB too (numbers first, ranges bracketed).
const gen = {
  k: () => `k${int(5)}`,
  s: () => (chance(0.5) ? pick(STRINGS) : `s${int(300)}`),
  n: () => (chance(0.5) ? int(101) - 50 : chance(0.5) ? new Double(int(41) - 20) : (int(201) - 100) / 4),
  l: () => Long.fromNumber((int(21) - 10) * 2 ** 40 + int(3)),
  t: () => new Date(T0 + int(2000) * 3600000),
  b: () => chance(0.5),
  'm.x': () => int(30),
  state: () => pick(['new', 'open', 'closed']),
  group: () => `g${int(5)}`,
  x: () => (chance(0.5) ? pick(STRINGS) : (int(81) - 40) / 2),
};
const FIELDS = Object.keys(gen);

const INDEXES = [
  [{ k: 1, n: 1, _id: -1 }, 'k_n_id'],
  [{ s: 1, _id: 1 }, 's_id'],
  [{ b: 1, t: -1, _id: 1 }, 'b_t_id'],
  [{ n: -1 }, 'n_desc'],
  [{ k: 1, s: -1, l: 1 }, 'k_s_l'],
  [{ t: 1, _id: -1 }, 't_id'],
  [{ 'm.x': 1, k: -1 }, 'mx_k'],
  [{ state: 1, group: 1, _id: -1 }, 'state_group_id'],
  [{ x: 1, _id: 1 }, 'x_id'],
];

function makeDoc(i) {
  const doc = { _id: `D${String(i).padStart(6, '0')}` };
  for (const f of FIELDS) {
    const r = rand();
    if (r < 0.1) continue; // missing
    const v = r < 0.2 ? null : gen[f]();
    if (f === 'm.x') doc.m = { x: v };
    else doc[f] = v;
  }
  return doc;
}

// operand for field f: of the field's type, or (probe) a string for a number field and vice versa
function operand(f, probe = false) {
  if (f === '_id') return `D${String(int(DOCS + 100)).padStart(6, '0')}`;
  if (probe && f === 's') return int(20);
  if (f === 'x' || (probe && f === 'n')) return probe ? pick(STRINGS) : int(41) - 20;
  return gen[f]();
}

// condition on field f; ranges only on fields whose operands can be ranged;
// all operands of one condition are of one type
function condition(f, jsonID) {
  const probe = chance(f === 'x' ? 0.5 : 0.2);
  const op = () => operand(f, probe);
  const rangeable = !['b', 'k', 'state', 'group'].includes(f);
  switch (int(rangeable ? 7 : 4)) {
    case 0: return op();
    case 1: return { $eq: op() };
    case 2: {
      const vals = Array.from({ length: 1 + int(3) }, op);
      if (!jsonID && chance(0.3)) vals.push(null);
      return { $in: vals };
    }
    case 3: return jsonID ? op() : null;
    case 4: return { [pick(['$gt', '$gte'])]: op() };
    case 5: return { [pick(['$lt', '$lte'])]: op() };
    default: return { [pick(['$gt', '$gte'])]: op(), [pick(['$lt', '$lte'])]: op() };
  }
}

function randomQuery() {
  const [key, name] = pick(INDEXES.concat([[{ _id: 1 }, '_id_']]));
  const keyFields = Object.keys(key);
  const jsonID = name === '_id_';
  const filter = {};
  const nconds = int(4);
  for (let i = 0; i < nconds; i++) {
    const f = chance(0.7) ? pick(keyFields) : pick(FIELDS.concat(['_id']));
    if (filter[f] !== undefined) continue;
    if (jsonID && f === '_id' && chance(0.5)) {
      // string ranges and equality on _id with the `_id_` index (JSON text)
      filter._id = pick([{ $lt: operand('_id') }, { $gte: operand('_id') }, operand('_id'), { $in: [operand('_id'), operand('_id')] }]);
      continue;
    }
    filter[f] = condition(f, jsonID && f === '_id');
  }
  let translatable = true;
  if (chance(0.15)) {
    // $and of translatable parts
    const and = Object.entries(filter).map(([f, v]) => ({ [f]: v }));
    if (and.length > 0) {
      for (const f of Object.keys(filter)) delete filter[f];
      filter.$and = and;
    }
  }
  if (chance(0.1)) {
    // not translatable: must fall back to the stock path
    translatable = false;
    const f = pick(FIELDS);
    switch (int(4)) {
      case 0: filter.$or = [{ k: 'k1' }, { b: true }]; break;
      case 1: filter[f] = { $ne: operand(f) }; break;
      case 2: filter[f] = { $exists: chance(0.5) }; break;
      default: filter[f] = { $nin: [operand(f)] };
    }
  }

  // sort: none, the index's own order (or reversed), or random fields; always ends with _id for a total order
  let sort = null;
  const sortKind = int(3);
  if (sortKind === 1) {
    const dir = chance(0.5) ? 1 : -1;
    sort = {};
    for (const f of keyFields) sort[f] = key[f] * dir;
  } else if (sortKind === 2) {
    sort = {};
    for (let i = int(3); i > 0; i--) sort[pick(FIELDS)] = pick([1, -1]);
  }
  if (sort && !('_id' in sort)) sort._id = pick([1, -1]);
  if (sort && jsonID) sort = { _id: pick([1, -1]) };

  const limit = sort ? pick([0, 1, 5, 20, 100]) : 0;
  const skip = sort ? pick([0, 0, 3, 17]) : 0;
  return { name, key, filter, sort, limit, skip, translatable };
}

const show = (v) => BSON.EJSON.stringify(v);

async function main() {
  const client = await MongoClient.connect(uri);
  const db = client.db('verify_pushdown');
  const failures = [];
  const fail = (what, detail) => {
    failures.push(what);
    if (failures.length <= 20) console.error(`FAIL ${what}${detail ? `\n  ${detail}` : ''}`);
  };
  const counts = { find: 0, count: 0, pushedDown: 0, fallback: 0 };

  try {
    await db.dropDatabase();
    const coll = db.collection('docs');
    for (const [key, name] of INDEXES) await coll.createIndex(key, { name });
    const docs = Array.from({ length: DOCS }, (_, i) => makeDoc(i));
    for (let i = 0; i < docs.length; i += 500) await coll.insertMany(docs.slice(i, i + 500));

    // (a) differential test
    for (let i = 0; i < QUERIES; i++) {
      const q = randomQuery();
      const hintArg = chance(0.5) ? q.name : q.key;
      const desc = `#${i} find(${show(q.filter)}).sort(${show(q.sort)}).skip(${q.skip}).limit(${q.limit}).hint(${show(hintArg)})`;
      const run = (hint) => {
        let c = coll.find(q.filter);
        if (q.sort) c = c.sort(q.sort);
        if (q.skip) c = c.skip(q.skip);
        if (q.limit) c = c.limit(q.limit);
        if (hint) c = c.hint(hint);
        return c;
      };

      const [got, want] = await Promise.all([run(hintArg).toArray(), run(null).toArray()]);
      const norm = (a) => (q.sort ? a : [...a].sort((x, y) => (x._id < y._id ? -1 : 1))).map(show);
      const g = norm(got);
      const w = norm(want);
      counts.find++;
      if (g.length !== w.length || g.some((d, j) => d !== w[j])) {
        fail(desc, `hinted ${g.length} docs ${got.slice(0, 3).map((d) => d._id)}…, stock ${w.length} docs ${want.slice(0, 3).map((d) => d._id)}…`);
      }

      // explain's skip must be a long in FerretDB v1.24.2 (the driver sends an int), hence the raw command
      const find = { find: 'docs', filter: q.filter, hint: hintArg };
      if (q.sort) find.sort = q.sort;
      if (q.limit) find.limit = q.limit;
      if (q.skip) find.skip = Long.fromNumber(q.skip);
      const ex = await db.command({ explain: find, verbosity: 'queryPlanner' });
      const pushed = typeof ex.queryPlanner?.SQL === 'string' && ex.queryPlanner.SQL.includes('INDEXED BY');
      if (pushed) counts.pushedDown++;
      else counts.fallback++;
      if (pushed !== q.translatable) fail(`${desc}: pushed down ${pushed}, expected ${q.translatable}`, show(ex.queryPlanner));
      if (pushed && (ex.sortPushdown !== !!q.sort || ex.limitPushdown !== q.limit > 0)) {
        fail(`${desc}: explain flags`, show({ f: ex.filterPushdown, s: ex.sortPushdown, l: ex.limitPushdown }));
      }

      const countCmd = { count: 'docs', query: q.filter };
      if (chance(0.3)) countCmd.skip = pick([1, 5, 50]);
      if (chance(0.3)) countCmd.limit = pick([1, 10, 200]);
      const [cg, cw] = await Promise.all([
        db.command({ ...countCmd, hint: hintArg }),
        db.command(countCmd),
      ]);
      counts.count++;
      if (cg.n !== cw.n) fail(`#${i} count ${show(countCmd)} hint ${show(hintArg)}: hinted ${cg.n}, stock ${cw.n}`);
    }

    // (b) the typical list query uses the index for WHERE and ORDER BY
    {
      const ex = await coll
        .find({ state: 'new', group: 'g3', _id: { $lt: 'INC0050000' } })
        .sort({ _id: -1 })
        .limit(51)
        .hint('state_group_id')
        .explain();
      const plan = ex.queryPlanner?.Plan || [];
      const ok =
        plan.some((r) => /SEARCH .* USING INDEX \S*state_group_id/.test(r)) &&
        !plan.some((r) => /SCAN|TEMP B-TREE/.test(r)) &&
        ex.filterPushdown === true &&
        ex.sortPushdown === true &&
        ex.limitPushdown === true;
      if (!ok) fail('explain of the list query does not show index use', show(ex.queryPlanner));
      else console.log(`explain: ${plan.join(' | ')}`);
    }

    // (c) unknown hints are BadValue errors; hints on missing collections give empty results
    for (const [what, f] of [
      ['find', () => coll.find({ state: 'new' }).hint('no_such_index').toArray()],
      ['find by key', () => coll.find({}).hint({ state: -1 }).toArray()],
      ['count', () => db.command({ count: 'docs', query: { state: 'new' }, hint: 'no_such_index' })],
    ]) {
      try {
        await f();
        fail(`unknown hint (${what}) did not fail`);
      } catch (e) {
        if (e.code !== 2 || !/hint provided does not correspond to an existing index/.test(e.message)) {
          fail(`unknown hint (${what}): code ${e.code} ${e.message}`);
        }
      }
    }
    // commands without filter / query
    {
      const cmd = { find: 'docs', sort: { k: 1, n: 1, _id: -1 }, limit: 7 };
      const [g, w] = await Promise.all([db.command({ ...cmd, hint: 'k_n_id' }), db.command(cmd)]);
      if (show(g.cursor.firstBatch) !== show(w.cursor.firstBatch)) fail('find without filter differs');
      const [cg, cw] = await Promise.all([db.command({ count: 'docs', hint: 'k_n_id' }), db.command({ count: 'docs' })]);
      if (cg.n !== cw.n || cg.n !== DOCS) fail(`count without query: hinted ${cg.n}, stock ${cw.n}`);
    }

    const none = await db.collection('missing').find({ a: 1 }).hint('x').toArray();
    const n = (await db.command({ count: 'missing', query: { a: 1 }, hint: 'x' })).n;
    if (none.length !== 0 || n !== 0) fail(`hint on a missing collection: ${none.length} docs, count ${n}`);
  } finally {
    await db.dropDatabase().catch(() => {});
    await client.close();
  }

  console.log(
    `verify: ${counts.find} finds (${counts.pushedDown} pushed down, ${counts.fallback} stock fallback), ${counts.count} counts, ` +
      `${failures.length} failures`,
  );
  console.log(`${failures.length === 0 ? 1 : 0} passed, ${failures.length === 0 ? 0 : 1} failed`);
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
