/**
 * The Temporal server of the embedded stack: TEMPORAL_ADDRESS when set; else the dev server from
 * the Temporal CLI in .tools (SQLite file in WAL mode, Web UI), else the dev server the SDK
 * downloads for itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { TEMPORAL_CLI } from './paths';
import { freePort, portOpen, spawnServer, waitFor, type Server } from './process';
import { supervised, type Supervision } from './database';

export interface TemporalServer extends Server {
  address: string;
  namespace: string;
  uiUrl: string | null;
}

async function answers(address: string): Promise<boolean> {
  const conn = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    await conn.workflowService.getSystemInfo({});
    return true;
  } finally {
    await conn.close();
  }
}

/**
 * @param dbFile  the SQLite file that keeps workflows across restarts; in memory when omitted
 * @param uiPort  the Web UI's port; no UI when omitted
 */
export async function startTemporal(opts: {
  dbFile?: string;
  port?: number;
  uiPort?: number;
  logDir: string;
  /** dynamic config values of the dev server (the tests make it suggest continue-as-new early) */
  dynamicConfig?: Record<string, number | string | boolean>;
  supervise?: Supervision;
}): Promise<TemporalServer> {
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  if (process.env.TEMPORAL_ADDRESS) {
    return { address: process.env.TEMPORAL_ADDRESS, namespace, uiUrl: null, label: `Temporal at ${process.env.TEMPORAL_ADDRESS} (TEMPORAL_ADDRESS)`, stop: async () => undefined };
  }
  const port = opts.port ?? (await freePort());
  const address = `127.0.0.1:${port}`;
  const uiUrl = opts.uiPort ? `http://localhost:${opts.uiPort}` : null;
  if (await portOpen(port)) {
    // a Temporal server already runs there (a `temporal server start-dev` of the user's): use it
    if (await answers(address).catch(() => false)) return { address, namespace, uiUrl: null, label: `the Temporal server already answering on ${address}`, stop: async () => undefined };
    throw new Error(`port ${port} is taken by something that is not Temporal: stop it, set TEMPORAL_PORT, or set TEMPORAL_ADDRESS`);
  }
  if (opts.dbFile) fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
  fs.mkdirSync(opts.logDir, { recursive: true });

  if (fs.existsSync(TEMPORAL_CLI)) {
    const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error', '--namespace', namespace];
    if (opts.dbFile) args.push('--db-filename', opts.dbFile, '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
    if (opts.uiPort) args.push('--ui-port', String(opts.uiPort), '--ui-disable-news-fetch');
    else args.push('--headless');
    for (const [key, value] of Object.entries(opts.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
    const s = spawnServer(TEMPORAL_CLI, args, { log: path.join(opts.logDir, 'temporal.log'), ...supervised(opts.supervise, 'temporal', () => answers(address)) });
    await waitFor('the Temporal dev server', () => answers(address), s, 120_000).catch((err: Error) => {
      // what it said before it gave up, for whoever reads the error
      const log = path.join(opts.logDir, 'temporal.log');
      const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').slice(-10).join('\n') : '';
      throw new Error(`${err.message}${tail ? `; the end of ${log}:\n${tail}` : ''}`);
    });
    const where = opts.dbFile ? `SQLite ${opts.dbFile}` : 'in memory';
    return { address, namespace, uiUrl, label: `Temporal dev server (${where})`, stop: s.stop, pid: s.child.pid };
  }

  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      ip: '127.0.0.1',
      port,
      namespace,
      dbFilename: opts.dbFile,
      ui: Boolean(opts.uiPort),
      uiPort: opts.uiPort,
      extraArgs: opts.dbFile ? ['--sqlite-pragma', 'journal_mode=wal'] : [],
    },
  });
  return { address, namespace, uiUrl, label: 'Temporal dev server (downloaded by the SDK)', stop: () => env.teardown() };
}
