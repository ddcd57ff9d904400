/**
 * The mongoose models, bound to one connection. The worker's activities write case records and
 * audit trails; the API reads them and writes only keys, policies and the case-number counters.
 */
import type { Connection } from 'mongoose';
import { apiKeyModel } from './api-key';
import { approvalModel } from './approval';
import { changeModel } from './change';
import { auditModel } from './audit';
import { counterModel } from './counter';
import { delegationModel } from './delegation';
import { improvementModel } from './improvement';
import { incidentModel } from './incident';
import { nonconformityModel } from './nonconformity';
import { notificationModel } from './notification';
import { policyModel } from './policy';
import { problemModel } from './problem';
import { requestModel } from './request';
import { taskModel } from './task';

export function createModels(conn: Connection) {
  return {
    conn,
    ApiKey: apiKeyModel(conn),
    Approval: approvalModel(conn),
    Change: changeModel(conn),
    Audit: auditModel(conn),
    Counter: counterModel(conn),
    Delegation: delegationModel(conn),
    Improvement: improvementModel(conn),
    Incident: incidentModel(conn),
    Nonconformity: nonconformityModel(conn),
    Notification: notificationModel(conn),
    Policy: policyModel(conn),
    Problem: problemModel(conn),
    Request: requestModel(conn),
    Task: taskModel(conn),
  };
}
export type Models = ReturnType<typeof createModels>;

/** Builds every index the models declare (FerretDB and MongoDB alike); safe to repeat. */
export async function ensureIndexes(models: Models): Promise<void> {
  for (const m of [models.ApiKey, models.Approval, models.Audit, models.Change, models.Counter, models.Delegation, models.Improvement, models.Incident, models.Nonconformity, models.Notification, models.Policy, models.Problem, models.Request, models.Task]) {
    await m.createIndexes();
  }
}

/** A unique index refused the write: the same thing was written before (idempotent retries). */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: number }).code === 11000;
}
