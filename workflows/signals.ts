/**
 * Signals one case's workflow sends another's (no answer needed): a problem links incidents and
 * changes, resolves its incidents, and hears when its change closes. One definition, both sides.
 */
import * as wf from '@temporalio/workflow';

/** to an incident or a change: it is now linked to this problem */
export const linkedToProblem = wf.defineSignal<[{ problem: string }]>('linkedToProblem');
/** to an incident: the problem behind it is resolved */
export const resolvedByProblem = wf.defineSignal<[{ problem: string; resolution: string }]>('resolvedByProblem');
/** to a problem: a change linked to it has closed (its outcome: successful, failed, backed_out), or was rejected or cancelled */
export const changeClosed = wf.defineSignal<[{ change: string; outcome: string }]>('problem.changeClosed');
/** to a problem the trend scan found open: incidents of its trend to link, with when each opened */
export const trendIncidents = wf.defineSignal<[{ incidents: string[]; openedAt?: Record<string, number> }]>('problem.trendIncidents');
/** to the trend scan that started a problem: it is recorded, with its incidents linked */
export const problemRecorded = wf.defineSignal<[{ number: string }]>('trend.problemRecorded');
