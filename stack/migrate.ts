/**
 * `npm run migrate`: brings the database MONGODB_URI names (the embedded one by default) up to
 * this version and says what it did. Every process also does this at start; this runs it alone,
 * for instance before starting several workers against a large database.
 */
import mongoose from 'mongoose';
import { createModels } from '../models';
import { prepareDatabase } from '../models/migrate';
import { config } from './config';

(async () => {
  const conn = await mongoose.createConnection(config.mongodbUri, { serverSelectionTimeoutMS: 5000 }).asPromise();
  const done = await prepareDatabase(createModels(conn));
  process.stdout.write(done.length ? done.map((d) => `migrated: ${d}\n`).join('') : 'the database is up to date\n');
  await conn.close();
})().catch((err) => {
  process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n(is the database running? npm start runs the embedded one; MONGODB_URI names another)\n`);
  process.exit(1);
});
