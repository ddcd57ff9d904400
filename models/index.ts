/**
 * The mongoose models, bound to one connection. The worker's activities write case records and
 * audit trails; the API reads them and writes only keys, policies and the case-number counters.
 */
import type { Connection, Model } from 'mongoose';
import type { Process } from '../domain/processes';
import type { StoredShape } from './case-record';
import { apiKeyModel } from './api-key';
import { approvalModel } from './approval';
import { changeModel, changeStored } from './change';
import { ciHistoryModel, configurationItemModel } from './configuration-item';
import { auditModel } from './audit';
import { baselineModel } from './baseline';
import { counterClaimModel, counterModel } from './counter';
import { delegationModel } from './delegation';
import { idempotencyKeyModel } from './idempotency';
import { improvementModel, improvementStored } from './improvement';
import { incidentModel, incidentStored } from './incident';
import { linkModel } from './link';
import { nonconformityModel, nonconformityStored } from './nonconformity';
import { releaseModel, releaseStored } from './release';
import { reviewModel, reviewStored } from './review';
import { verificationModel, verificationStored } from './verification';
import { transitionModel, transitionStored } from './transition';
import { notificationModel } from './notification';
import { policyModel } from './policy';
import { problemModel, problemStored } from './problem';
import { requestModel, requestStored } from './request';
import { serviceReportModel } from './service-report';
import { taskModel } from './task';
import { workerHeartbeatModel } from './worker-heartbeat';

/**
 * Each process's store (domain/processes.ts), one line per process: the name its model goes by
 * (`models.Incident`), the model, and what the database keeps of a record besides itself.
 */
const CASE_STORES = {
  incident: { name: 'Incident', model: incidentModel, stored: incidentStored },
  change: { name: 'Change', model: changeModel, stored: changeStored },
  request: { name: 'Request', model: requestModel, stored: requestStored },
  problem: { name: 'Problem', model: problemModel, stored: problemStored },
  improvement: { name: 'Improvement', model: improvementModel, stored: improvementStored },
  nonconformity: { name: 'Nonconformity', model: nonconformityModel, stored: nonconformityStored },
  review: { name: 'Review', model: reviewModel, stored: reviewStored },
  verification: { name: 'Verification', model: verificationModel, stored: verificationStored },
  release: { name: 'Release', model: releaseModel, stored: releaseStored },
  transition: { name: 'Transition', model: transitionModel, stored: transitionStored },
} as const satisfies Record<Process, { name: string; model: (conn: Connection) => Model<any>; stored: StoredShape<any> }>;

type CaseModels = { [P in Process as (typeof CASE_STORES)[P]['name']]: ReturnType<(typeof CASE_STORES)[P]['model']> };

export function createModels(conn: Connection) {
  const cases = Object.fromEntries(Object.values(CASE_STORES).map((s) => [s.name, s.model(conn)])) as CaseModels;
  return {
    conn,
    ApiKey: apiKeyModel(conn),
    Approval: approvalModel(conn),
    Audit: auditModel(conn),
    Baseline: baselineModel(conn),
    CiHistory: ciHistoryModel(conn),
    ConfigurationItem: configurationItemModel(conn),
    Counter: counterModel(conn),
    CounterClaim: counterClaimModel(conn),
    Delegation: delegationModel(conn),
    IdempotencyKey: idempotencyKeyModel(conn),
    Link: linkModel(conn),
    Notification: notificationModel(conn),
    Policy: policyModel(conn),
    ServiceReport: serviceReportModel(conn),
    Task: taskModel(conn),
    WorkerHeartbeat: workerHeartbeatModel(conn),
    ...cases,
  };
}
export type Models = ReturnType<typeof createModels>;

export function allModels(models: Models): Model<any>[] {
  return Object.values(models).filter((m): m is Model<any> => typeof m === 'function' && 'schema' in m);
}

/** Where a process's case records live, and what the database keeps of a record besides itself. */
export interface CaseStore {
  model: Model<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each process's shape reads its own record
  stored: StoredShape<any>;
}

/** Every process's case records, keyed by their numbers. */
export function caseStores(models: Models): Record<Process, CaseStore> {
  return Object.fromEntries(Object.entries(CASE_STORES).map(([p, s]) => [p, { model: models[s.name], stored: s.stored }])) as Record<Process, CaseStore>;
}

/** The case records, keyed by their numbers. */
export function caseModels(models: Models): Model<any>[] {
  return Object.values(caseStores(models)).map((s) => s.model);
}

/**
 * Makes each collection's indexes the ones its model declares: builds the missing ones and drops
 * those no longer declared (an index nothing asks for only slows writes). Safe to repeat, and to
 * run from two processes at once.
 */
export async function ensureIndexes(models: Models): Promise<void> {
  for (const m of allModels(models)) {
    await m.createCollection().catch((err) => {
      if ((err as { code?: number }).code !== 48) throw err; // NamespaceExists
    });
    const declared = new Set(m.schema.indexes().map(([, o]) => (o as { name: string }).name));
    for (const ix of await m.collection.listIndexes().toArray()) {
      if (ix.name === '_id_' || declared.has(ix.name)) continue;
      await m.collection.dropIndex(ix.name).catch((err) => {
        if ((err as { code?: number }).code !== 27) throw err; // IndexNotFound: another process dropped it
      });
    }
    await m.createIndexes();
  }
}

/** A unique index refused the write: the same thing was written before (idempotent retries). */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: number }).code === 11000;
}
