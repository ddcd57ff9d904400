/**
 * The embedded stack keeps everything across a restart: the database and the Temporal dev server
 * are stopped and started again on the same files, and the incident and its SLA clock carry on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import mongoose from 'mongoose';
import { createModels } from '../../models';
import { prepareDatabase } from '../../models/migrate';
import { startDatabase } from '../../stack/database';
import { startTemporal } from '../../stack/temporal';
import { startWorker } from '../support/harness';
import { agent, command, historyOf, openIncident, sampleIncident, stored } from '../support/incidents';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iso20k-restart-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function bootStack(ports?: { db: number; temporal: number }) {
  const db = await startDatabase({ dataDir: path.join(dir, 'data'), dbName: 'restart', port: ports?.db });
  const temporal = await startTemporal({ dbFile: path.join(dir, 'data', 'temporal.db'), logDir: dir, port: ports?.temporal });
  const conn = await mongoose.createConnection(db.uri).asPromise();
  const models = createModels(conn);
  await prepareDatabase(models);
  const native = await NativeConnection.connect({ address: temporal.address });
  const worker = await startWorker(native, 'default', models, { taskQueue: 'restart' });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  return {
    models,
    client,
    ports: { db: Number(new URL(db.uri).port), temporal: Number(temporal.address.split(':')[1]) },
    stop: async () => {
      await worker.stop();
      await connection.close();
      await native.close();
      await conn.close();
      await temporal.stop();
      await db.stop();
    },
  };
}

// with MONGODB_URI or TEMPORAL_ADDRESS set there is nothing embedded to restart: reported as skipped
const embedded = process.env.MONGODB_URI || process.env.TEMPORAL_ADDRESS ? it.skip : it;

describe('the embedded stack', () => {
  embedded('keeps records, running incidents and their SLA clocks across a restart', async () => {
    const first = await bootStack();
    const { number, view } = await openIncident(first.client, 'restart', sampleIncident(2, 2));
    await command(first.client, number, 'assign', agent, { group: 'network' });
    await command(first.client, number, 'start', agent, {});
    await command(first.client, number, 'hold', agent, { reason: 'waiting for the caller' });
    await first.stop();

    const second = await bootStack(first.ports);
    try {
      expect(await stored(second.models, number)).toMatchObject({ state: 'on_hold', seq: 4 });
      const resumed = await command(second.client, number, 'resume', agent, {});
      expect(resumed.state).toBe('in_progress');
      expect(resumed.sla.resolution.status).toBe('running');
      expect(resumed.sla.resolution.pauses).toHaveLength(1);
      expect(resumed.sla.resolution.pauses[0].to).not.toBeNull();
      expect(resumed.sla.resolution.startedAt).toBe(view.sla.resolution.startedAt);
      expect((await historyOf(second.models, number)).map((e) => e.action)).toEqual(['open', 'assign', 'start', 'hold', 'resume']);
    } finally {
      await second.stop();
    }
  }, 120_000);
});
