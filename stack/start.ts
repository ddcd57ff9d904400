/**
 * `npm start`: the whole product on one machine. Installs what is missing, starts the database
 * and the Temporal dev server (both keeping their files under .data/), then the worker and the API
 * in this process. Ctrl-C stops everything in order; starting again carries on where it stopped:
 * records, running workflows and their timers.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import mongoose from 'mongoose';
import { createApp } from '../api/app';
import { ensureBootstrapAdmin } from '../api/auth';
import { createModels } from '../models';
import { prepareDatabase } from '../models/migrate';
import { ensureTrendSchedule } from '../api/schedules';
import { createWorker, runWorker, TASK_QUEUE } from '../worker/worker';
import { config } from './config';
import { startDatabase } from './database';
import { logger } from './logger';
import { instrumentDatabase } from './metrics';
import { freePort } from './process';
import { DATA } from './paths';
import { setup } from './setup';
import { startTemporal } from './temporal';

async function main() {
  const stops: Array<() => Promise<unknown>> = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('\nstopping …\n');
    for (const stop of stops.reverse()) await stop().catch((err) => logger.error({ err }, 'while stopping'));
    process.exit(code);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  try {
    setup();
    // the worker's runtime must not stop itself on Ctrl-C: the stack stops it, in order
    // and serves its own metrics on a loopback address, which the API's /metrics appends
    process.env.TEMPORAL_SDK_METRICS_ADDRESS ??= `127.0.0.1:${await freePort()}`;
    Runtime.install({ shutdownSignals: [], telemetryOptions: { metrics: { prometheus: { bindAddress: process.env.TEMPORAL_SDK_METRICS_ADDRESS } } } });

    const db = await startDatabase({ dataDir: DATA, port: Number(process.env.DB_PORT ?? 27017), dbName: 'iso20k' });
    stops.push(db.stop);
    const temporal = await startTemporal({
      dbFile: path.join(DATA, 'temporal.db'),
      port: Number(process.env.TEMPORAL_PORT ?? 7233),
      uiPort: Number(process.env.TEMPORAL_UI_PORT ?? 8233),
      logDir: DATA,
    });
    stops.push(temporal.stop);

    const conn = await mongoose.createConnection(db.uri, { monitorCommands: true }).asPromise();
    instrumentDatabase(conn);
    stops.push(() => conn.close());
    const models = createModels(conn);
    for (const done of await prepareDatabase(models)) logger.info({ migration: done }, 'database migrated');
    const { generated: generatedKey, refused: adminRefused } = await ensureBootstrapAdmin(models, config.adminApiKey);
    if (adminRefused) logger.error(adminRefused);

    const connection = await Connection.connect({ address: temporal.address });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: temporal.namespace });
    const workerConnection = await NativeConnection.connect({ address: temporal.address });
    stops.push(() => workerConnection.close());
    const worker = await createWorker({ connection: workerConnection, namespace: temporal.namespace, models, webhookUrl: config.webhookUrl });
    const running = runWorker(worker, models);
    stops.push(async () => {
      worker.shutdown();
      await running;
    });
    running.catch((err) => {
      logger.error({ err }, 'worker failed');
      void stopAll(1);
    });

    await ensureTrendSchedule(client, models, TASK_QUEUE);
    const app = createApp({ models, client, logger });
    const server = await new Promise<ReturnType<typeof app.listen>>((resolve, reject) => {
      // this machine only, unless HOST says otherwise: the embedded stack is a developer's
      const s = app.listen(config.port, config.host ?? '127.0.0.1', () => resolve(s)).once('error', reject);
    });
    stops.push(() => new Promise((resolve) => server.close(resolve)));

    const api = `http://localhost:${config.port}`;
    const lines = [
      '',
      'iso20k-flow is running',
      `  API          ${api}`,
      `  API docs     ${api}/docs   (OpenAPI: ${api}/openapi.json)`,
      `  Temporal UI  ${temporal.uiUrl ?? '(none: TEMPORAL_ADDRESS is set)'}`,
      `  database     ${db.label}`,
      `  temporal     ${temporal.label}`,
      generatedKey
        ? `  admin key    ${generatedKey}\n               (generated now and stored hashed: shown this once, keep it)`
        : `  admin key    ${adminRefused ? `none: ${adminRefused}` : config.adminApiKey ? 'ADMIN_API_KEY' : 'the one printed at the first start (stored hashed)'}`,
      '',
      'Ctrl-C stops everything; npm start again carries on where it stopped.',
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } catch (err) {
    logger.error({ err }, 'the stack failed to start');
    await stopAll(1);
  }
}

void main();
