import { Schema, type Connection } from 'mongoose';

/**
 * Workers say here every few seconds that they run (one document per worker process), so
 * readiness knows within seconds that the last one went away: Temporal lists a task queue's
 * pollers for minutes after they stop.
 */
const schema = new Schema(
  {
    _id: String,
    taskQueue: { type: String, required: true },
    host: String,
    pid: Number,
    seenAt: { type: Date, required: true },
  },
  { versionKey: false },
);
schema.index({ taskQueue: 1, seenAt: -1 }, { name: 'taskQueue_seenAt' });

export const workerHeartbeatModel = (conn: Connection) => conn.model('WorkerHeartbeat', schema, 'worker_heartbeats');

/** How often a worker says it runs, and how long readiness believes it. */
export const HEARTBEAT_EVERY_MS = 2_000;
export const HEARTBEAT_FRESH_MS = 6_000;
