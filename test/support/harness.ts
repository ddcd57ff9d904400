/**
 * What a test file needs of the real stack: its own database on the shared server, a real worker
 * on its own task queue (with the bundle made once per run), the time-skipping server, the API
 * listening on a free port.
 */
import { putPolicy } from '../../models/policies';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, Worker, DefaultLogger, NativeConnection } from '@temporalio/worker';
import mongoose from 'mongoose';
import pino from 'pino';
import { createApp } from '../../api/app';
import { REQUEST_DB_OPTIONS } from '../../stack/config';
import type { RateLimits } from '../../api/limits';
import { ensureBootstrapAdmin } from '../../api/auth';
import { createModels, type Models } from '../../models';
import { prepareDatabase } from '../../models/migrate';
import { instrumentDatabase } from '../../stack/metrics';
import { createWorker, runWorker } from '../../worker/worker';
import { recordHistories } from './record-histories';

let runtimeInstalled = false;
function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

export async function openDatabase(label: string, uri = process.env.TEST_MONGODB_URI!): Promise<Models> {
  const dbName = `t_${label.replace(/\W/g, '_')}_${randomUUID().slice(0, 8)}`;
  const conn = await mongoose.createConnection(uri, { dbName, monitorCommands: true }).asPromise();
  instrumentDatabase(conn);
  const models = createModels(conn);
  await prepareDatabase(models);
  return models;
}

/** The same database as the API reads it for requests: a connection that gives up fast (REQUEST_DB_OPTIONS). */
async function requestModels(models: Models, uri: string): Promise<Models> {
  const conn = await mongoose.createConnection(uri, { dbName: models.conn.name, monitorCommands: true, ...REQUEST_DB_OPTIONS }).asPromise();
  return createModels(conn);
}

export function workflowBundle() {
  return { code: fs.readFileSync(process.env.TEST_WORKFLOW_BUNDLE!, 'utf8') };
}

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const path = process.env.TEST_TIME_SKIPPING_SERVER;
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: path ? { type: 'existing-path', path } : { type: 'cached-download' } },
  });
}

export async function devServerEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createFromExistingServer({ address: process.env.TEST_TEMPORAL_ADDRESS! });
}

export interface RunningWorker {
  taskQueue: string;
  worker: Worker;
  stop(): Promise<void>;
}

export async function startWorker(connection: NativeConnection, namespace: string, models: Models, opts: { webhookUrl?: string; taskQueue?: string; maxCachedWorkflows?: number; client?: Client } = {}): Promise<RunningWorker> {
  const taskQueue = opts.taskQueue ?? `test-${randomUUID()}`;
  const worker = await createWorker({ connection, namespace, models, taskQueue, workflowBundle: workflowBundle(), webhookUrl: opts.webhookUrl, maxCachedWorkflows: opts.maxCachedWorkflows });
  const running = runWorker(worker, models);
  return {
    taskQueue,
    worker,
    stop: async () => {
      worker.shutdown();
      await running;
      await recordHistories(taskQueue);
    },
  };
}

export interface RunningApi {
  url: string;
  adminKey: string;
  /** the database as the worker (and the tests) use it */
  models: Models;
  /** the database as the API reads it for requests (REQUEST_DB_OPTIONS) */
  apiModels: Models;
  client: Client;
  taskQueue: string;
  /** calls the API as a person would: JSON in and out */
  call(method: string, path: string, opts?: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  /** an API key with these roles and groups, made through POST /api-keys */
  key(name: string, roles: string[], groups?: string[]): Promise<string>;
  /** stops the worker, as a crash or a deploy would; the API and Temporal keep running */
  stopWorker(): Promise<void>;
  /** starts a new worker on the same task queue */
  startWorker(): Promise<void>;
  stop(): Promise<void>;
}

/** The API over HTTP, with a real worker, against the run's Temporal dev server and database. */
/** the tests' clients all come from 127.0.0.1 and many make 401s on purpose: limits far above what they do (test/api/limits.test.ts tries the real ones) */
const TEST_RATE_LIMITS: RateLimits = { perKeyPerMinute: 100_000, failedAuthPerMinute: 10_000 };

/**
 * `references`: the suites written before the CMDB name services and CIs as free text, so their
 * database allows it (PUT /policies/references); `checked` keeps the product's default, as a new
 * installation has it.
 */
export async function startApi(label: string, opts: { webhookUrl?: string; keyCacheTtlMs?: number; rateLimits?: RateLimits; mongodbUri?: string; references?: 'free text' | 'checked' } = {}): Promise<RunningApi> {
  quietRuntime();
  const uri = opts.mongodbUri ?? process.env.TEST_MONGODB_URI!;
  const models = await openDatabase(label, uri);
  const apiModels = await requestModels(models, uri);
  // each test file numbers its incidents from a place of its own: they share one Temporal server
  for (const prefix of ['INC', 'CHG', 'REQ', 'PRB', 'IMP', 'NCR', 'REV', 'VER', 'REL', 'TRN']) await models.Counter.create({ _id: prefix, value: Math.floor(Math.random() * 9000) * 1000 });
  const adminKey = (await ensureBootstrapAdmin(models, undefined)).generated!;
  if ((opts.references ?? 'free text') === 'free text') await putPolicy(models, 'references', 'default', { freeText: { incident: true, problem: true, change: true } }, 'test harness');
  const connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
  const client = new Client({ connection });
  const nativeConnection = await NativeConnection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
  const taskQueue = `test-${randomUUID()}`;
  let w: RunningWorker | undefined = await startWorker(nativeConnection, 'default', models, { webhookUrl: opts.webhookUrl, client, taskQueue });
  const app = createApp({ models: apiModels, client, logger: pino({ level: process.env.TEST_API_LOG ?? 'silent' }), taskQueue, trendScheduleId: `trend-scan-${taskQueue}`, keyCacheTtlMs: opts.keyCacheTtlMs, checkResponses: true, rateLimits: opts.rateLimits ?? TEST_RATE_LIMITS });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const call: RunningApi['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.key) headers.authorization = `Bearer ${o.key}`;
    let body: string | undefined = o.raw;
    if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await fetch(url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };

  return {
    url,
    adminKey,
    models,
    apiModels,
    client,
    taskQueue,
    call,
    key: async (name, roles, groups = []) => {
      const r = await call('POST', '/api-keys', { key: adminKey, body: { name, roles, groups } });
      if (r.status !== 201) throw new Error(`could not make a key: ${JSON.stringify(r.body)}`);
      return r.body.key as string;
    },
    stopWorker: async () => {
      await w?.stop();
      w = undefined;
    },
    startWorker: async () => {
      w ??= await startWorker(nativeConnection, 'default', models, { webhookUrl: opts.webhookUrl, client, taskQueue });
    },
    stop: async () => {
      await new Promise((resolve) => server.close(resolve));
      await client.schedule.getHandle(`trend-scan-${taskQueue}`).delete().catch(() => undefined);
      await w?.stop();
      await connection.close();
      await nativeConnection.close();
      await apiModels.conn.close();
      await models.conn.close();
    },
  };
}
