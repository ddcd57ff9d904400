/**
 * The process registry: every process that runs as a case (one workflow per case, its record
 * persisted by transition), and the default policies it starts with. Adding a process is one line
 * here and one file per layer; the compiler then asks every layer for its entry, keyed by the
 * process's name, until it has one:
 *   domain/<process>.ts      its contract: record, events, view, commands, state table, schemas
 *   models/<process>.ts      its store: collection, indexes, what is derived on every write (models/index.ts CASE_STORES)
 *   activities/<process>.ts  the I/O its workflow needs beyond persisting (activities/index.ts PROCESS_ACTIVITIES)
 *   workflows/<process>.ts   its diagram, built on the Case kit (workflows/index.ts PROCESS_WORKFLOWS)
 *   api/<processes>.ts       its routes, built on the case resource (api/app.ts PROCESS_ROUTES)
 * Pure data: the workflow bundle may read it.
 */
import { DEFAULT_CHANGE_POLICY } from './change';
import { DEFAULT_PRIORITY_MATRIX } from './priority';
import { DEFAULT_RELEASE_POLICY } from './release';
import { DEFAULT_PROBLEM_POLICY, DEFAULT_PROBLEM_TREND } from './problem';
import { DEFAULT_INCIDENT_SLA } from './sla';
import { DEFAULT_CI_VERIFICATION_POLICY } from './verification';
import { DEFAULT_TRANSITION_POLICY } from './transition';

/** a default policy a process reads: its kind, key and version 1, seeded where none exists */
export type DefaultPolicy = readonly [kind: string, key: string, body: unknown];

export const PROCESSES = {
  incident: { defaults: [['priority-matrix', 'default', DEFAULT_PRIORITY_MATRIX], ['incident-sla', 'default', DEFAULT_INCIDENT_SLA]] },
  change: { defaults: [['change', 'default', DEFAULT_CHANGE_POLICY]] },
  request: { defaults: [] },
  problem: { defaults: [['problem', 'default', DEFAULT_PROBLEM_POLICY], ['problem-trend', 'default', DEFAULT_PROBLEM_TREND]] },
  improvement: { defaults: [] },
  nonconformity: { defaults: [] },
  review: { defaults: [] },
  verification: { defaults: [['ci-verification', 'default', DEFAULT_CI_VERIFICATION_POLICY]] },
  release: { defaults: [['release', 'default', DEFAULT_RELEASE_POLICY]] },
  transition: { defaults: [['transition', 'default', DEFAULT_TRANSITION_POLICY]] },
} as const satisfies Record<string, { defaults: readonly DefaultPolicy[] }>;

export type Process = keyof typeof PROCESSES;
