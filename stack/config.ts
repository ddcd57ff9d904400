/** Settings from the environment (see README: Configuration). */
const int = (name: string, fallback: number, min = 0): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number ≥ ${min}, not "${raw}"`);
  return n;
};

/**
 * How the API's connection for requests talks to the database: a request never waits long for
 * one that is down or hung (no server within 1 s, or a socket quiet for 1.5 s, is an error the API
 * answers 503 for), and nothing is queued while the connection is down. Startup (migrations,
 * indexes) and the worker use a patient connection of their own.
 */
export const REQUEST_DB_OPTIONS = { serverSelectionTimeoutMS: 1_000, timeoutMS: 1_500, bufferCommands: false } as const;

/** The task queue every process workflow and activity runs on (workers scale out on it). */
export const TASK_QUEUE = 'iso20k-flow';

export const config = {
  port: Number(process.env.PORT ?? 3000),
  mongodbUri: process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/iso20k',
  temporalAddress: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
  namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
  adminApiKey: process.env.ADMIN_API_KEY,
  webhookUrl: process.env.NOTIFY_WEBHOOK_URL,
  logLevel: process.env.LOG_LEVEL ?? 'info',
  /** the address the API listens on: the embedded stack's 127.0.0.1 unless set, the API on its own all of them */
  host: process.env.HOST || undefined,
  /** requests a minute one API key may make (0: no limit) */
  rateLimitPerKey: int('RATE_LIMIT_PER_KEY', 1200),
  /** requests a minute without a valid key one client address may make before it is refused 429 (0: no limit) */
  rateLimitFailedAuth: int('RATE_LIMIT_FAILED_AUTH', 30),
  /** where a worker of its own serves /metrics (the API serves them on its port) */
  metricsPort: int('METRICS_PORT', 9464, 1),
};

/**
 * How much a worker holds and runs at once. A cached workflow costs about 0.3 MiB (see README:
 * Sizing); the cache keeps the busiest cases in memory and replays the others from their history
 * when they next wake up, so open cases beyond it cost nothing while they wait.
 */
export function workerTuning() {
  const maxCachedWorkflows = int('WORKER_MAX_CACHED_WORKFLOWS', 500);
  return {
    maxCachedWorkflows,
    /**
     * The heap of the thread that runs the cached workflows. V8 sizes it from the machine (4 GiB
     * here) and lets garbage from replays pile up to hundreds of MiB before it collects; a limit
     * that fits the cache (128 MiB and 0.75 MiB per cached workflow) keeps the worker's memory flat.
     */
    workflowHeapMiB: int('WORKER_WORKFLOW_HEAP_MB', 128 + Math.ceil(maxCachedWorkflows * 0.75), 64),
    maxConcurrentWorkflowTaskExecutions: int('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', 40, 2),
    maxConcurrentActivityTaskExecutions: int('WORKER_MAX_CONCURRENT_ACTIVITIES', 100, 1),
    maxConcurrentLocalActivityExecutions: int('WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES', 100, 1),
  };
}
