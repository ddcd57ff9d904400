/** The API on its own (production shape): connects to MongoDB and Temporal, then listens. */
import { Client, Connection } from '@temporalio/client';
import mongoose from 'mongoose';
import { createModels } from '../models';
import { prepareDatabase } from '../models/migrate';
import { config, REQUEST_DB_OPTIONS } from '../stack/config';
import { logger } from '../stack/logger';
import { instrumentDatabase } from '../stack/metrics';
import { createApp } from './app';
import { ensureBootstrapAdmin } from './auth';

async function main() {
  // startup (migrations, the bootstrap key) on a patient connection; requests on one that gives up fast
  const startup = await mongoose.createConnection(config.mongodbUri).asPromise();
  for (const done of await prepareDatabase(createModels(startup))) logger.info({ migration: done }, 'database migrated');
  const { generated, refused } = await ensureBootstrapAdmin(createModels(startup), config.adminApiKey);
  await startup.close();
  const conn = await mongoose.createConnection(config.mongodbUri, { monitorCommands: true, ...REQUEST_DB_OPTIONS }).asPromise();
  instrumentDatabase(conn);
  const models = createModels(conn);
  if (generated) logger.warn({ adminApiKey: generated }, 'bootstrap admin API key generated: it is shown this once');
  if (refused) logger.error(refused);
  const connection = await Connection.connect({ address: config.temporalAddress });
  const client = new Client({ connection, namespace: config.namespace });
  const server = createApp({ models, client, logger }).listen(config.port, config.host ?? '::', () => logger.info({ port: config.port, host: config.host ?? 'all addresses' }, 'API listening'));
  const stop = () => {
    server.close(async () => {
      await connection.close();
      await conn.close();
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  logger.error({ err }, 'API failed to start');
  process.exit(1);
});
