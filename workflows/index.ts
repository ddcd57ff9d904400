// Every workflow the worker runs, one module per process.
export { incidentWorkflow } from './incident';
export { changeWorkflow } from './change';
export { requestWorkflow } from './request';
export { problemWorkflow } from './problem';
export { problemTrendScan } from './problem-trend';
export { improvementWorkflow } from './improvement';
export { nonconformityWorkflow } from './nonconformity';
