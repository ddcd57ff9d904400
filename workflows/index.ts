// Every workflow the worker runs: each process's case workflow, one line per process of
// domain/processes.ts, named `<process>Workflow` (the names are in running cases' histories: never
// rename one), and the workflows that serve a process (the problem trend scan, the monthly service reports).
import type { Process } from '../domain/processes';

export { incidentWorkflow } from './incident';
export { changeWorkflow } from './change';
export { requestWorkflow } from './request';
export { problemWorkflow } from './problem';
export { problemTrendScan } from './problem-trend';
export { serviceReportRun } from './service-reports';
export { improvementWorkflow } from './improvement';
export { nonconformityWorkflow } from './nonconformity';
export { reviewWorkflow } from './review';
export { verificationWorkflow, ciVerificationAudit } from './verification';
export { releaseWorkflow } from './release';
export { transitionWorkflow } from './transition';

// the compiler's check that every process has its workflow here
type Missing = Exclude<`${Process}Workflow`, keyof typeof import('.')>;
true satisfies [Missing] extends [never] ? true : `no workflow exported for ${Missing}`;
