/** Liveness (/healthz: the process is up) and readiness (/readyz: database, Temporal and a worker answer). */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { LivenessAnswer, ReadinessAnswer } from '../domain/schemas/policy-answers';
import type { Models } from '../models';
import { route } from './route';

async function check(fn: () => Promise<unknown>): Promise<{ ok: boolean; detail?: string }> {
  try {
    const detail = await fn();
    return { ok: true, ...(typeof detail === 'string' ? { detail } : {}) };
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  }
}

export function healthRoutes({ models, client, taskQueue }: { models: Models; client: Client; taskQueue: string }): Router {
  const router = Router();
  route(router, {
    method: 'get',
    path: '/healthz',
    tag: 'Health',
    summary: 'The API process is up',
    roles: 'public',
    response: LivenessAnswer,
    handler: async () => ({ status: 'ok' }),
  });
  route(router, {
    method: 'get',
    path: '/readyz',
    tag: 'Health',
    summary: 'The database, Temporal and at least one worker answer (503 otherwise)',
    roles: 'public',
    response: ReadinessAnswer,
    responseDescription: 'Every check answers; a 503 (not ready) has the same shape, naming the check that failed',
    handler: async ({ res }) => {
      const [database, temporalServer, worker] = await Promise.all([
        check(() => models.conn.db!.admin().ping()),
        check(() => client.workflowService.getSystemInfo({})),
        check(async () => {
          const r = await client.workflowService.describeTaskQueue({
            namespace: client.options.namespace,
            taskQueue: { name: taskQueue },
            taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
          });
          if (!r.pollers?.length) throw new Error(`no worker polls task queue ${taskQueue}`);
          return `${r.pollers.length} poller(s) on ${taskQueue}`;
        }),
      ]);
      const ok = database.ok && temporalServer.ok && worker.ok;
      res.status(ok ? 200 : 503);
      return { status: ok ? 'ready' : 'not ready', checks: { database, temporal: temporalServer, worker } };
    },
  });
  return router;
}
