#!/usr/bin/env node
// Timings of incident lists on FerretDB's SQLite backend, with and without iso20k-pushdown.patch.
//
//   node bench.js <uri> load             drop bench.incidents, insert 100,000 ~3 KB documents, create indexes
//   node bench.js <uri> id [runs]         findOne by _id only (for the stock binary, where it is slow)
//   node bench.js <uri> all [runs]        every measurement (for the patched binary)
//
// Prints one line per measurement: p50 and p95 in milliseconds. See bench.sh for the whole procedure.
'use strict';

const { MongoClient, BSON } = require('mongodb');

const [uri, mode = 'all', runsArg] = process.argv.slice(2);
const RUNS = Number(runsArg || 200);
const N = 100000;

let seed = 42;
function rand() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(rand() * n);
const id = (i) => `INC${String(i).padStart(7, '0')}`;

// state 'new' is 15% of documents
const STATES = [['new', 15], ['in_progress', 25], ['on_hold', 10], ['resolved', 30], ['closed', 15], ['cancelled', 5]];
function state() {
  let r = int(100);
  for (const [s, w] of STATES) {
    if (r < w) return s;
    r -= w;
  }
  return 'closed';
}

const WORDS = 'the service desk user reported that printer network login email vpn outage slow error after update cannot access application server database backup restore password reset laptop monitor'.split(' ');
function text(len) {
  const out = [];
  let n = 0;
  while (n < len) {
    const w = WORDS[int(WORDS.length)];
    out.push(w);
    n += w.length + 1;
  }
  return out.join(' ');
}

function incident(i) {
  return {
    _id: id(i),
    number: i,
    title: text(60),
    state: state(),
    priority: `P${1 + int(4)}`,
    group: `g${String(int(20)).padStart(2, '0')}`,
    assignee: `user${String(int(200)).padStart(3, '0')}`,
    breached: rand() < 0.1,
    openedAt: new Date(Date.UTC(2023, 0, 1) + i * 300000),
    description: text(2500),
  };
}

async function time(name, runs, f) {
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await f(i);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  ms.sort((a, b) => a - b);
  const p = (q) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))];
  console.log(`${name.padEnd(58)} runs ${String(runs).padStart(3)}  p50 ${p(0.5).toFixed(2).padStart(9)} ms  p95 ${p(0.95).toFixed(2).padStart(9)} ms`);
}

async function main() {
  const client = await MongoClient.connect(uri);
  const db = client.db('bench');
  const coll = db.collection('incidents');

  if (mode === 'load') {
    await db.dropDatabase();
    await coll.createIndex({ state: 1, _id: -1 }, { name: 'state_id' });
    await coll.createIndex({ group: 1, state: 1, _id: -1 }, { name: 'group_state_id' });
    await coll.createIndex({ priority: 1, _id: -1 }, { name: 'priority_id' });
    const t = Date.now();
    let bytes = 0;
    for (let i = 1; i <= N; i += 1000) {
      const docs = Array.from({ length: 1000 }, (_, j) => incident(i + j));
      for (const d of docs) bytes += BSON.calculateObjectSize(d);
      await coll.insertMany(docs);
    }
    const s = await db.command({ collStats: 'incidents' });
    console.log(`loaded ${s.count} documents (avg BSON size ${Math.round(bytes / N)} bytes) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const n = (await db.command({ count: 'incidents', query: { state: 'new' } })).n;
    console.log(`documents with state 'new': ${n}`);
    await client.close();
    return;
  }

  await time("findOne({_id}) (random _id)", RUNS, () => coll.findOne({ _id: id(1 + int(N)) }));
  if (mode === 'id') {
    await client.close();
    return;
  }

  const filter = { state: 'new' };
  const list = (f, hint) => {
    const c = coll.find(f).sort({ _id: -1 }).limit(51);
    return (hint ? c.hint(hint) : c).toArray();
  };

  const first = await list(filter, 'state_id');
  const last = first[first.length - 2]._id; // 50 shown, the 51st tells there is a next page
  console.log(`list first page: ${first.length} docs, ${first[0]._id} … ${last}`);

  await time("hinted list first page {state:'new'} sort _id desc limit 51", RUNS, () => list(filter, 'state_id'));
  await time('hinted next page by keyset (_id < last)', RUNS, () => list({ ...filter, _id: { $lt: last } }, 'state_id'));
  await time("hinted count {state:'new'}", RUNS, () => db.command({ count: 'incidents', query: filter, hint: 'state_id' }));
  await time("hinted list {group:'g03', state:'new'} limit 51", RUNS, () => list({ group: 'g03', state: 'new' }, 'group_state_id'));

  const FEW = Math.min(RUNS, 5);
  await time('same list without hint (stock path)', FEW, () => list(filter));
  await time('same count without hint (stock path)', FEW, () => db.command({ count: 'incidents', query: filter }));

  await client.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
