/** The API on its own (production shape): connects to MongoDB and Temporal, then listens. */
import { Client, Connection } from '@temporalio/client';
import net from 'node:net';
import mongoose from 'mongoose';
import { createModels } from '../models';
import { cmdbGraph } from '../models/cmdb-graph';
import { prepareDatabase } from '../models/migrate';
import { config, REQUEST_DB_OPTIONS } from '../stack/config';
import { logger } from '../stack/logger';
import { instrumentDatabase } from '../stack/metrics';
import { createApp } from './app';
import { ensureBootstrapAdmin } from './auth';

const LAUNCHER_GONE = 'the launcher went away';

/** Waits for a connection to close, at most 2 s: the server it talks to may be gone. */
async function bounded(what: string, closing: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = await Promise.race([closing.then(() => false, () => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), 2_000)))]);
  clearTimeout(timer);
  if (gaveUp) logger.warn(`the connection to ${what} did not close within 2 s (gone with the launcher?): stopping without it`);
}

async function main() {
  // startup (migrations, the bootstrap key) on a patient connection; requests on one that gives up fast
  const startup = await mongoose.createConnection(config.mongodbUri).asPromise();
  const startupModels = createModels(startup);
  for (const done of await prepareDatabase(startupModels)) logger.info({ migration: done }, 'database migrated');
  const { generated, refused } = await ensureBootstrapAdmin(startupModels, config.adminApiKey);
  await startup.close();
  const conn = await mongoose.createConnection(config.mongodbUri, { monitorCommands: true, ...REQUEST_DB_OPTIONS }).asPromise();
  instrumentDatabase(conn);
  const models = createModels(conn);
  if (generated) logger.warn({ adminApiKey: generated }, 'bootstrap admin API key generated: it is shown this once');
  if (refused) logger.error(refused);
  const connection = await Connection.connect({ address: config.temporalAddress });
  const client = new Client({ connection, namespace: config.namespace });
  // the CMDB's graph read before the first impact analysis asks for it (seconds at 10,000 CIs)
  void cmdbGraph(models).upToDate().catch((err) => logger.warn({ err }, 'the CMDB graph will be read at the first impact analysis'));
  const server = createApp({ models, client, logger }).listen(config.port, config.host ?? '::', () => {
    logger.info({ port: config.port, host: config.host ?? 'all addresses' }, 'API listening');
    process.send?.({ ready: true });
  });
  // stops in order: no new connections; each request still coming on an open connection answered
  // with `Connection: close`, and the requests in flight answered; a connection left idle closes
  // when its keep-alive time (5 s, told to the client in `Keep-Alive`) runs out, never while a
  // client may be sending its next request on it; then Temporal and the database. At most 25 s.
  // every request read is either answered or, if its connection went first, counted as dropped:
  // the log line at the stop says both, so a reset a client saw can be told from a request lost.
  // (A connection the kernel completed but the API had not yet accepted when it stopped listening
  // is reset by the kernel: its request was never read, so nothing was done with it.)
  const counts = { received: 0, answered: 0, dropped: 0 };
  server.on('request', (_req, res) => {
    counts.received += 1;
    res.on('close', () => {
      if (res.writableFinished) counts.answered += 1;
      else counts.dropped += 1;
    });
  });
  let stopping = false;
  let closing = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    // a launcher that went away did not stop this process in order: said at warn, which its log level shows
    logger[why === LAUNCHER_GONE ? 'warn' : 'info']({ why }, 'API stopping: answering the requests in flight');
    server.on('request', (_req, res) => res.setHeader('Connection', 'close'));
    const force = setTimeout(() => server.closeAllConnections(), 25_000);
    // never outlives its stop: should closing Temporal or the database hang, it exits anyway, saying so
    setTimeout(() => {
      logger.error({ requests: counts, connectionsClosed: closing }, 'API did not stop within 28 s: exiting');
      process.exit(1);
    }, 28_000).unref(); // before the launcher's SIGKILL at 30 s
    // net.Server's close: stops accepting and leaves open connections be (http.Server's would drop the idle ones at once)
    net.Server.prototype.close.call(server, async () => {
      clearTimeout(force);
      closing = true;
      // each closed in at most 2 s: with the launcher killed, the database and Temporal go at the same moment,
      // and the driver's close then waited for a server that is gone (seen 1 run in 10 under load, until the 28 s deadline)
      await bounded('Temporal', connection.close());
      await bounded('the database', conn.close());
      logger.info({ requests: counts }, 'API stopped');
      // the launcher says it in its own words (its log level may hide this process's info lines)
      if (process.connected) await new Promise((resolve) => process.send!({ stopped: counts }, undefined, {}, resolve));
      process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // started by the launcher (npm start): gone with it
  process.on('disconnect', () => stop(LAUNCHER_GONE));
}

main().catch((err) => {
  logger.error({ err }, 'API failed to start');
  process.exit(1);
});
