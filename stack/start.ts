/**
 * `npm start`: the whole product on one machine, as a launcher that owns its children. It installs
 * what is missing, stops what a run that died left behind (known by the pid files under
 * .data/run/), then starts and supervises, each in a process group of its own: the database, the
 * Temporal dev server (both keeping their files under .data/), the worker and the API (processes
 * of their own, as `npm run worker` and `npm run api`). A child that dies is started again with
 * backoff, and the restart logged. Ctrl-C (or SIGTERM) stops everything in order: the API stops
 * accepting and answers the requests in flight, the worker drains, then Temporal, then the
 * database. Starting again carries on where it stopped: records, running workflows, timers.
 */
import path from 'node:path';
import mongoose from 'mongoose';
import { ensureBootstrapAdmin } from '../api/auth';
import { createModels } from '../models';
import { prepareDatabase } from '../models/migrate';
import { config, TASK_QUEUE } from './config';
import { startDatabase, type Supervision } from './database';
import { logger } from './logger';
import { freePort, spawnServer, stopStale, waitFor, type Spawned } from './process';
import { DATA, ROOT } from './paths';
import { setup } from './setup';
import { startTemporal } from './temporal';

const RUN = path.join(DATA, 'run');
/** every child the launcher may leave a pid file for, stopped last first */
const CHILDREN = ['api', 'worker', 'temporal', 'ferretdb', 'mongod'];

async function main() {
  // children, in the order they start; stopped in the reverse
  const stops: Array<{ name: string; stop: () => Promise<unknown> }> = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    stopping = true;
    for (const { name, stop } of stops.reverse()) {
      process.stderr.write(`stopping ${name} …\n`);
      await stop().catch((err) => logger.error({ err }, `while stopping ${name}`));
    }
    process.stderr.write('stopped\n');
    process.exit(code);
  };
  // a terminal's Ctrl-C may come twice (npm passes it on too), and impatient hands press it again
  const onSignal = (signal: string) => {
    if (stopping) {
      process.stderr.write(`(${signal}: already stopping, in order)\n`);
      return;
    }
    process.stderr.write(`\n${signal}: stopping in order: the API, then the worker, then Temporal, then the database\n`);
    void stopAll(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => onSignal(signal));

  try {
    setup();
    for (const name of CHILDREN) {
      const did = await stopStale(path.join(RUN, `${name}.json`));
      if (did) logger.warn(did);
    }
    const supervise: Supervision = { runDir: RUN, log: (message) => logger.warn(message) };

    const db = await startDatabase({ dataDir: DATA, port: Number(process.env.DB_PORT ?? 27017), dbName: 'iso20k', supervise });
    stops.push({ name: 'the database', stop: db.stop });
    if (stopping) return;
    const temporal = await startTemporal({
      dbFile: path.join(DATA, 'temporal.db'),
      port: Number(process.env.TEMPORAL_PORT ?? 7233),
      uiPort: Number(process.env.TEMPORAL_UI_PORT ?? 8233),
      logDir: DATA,
      supervise,
    });
    stops.push({ name: 'Temporal', stop: temporal.stop });
    if (stopping) return;

    // migrated and keyed here, before the API starts, so a generated admin key is in the banner
    const conn = await mongoose.createConnection(db.uri).asPromise();
    const models = createModels(conn);
    for (const done of await prepareDatabase(models)) logger.info({ migration: done }, 'database migrated');
    const { generated: generatedKey, refused: adminRefused } = await ensureBootstrapAdmin(models, config.adminApiKey);
    if (adminRefused) logger.error(adminRefused);
    await conn.close();

    const workerMetrics = Number(process.env.METRICS_PORT ?? 9464);
    const env = {
      MONGODB_URI: db.uri,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      METRICS_PORT: String(workerMetrics),
      // the worker's SDK core serves its metrics here; the API's /metrics appends them
      TEMPORAL_SDK_METRICS_ADDRESS: process.env.TEMPORAL_SDK_METRICS_ADDRESS ?? `127.0.0.1:${await freePort()}`,
      // this machine only, unless HOST says otherwise: the embedded stack is a developer's
      HOST: config.host ?? '127.0.0.1',
    };
    const node = (name: string, file: string, ready: (s: Spawned) => () => Promise<boolean>, stopTimeoutMs: number) => {
      let spawned!: Spawned;
      const isReady = () => ready(spawned)();
      spawned = spawnServer(process.execPath, ['--import', 'tsx', path.join(ROOT, file)], {
        env,
        log: 'inherit',
        ipc: true,
        restart: { name, log: supervise.log, ready: isReady },
        pidFile: path.join(RUN, `${name}.json`),
        stopTimeoutMs,
      });
      return { spawned, isReady };
    };

    // the worker first: it bundles the workflow code (a few seconds), then polls and says so
    const worker = node('worker', 'worker/worker.ts', (s) => async () => s.ready, 60_000);
    stops.push({ name: 'the worker (draining its tasks)', stop: worker.spawned.stop });
    await waitFor('the worker', worker.isReady, worker.spawned.child, 180_000);
    if (stopping) return;
    const apiUrl = `http://${env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST}:${config.port}`;
    const api = node('api', 'api/server.ts', () => async () => (await fetch(`${apiUrl}/healthz`)).ok, 30_000);
    stops.push({
      name: 'the API (answering the requests in flight)',
      stop: async () => {
        await api.spawned.stop();
        const said = api.spawned.stopped as { received: number; answered: number; dropped: number } | undefined;
        if (said) process.stderr.write(`  the API read ${said.received} requests since it started: ${said.answered} answered, ${said.dropped} dropped\n`);
      },
    });
    await waitFor('the API', api.isReady, api.spawned.child, 60_000);
    if (stopping) return;

    const pid = (p: number | undefined) => (p ? ` (pid ${p})` : '');
    const ui = temporal.uiUrl ?? (process.env.TEMPORAL_ADDRESS ? 'none: TEMPORAL_ADDRESS is set' : `none: ${temporal.label} was not started here`);
    const lines = [
      '',
      'iso20k-flow is running',
      `  API          ${apiUrl}${pid(api.spawned.child.pid)}`,
      `  API docs     ${apiUrl}/docs   (OpenAPI: ${apiUrl}/openapi.json)`,
      `  worker       task queue ${TASK_QUEUE}${pid(worker.spawned.child.pid)}, metrics http://127.0.0.1:${workerMetrics}/metrics`,
      `  Temporal UI  ${ui}`,
      `  database     ${db.label}${pid(db.pid)}`,
      `  temporal     ${temporal.label} at ${temporal.address}${pid(temporal.pid)}`,
      generatedKey
        ? `  admin key    ${generatedKey}\n               (generated now and stored hashed: shown this once, keep it)`
        : `  admin key    ${adminRefused ? `none: ${adminRefused}` : config.adminApiKey ? 'ADMIN_API_KEY' : 'the one printed at the first start (stored hashed)'}`,
      '',
      'A child that dies is started again. Ctrl-C stops everything, in order; npm start again carries on where it stopped.',
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } catch (err) {
    logger.error({ err }, 'the stack failed to start');
    if (!stopping) await stopAll(1);
  }
}

void main();
