/**
 * The worker: runs every process workflow and its activities on one task queue. Workers scale
 * out: start more of them (`docker compose up --scale worker=N`) against the same Temporal.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import v8 from 'node:v8';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import mongoose from 'mongoose';
import { createActivities } from '../activities';
import { createModels, type Models } from '../models';
import { HEARTBEAT_EVERY_MS } from '../models/worker-heartbeat';
import { prepareDatabase } from '../models/migrate';
import { config, TASK_QUEUE, workerTuning } from '../stack/config';
import { instrumentDatabase, serveMetrics, trackWorker } from '../stack/metrics';
import { freePort } from '../stack/process';
import { logger } from '../stack/logger';
import { ensureReportSchedule, ensureTrendSchedule, ensureVerificationSchedule } from '../api/schedules';

export { TASK_QUEUE };

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  models: Models;
  taskQueue?: string;
  webhookUrl?: string;
  /** a prebuilt workflow bundle (tests bundle once per run); the worker bundles the sources otherwise */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** 0 replays every workflow task from history (tests use it to prove restarts and determinism); else from the environment */
  maxCachedWorkflows?: number;
}

export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  const { workflowHeapMiB, ...tuning } = workerTuning();
  const cache = deps.maxCachedWorkflows ?? tuning.maxCachedWorkflows;
  // read by V8 when an isolate is made: it bounds the workflow thread Worker.create starts, not this one
  v8.setFlagsFromString(`--max-old-space-size=${workflowHeapMiB}`);
  const worker = await Worker.create({
    ...tuning,
    maxCachedWorkflows: cache,
    // the SDK runs no more workflow tasks at once than it can cache (no such bound without a cache)
    maxConcurrentWorkflowTaskExecutions: cache > 0 ? Math.min(tuning.maxConcurrentWorkflowTaskExecutions, Math.max(2, cache)) : tuning.maxConcurrentWorkflowTaskExecutions,
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue ?? TASK_QUEUE,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities({
      models: deps.models,
      webhookUrl: deps.webhookUrl,
    }),
  });
  trackWorker(worker);
  return worker;
}

/**
 * Runs the worker until it is shut down, saying in the database every 2 s that it runs (readiness
 * reads it) and taking its word back when it stops. Heartbeats of workers that died are cleared
 * after an hour.
 */
export async function runWorker(worker: Worker, models: Models): Promise<void> {
  const id = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const taskQueue = worker.options.taskQueue;
  const beats = models.WorkerHeartbeat.collection;
  let n = 0;
  const beat = async () => {
    if (worker.getState() !== 'RUNNING') return;
    await beats.updateOne({ _id: id as never }, { $set: { taskQueue, host: os.hostname(), pid: process.pid, seenAt: new Date() } }, { upsert: true });
    if (n++ % 30 === 0) await beats.deleteMany({ taskQueue, seenAt: { $lt: new Date(Date.now() - 3_600_000) } });
  };
  const timer = setInterval(() => void beat().catch(() => undefined), HEARTBEAT_EVERY_MS);
  try {
    const running = worker.run();
    await new Promise((r) => setImmediate(r));
    await beat().catch(() => undefined);
    await running;
  } finally {
    clearInterval(timer);
    await beats.deleteOne({ _id: id as never }).catch(() => undefined);
  }
}

async function main() {
  // the SDK's own metrics (polls, task latencies, cache) on an address of their own, appended to /metrics
  process.env.TEMPORAL_SDK_METRICS_ADDRESS ??= `127.0.0.1:${await freePort()}`;
  Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: process.env.TEMPORAL_SDK_METRICS_ADDRESS } } } });
  const conn = await mongoose.createConnection(config.mongodbUri, { monitorCommands: true }).asPromise();
  instrumentDatabase(conn);
  const metrics = serveMetrics(config.metricsPort);
  const models = createModels(conn);
  for (const done of await prepareDatabase(models)) logger.info({ migration: done }, 'database migrated');
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const client = new Client({ connection: await Connection.connect({ address: config.temporalAddress }), namespace: config.namespace });
  const worker = await createWorker({ connection, namespace: config.namespace, models, webhookUrl: config.webhookUrl });
  await ensureTrendSchedule(client, models, TASK_QUEUE);
  await ensureReportSchedule(client, TASK_QUEUE);
  await ensureVerificationSchedule(client, TASK_QUEUE);
  logger.info({ taskQueue: TASK_QUEUE, temporal: config.temporalAddress }, 'worker started');
  // started by the launcher (npm start): it is told when the worker polls, and the worker drains and stops when the launcher goes away
  process.on('disconnect', () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  });
  const running = runWorker(worker, models); // returns after SIGINT/SIGTERM, once in-flight tasks finish
  process.send?.({ ready: true });
  await running;
  await connection.close();
  await conn.close();
  metrics.close();
  logger.info('worker stopped');
  process.exit(0); // an IPC channel to the launcher would keep the process alive
}

if (require.main === module) {
  main().catch((err) => {
    logger.error({ err }, 'worker failed');
    process.exit(1);
  });
}
