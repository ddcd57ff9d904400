/**
 * Prometheus metrics of one process: HTTP latency per route and status (the API), database latency
 * per command and collection, the workflow cache of each worker, Node's own figures; and the
 * Temporal SDK's worker metrics, which its core serves on an address of its own and `/metrics`
 * appends. See README: Observability.
 */
import http from 'node:http';
import type { Connection } from 'mongoose';
import client from 'prom-client';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'iso20k_' });

const MS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const httpDuration = new client.Histogram({
  name: 'iso20k_http_request_duration_seconds',
  help: 'HTTP requests by method, route (as declared) and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: MS_BUCKETS,
  registers: [registry],
});

const dbDuration = new client.Histogram({
  name: 'iso20k_db_command_duration_seconds',
  help: 'Database commands by command name, collection and outcome',
  labelNames: ['command', 'collection', 'outcome'] as const,
  buckets: MS_BUCKETS,
  registers: [registry],
});

/** Times every command of a mongoose connection made with `monitorCommands: true`. */
export function instrumentDatabase(conn: Connection): void {
  const pending = new Map<number, string>();
  const mongo = conn.getClient();
  mongo.on('commandStarted', (e) => {
    const target = e.command[e.commandName];
    pending.set(e.requestId, typeof target === 'string' ? target : '');
  });
  const done = (outcome: string) => (e: { requestId: number; commandName: string; duration: number }) => {
    const collection = pending.get(e.requestId) ?? '';
    pending.delete(e.requestId);
    dbDuration.observe({ command: e.commandName, collection, outcome }, e.duration / 1000);
  };
  mongo.on('commandSucceeded', done('ok'));
  mongo.on('commandFailed', done('error'));
}

/** The workers of this process, whose workflow caches are reported. */
type WorkerStatus = { numCachedWorkflows: number; numInFlightWorkflowActivations: number };
const workers = new Set<{ getStatus(): WorkerStatus }>();
const workerGauge = (name: string, help: string, of: (s: WorkerStatus) => number) =>
  new client.Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      let n = 0;
      for (const w of workers) n += of(w.getStatus());
      this.set(n);
    },
  });
workerGauge('iso20k_worker_cached_workflows', 'Workflows held in the workers’ caches (each costs memory until evicted)', (s) => s.numCachedWorkflows);
workerGauge('iso20k_worker_inflight_activations', 'Workflow activations being processed now', (s) => s.numInFlightWorkflowActivations);
export function trackWorker(worker: { getStatus(): WorkerStatus }): () => void {
  workers.add(worker);
  return () => workers.delete(worker);
}

/** Where the Temporal SDK's core serves its metrics, when this process runs a worker. */
export const sdkMetricsAddress = (): string | undefined => process.env.TEMPORAL_SDK_METRICS_ADDRESS || undefined;

/** This process's metrics in Prometheus text: its own, then the SDK core's (if it serves any). */
export async function scrape(): Promise<string> {
  const own = await registry.metrics();
  const address = sdkMetricsAddress();
  if (!address) return own;
  try {
    const res = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(2000) });
    return `${own}\n${await res.text()}`;
  } catch {
    return `${own}\n# the Temporal SDK metrics at ${address} did not answer\n`;
  }
}

/** A bare `/metrics` listener, for a process without the API (a worker of its own). */
export function serveMetrics(port: number, host = '127.0.0.1'): http.Server {
  return http
    .createServer(async (req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': registry.contentType }).end(await scrape());
    })
    .listen(port, host);
}
