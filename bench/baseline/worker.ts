/** A worker process for the baseline workflow (bench/scale.ts starts it beside the product's). */
import { NativeConnection, Runtime, Worker, DefaultLogger } from '@temporalio/worker';
import mongoose from 'mongoose';
import * as activities from './activities';

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const conn = await mongoose.createConnection(process.env.MONGODB_URI!).asPromise();
  activities.bind(conn.db!);
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! }),
    taskQueue: 'baseline',
    workflowsPath: require.resolve('./workflow'),
    activities: { persistStep: activities.persistStep },
    maxCachedWorkflows: Number(process.env.WORKER_MAX_CACHED_WORKFLOWS ?? 1000),
  });
  process.stdout.write('baseline worker ready\n');
  await worker.run();
  await conn.close();
}

main().catch((err) => {
  process.stderr.write(`baseline worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
