/**
 * The database of the embedded stack, first that applies:
 *   MONGODB_URI; a `mongod` on the PATH; FerretDB (SQLite under the data folder); mongodb-memory-server.
 * FerretDB v1 has no transactions, change streams, $lookup or TTL indexes; nothing here needs them.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { FERRETDB, FERRETDB_VERSION } from './paths';
import { freePort, portOpen, spawnServer, waitFor, type Server } from './process';

export interface Database extends Server {
  uri: string;
}

async function pingable(uri: string): Promise<boolean> {
  const client = new mongoose.mongo.MongoClient(uri, { serverSelectionTimeoutMS: 1000 });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return true;
  } finally {
    await client.close().catch(() => undefined);
  }
}

function onPath(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * @param dataDir where the database keeps its files (kept across restarts)
 * @param port    the port to listen on; a free one when omitted
 */
/** The launcher's watch over a server it starts: restarted when it dies, found by its pid file under `runDir` should the launcher die. */
export interface Supervision {
  runDir: string;
  log: (message: string) => void;
}

export async function startDatabase(opts: { dataDir: string; port?: number; dbName: string; supervise?: Supervision }): Promise<Database> {
  if (process.env.MONGODB_URI) {
    return { uri: process.env.MONGODB_URI, label: `MongoDB at ${redact(process.env.MONGODB_URI)} (MONGODB_URI)`, stop: async () => undefined };
  }
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const uri = `mongodb://127.0.0.1:${port}/${opts.dbName}`;
  if (await portOpen(port)) {
    // a MongoDB-compatible server already runs there (a mongod of the machine's, say): use it
    if (await pingable(uri).catch(() => false)) return { uri, label: `the database already answering on 127.0.0.1:${port}`, stop: async () => undefined };
    throw new Error(`port ${port} is taken by something that is not a database: stop it, set DB_PORT, or set MONGODB_URI`);
  }

  if (onPath('mongod')) {
    const dbPath = path.join(opts.dataDir, 'mongod');
    fs.mkdirSync(dbPath, { recursive: true });
    const s = spawnServer('mongod', ['--dbpath', dbPath, '--port', String(port), '--bind_ip', '127.0.0.1'], { log: path.join(opts.dataDir, 'mongod.log'), ...supervised(opts.supervise, 'mongod', () => pingable(uri)) });
    await waitFor('mongod', () => pingable(uri), s.child);
    return { uri, label: `mongod on the PATH (data under ${dbPath})`, stop: s.stop, pid: s.child.pid };
  }

  if (fs.existsSync(FERRETDB)) {
    const dir = path.join(opts.dataDir, 'ferretdb');
    fs.mkdirSync(dir, { recursive: true });
    const s = spawnServer(
      FERRETDB,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${dir}/`,
        `--listen-addr=127.0.0.1:${port}`,
        `--state-dir=${dir}`,
        '--debug-addr=',
        '--telemetry=disable',
        '--log-level=warn',
      ],
      { log: path.join(opts.dataDir, 'ferretdb.log'), env: ferretdbGc(), ...supervised(opts.supervise, 'ferretdb', () => pingable(uri)) },
    );
    // a database written by an earlier FerretDB has its indexes rebuilt once, before FerretDB answers
    await waitFor('FerretDB', () => pingable(uri), s, 30 * 60_000);
    return { uri, label: `FerretDB ${FERRETDB_VERSION} with the iso20k pushdown patch (SQLite under ${dir})`, stop: s.stop, pid: s.child.pid };
  }

  // last resort: mongodb-memory-server downloads a mongod (needs internet the first time)
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  const dbPath = path.join(opts.dataDir, 'mongodb-memory-server');
  fs.mkdirSync(dbPath, { recursive: true });
  const mms = await MongoMemoryServer.create({ instance: { port, dbPath, ip: '127.0.0.1', storageEngine: 'wiredTiger' } });
  return {
    uri,
    label: `mongodb-memory-server (data under ${dbPath})`,
    stop: async () => { await mms.stop({ doCleanup: false }); },
  };
}

/** What spawnServer needs to supervise a server: its restart, and its pid file under the run folder. */
export function supervised(s: Supervision | undefined, name: string, ready: () => Promise<boolean>) {
  return s ? { restart: { name, log: s.log, ready }, pidFile: path.join(s.runDir, `${name}.json`) } : {};
}

function redact(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * How FerretDB's Go runtime collects garbage. Every document FerretDB reads is decoded from its
 * stored JSON into fresh objects, so a list page of 50 incidents makes megabytes of garbage; with
 * Go's default (collect when the heap doubles, GOGC=100) on a heap of a few MiB it collects
 * several times per page. Measured on 100,000 incidents (50 open by priority, warm, quiet, one
 * client): GOGC=100 p50 89–119 ms, GOGC=800 p50 54–55 ms; one document by `_id` 3.4–4.1 → 1.8–3.3
 * ms. The soft limit keeps the heap bounded however large a single answer is.
 */
function ferretdbGc(): Record<string, string> {
  return { GOGC: process.env.FERRETDB_GOGC || '800', GOMEMLIMIT: process.env.FERRETDB_GOMEMLIMIT || '1GiB' };
}
