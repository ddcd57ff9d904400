/**
 * Liveness (/healthz: the process is up; it touches nothing) and readiness (/readyz: the database,
 * Temporal and a worker answer, each within its budget, so the answer comes within 2 s whatever is
 * down).
 */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { LivenessAnswer, ReadinessAnswer } from '../domain/schemas/policy-answers';
import type { Models } from '../models';
import { route } from './route';
import { findOneIndexed } from '../models/query';
import { HEARTBEAT_FRESH_MS } from '../models/worker-heartbeat';

/** How long each readiness check may take. */
const CHECK_BUDGET_MS = 1_500;

async function check(fn: () => Promise<unknown>): Promise<{ ok: boolean; detail?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_BUDGET_MS} ms`)), CHECK_BUDGET_MS);
  });
  try {
    const detail = await Promise.race([fn(), late]);
    return { ok: true, ...(typeof detail === 'string' ? { detail } : {}) };
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
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
        check(() => client.withDeadline(Date.now() + CHECK_BUDGET_MS, () => client.workflowService.getSystemInfo({}))),
        check(async () => {
          // a worker that said lately that it runs (Temporal lists pollers for minutes after they stop), and polls
          const [beat, queue] = await Promise.all([
            findOneIndexed<{ seenAt: Date }>(models.WorkerHeartbeat, { taskQueue }, [['seenAt', -1]]),
            client.withDeadline(Date.now() + CHECK_BUDGET_MS, () =>
              client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name: taskQueue }, taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW }),
            ),
          ]);
          const age = beat ? Date.now() - beat.seenAt.getTime() : Infinity;
          if (age > HEARTBEAT_FRESH_MS) throw new Error(beat ? `no worker runs on task queue ${taskQueue}: the last said it ran ${Math.round(age / 1000)} s ago` : `no worker runs on task queue ${taskQueue}`);
          if (!queue.pollers?.length) throw new Error(`no worker polls task queue ${taskQueue}`);
          return `a worker ran ${Math.round(age / 1000)} s ago; ${queue.pollers.length} poller(s) on ${taskQueue}`;
        }),
      ]);
      const ok = database.ok && temporalServer.ok && worker.ok;
      res.status(ok ? 200 : 503);
      return { status: ok ? 'ready' : 'not ready', checks: { database, temporal: temporalServer, worker } };
    },
  });
  return router;
}
