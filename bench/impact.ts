/**
 * Impact analysis at a CMDB's size (not part of `npm test`):
 *   npm run bench:impact [-- --cis 10000 --relationships 30000 --samples 300]
 *
 * Starts its own database (FerretDB, as `npm start` does), registers a data centre's CIs with
 * their relationships (storage arrays, hosts, VMs, databases, applications using each other) and
 * 500 services, starts the API in this process, and asks `GET /cis/{name}/impact` over HTTP:
 *   - the first ask after the API starts (the graph read from the database);
 *   - a sample of CIs of every class (warm), and the storage arrays (the widest impacts);
 *   - after a relationship is added through the API (the graph catches up on the next ask).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import mongoose from 'mongoose';
import pino from 'pino';
import { createApp } from '../api/app';
import { impactAnswer } from '../api/cmdb';
import type { ServiceBody } from '../domain/schemas/service';
import { cmdbGraph } from '../models/cmdb-graph';
import { dueForVerification } from '../models/verification';
import { hashKey, prefixOf, storeKey } from '../api/auth';
import { createModels } from '../models';
import { nextNumber } from '../models/counter';
import { prepareDatabase } from '../models/migrate';
import { latestPoliciesCounted, putPolicy } from '../models/policies';
import { REQUEST_DB_OPTIONS } from '../stack/config';
import { startDatabase } from '../stack/database';
import { fmt, percentile, rng } from './load';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
};
const CIS = Number(arg('cis', '10000'));
const RELATIONSHIPS = Number(arg('relationships', '30000'));
const SAMPLES = Number(arg('samples', '300'));
const KEY = 'isk_bench_impact_key_0123456789abcdef';

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iso20k-impact-'));
  const db = await startDatabase({ dataDir, dbName: 'impact' });
  console.log(`database: ${db.label}`);
  const conn = await mongoose.createConnection(db.uri).asPromise();
  const models = createModels(conn);
  await prepareDatabase(models);
  const random = rng(7).next;
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];

  // a data centre: per 10,000 CIs 200 arrays, 1,500 hosts, 4,500 VMs, 800 databases, 3,000 applications
  const share = (n: number) => Math.max(1, Math.round((n * CIS) / 10_000));
  const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);
  const arrays = names('san', share(200));
  const hosts = names('host', share(1_500));
  const vms = names('vm', share(4_500));
  const dbs = names('db', share(800));
  const apps = names('app', CIS - arrays.length - hosts.length - vms.length - dbs.length);
  const rels = new Map<string, Array<{ type: string; to: string }>>();
  let count = 0;
  const relate = (from: string, type: string, to: string) => {
    const own = rels.get(from) ?? [];
    if (from === to || own.some((r) => r.type === type && r.to === to)) return false;
    own.push({ type, to });
    rels.set(from, own);
    count++;
    return true;
  };
  for (const h of hosts) for (let i = 0; i < 2; i++) relate(h, 'depends_on', pick(arrays));
  for (const v of vms) relate(v, 'runs_on', pick(hosts)), relate(v, 'depends_on', pick(arrays));
  for (const d of dbs) relate(d, 'runs_on', pick(vms));
  for (const a of apps) relate(a, 'runs_on', pick(vms)), relate(a, 'runs_on', pick(vms)), relate(a, 'depends_on', pick(dbs));
  // applications use others: the rest of the relationships, each to one of the 50 registered before it (a layered estate, not one tangle)
  for (let guard = 0; count < RELATIONSHIPS && guard < RELATIONSHIPS * 10; guard++) {
    const i = 1 + Math.floor(random() * (apps.length - 1));
    relate(apps[i], 'uses', apps[Math.max(0, i - 1 - Math.floor(random() * 50))]);
  }

  const classes: Record<string, string[]> = { storage: arrays, server: hosts, virtual_machine: vms, database: dbs, application: apps };
  for (const cls of Object.keys(classes)) await putPolicy(models, 'ci-class', cls, { description: '', attributes: [], changeControlled: false }, 'bench');
  const started = Date.now();
  const at = new Date();
  const docs = Object.entries(classes).flatMap(([cls, list]) =>
    list.map((name) => ({ _id: name, class: cls, classVersion: 1, description: '', owner: `${cls} team`, status: 'live', attributes: {}, relationships: rels.get(name) ?? [], version: 1, seq: 0, verifiedAt: null, createdAt: at, createdBy: 'bench', updatedAt: at, updatedBy: 'bench', lastChange: { version: 1, action: 'registered', at, by: 'bench', why: 'bench', change: null, changes: [] } })),
  );
  for (const d of docs) d.seq = await nextNumber(models.Counter, 'cmdb');
  for (let i = 0; i < docs.length; i += 1_000) await models.ConfigurationItem.collection.insertMany(docs.slice(i, i + 1_000) as never[]);
  for (let i = 0; i < 500; i++) {
    const cis = Array.from({ length: 3 + Math.floor(random() * 4) }, () => pick(apps));
    await putPolicy(models, 'service', `svc-${i + 1}`, { name: `Service ${i + 1}`, description: '', owner: `owner ${i % 40}`, customers: [`Customer ${i % 25}`], status: 'live', configurationItems: [...new Set(cis)], slas: [] }, 'bench');
  }
  console.log(`registered ${docs.length} CIs with ${count} relationships and 500 services in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  await storeKey(models, { name: 'bench', hash: hashKey(KEY), prefix: prefixOf(KEY), roles: ['agent'], groups: [], createdBy: 'bench' });
  const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  // the API reads as it does in production: with a request's database deadline
  const apiConn = await mongoose.createConnection(db.uri, REQUEST_DB_OPTIONS).asPromise();
  const apiModels = createModels(apiConn);
  const app = createApp({ models: apiModels, client, logger: pino({ level: 'silent' }) });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ask = async (ci: string) => {
    const t = process.hrtime.bigint();
    const r = await fetch(`${url}/cis/${ci}/impact`, { headers: { authorization: `Bearer ${KEY}` } });
    const body = (await r.json()) as { cis: unknown[]; services: unknown[]; truncated: boolean };
    if (r.status !== 200) throw new Error(`${ci}: ${r.status} ${JSON.stringify(body)}`);
    return { ms: Number(process.hrtime.bigint() - t) / 1e6, cis: body.cis.length, services: body.services.length, truncated: body.truncated };
  };

  const cold = await ask(pick(vms));
  console.log(`first ask (the graph read from the database): ${fmt(cold.ms)} ms`);
  const table: string[] = ['| CIs asked | asks | p50 ms | p95 ms | max ms | dependents (median / max) | services (median / max) | truncated |', '|---|---|---|---|---|---|---|---|'];
  const measure = async (label: string, list: string[], n: number) => {
    const got = [];
    for (let i = 0; i < n; i++) got.push(await ask(n >= list.length ? list[i % list.length] : pick(list)));
    const ms = got.map((g) => g.ms);
    const cis = got.map((g) => g.cis);
    const svcs = got.map((g) => g.services);
    table.push(`| ${label} | ${n} | ${fmt(percentile(ms, 50))} | ${fmt(percentile(ms, 95))} | ${fmt(Math.max(...ms))} | ${percentile(cis, 50)} / ${Math.max(...cis)} | ${percentile(svcs, 50)} / ${Math.max(...svcs)} | ${got.filter((g) => g.truncated).length} |`);
  };
  const all = Object.values(classes).flat();
  await measure('any CI', all, SAMPLES);
  await measure('storage arrays', arrays, Math.min(SAMPLES, arrays.length));
  await measure('hosts', hosts, Math.min(SAMPLES, 100));
  await measure('databases', dbs, Math.min(SAMPLES, 100));

  // a relationship added through the API is in the next answer
  const [from, to] = [apps[apps.length - 1], arrays[0]];
  const added = await fetch(`${url}/cis/${from}/relationships`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'depends_on', to, why: 'bench' }) });
  if (added.status !== 201) throw new Error(`adding a relationship: ${added.status}`);
  const after = await ask(to);
  const seen = ((await (await fetch(`${url}/cis/${to}/impact`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as { cis: Array<{ name: string }> }).cis.some((c) => c.name === from);
  console.log(`after a relationship added through the API: ${fmt(after.ms)} ms, the new dependent ${seen ? 'shown' : 'NOT shown'}`);
  console.log(table.join('\n'));

  // where an answer's time goes, for the widest impact (a storage array), measured in this process
  const parts: Record<string, number[]> = { 'graph up to date': [], 'services read': [], 'traversal and services matched': [], 'answer as JSON': [] };
  const time = async <T>(label: string, f: () => Promise<T> | T): Promise<T> => {
    const t = process.hrtime.bigint();
    const r = await f();
    parts[label].push(Number(process.hrtime.bigint() - t) / 1e6);
    return r;
  };
  for (let i = 0; i < 30; i++) {
    const graph = await time('graph up to date', () => cmdbGraph(apiModels).upToDate());
    const services = await time('services read', () => latestPoliciesCounted<ServiceBody>(apiModels, 'service'));
    const answer = await time('traversal and services matched', () => impactAnswer(arrays[i % arrays.length], 10, graph, services));
    await time('answer as JSON', () => JSON.stringify(answer).length);
  }
  console.log(Object.entries(parts).map(([k, v]) => `${k}: p50 ${fmt(percentile(v, 50))} ms`).join('; '));
  console.log(`API process RSS: ${Math.round(process.memoryUsage().rss / 1048576)} MiB`);

  // the CI verification audit's choice of the CIs due, at this size (what the daily audit and POST /verifications read)
  const due = async (label: string) => {
    const ms: number[] = [];
    let got = 0;
    for (let i = 0; i < 5; i++) {
      const t = process.hrtime.bigint();
      got = (await dueForVerification(apiModels)).items.length;
      ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    console.log(`verification audit, ${label}: ${got} CIs chosen, p50 ${fmt(percentile(ms, 50))} ms, max ${fmt(Math.max(...ms))} ms`);
  };
  await due('every CI never verified');
  // most verified lately, a tenth long ago, and the first 2,000 by name retired and never verified (passed over, never in the way)
  const D = 86_400_000;
  await models.ConfigurationItem.collection.updateMany({}, { $set: { verifiedAt: new Date(Date.now() - 10 * D) } });
  await models.ConfigurationItem.collection.updateMany({ _id: { $in: all.filter((_, i) => i % 10 === 0) } } as never, { $set: { verifiedAt: new Date(Date.now() - 400 * D) } });
  await models.ConfigurationItem.collection.updateMany({ _id: { $in: [...all].sort().slice(0, 2_000) } } as never, { $set: { verifiedAt: null, status: 'retired' } });
  await due('2,000 retired never verified first, a tenth verified 400 days ago');

  server.close();
  await apiConn.close();
  await conn.close();
  await db.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(seen ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
