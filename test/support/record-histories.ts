/**
 * With RECORD_HISTORIES=<folder> set, a test worker leaves the history of every workflow it ran
 * in that folder when it stops, for `npm run record-histories` to choose replay fixtures from.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const { History } = temporal.api.history.v1;
/** a history as plain JSON (enums by name, bytes in base64); `History.fromObject` reads it back */
export const historyAsJSON = (h: temporal.api.history.v1.IHistory) => History.toObject(History.fromObject(h), { longs: String, enums: String, bytes: String });

export async function recordHistories(taskQueue: string): Promise<void> {
  const dir = process.env.RECORD_HISTORIES;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  const connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
  try {
    const client = new Client({ connection });
    for await (const wf of client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) {
      const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      const status = wf.status.name === 'RUNNING' ? 'running' : 'closed';
      fs.writeFileSync(path.join(dir, `${wf.type}--${status}--${wf.workflowId}--${wf.runId}.json`), JSON.stringify(historyAsJSON(history)));
    }
  } finally {
    await connection.close();
  }
}
