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

/** to a change: a release bundles it (its implementation is the release's deployment), or lets it go (the release was cancelled) */
export const releaseBundles = wf.defineSignal<[{ release: string }]>('change.releaseBundles');
/** to a release: a change it asked to bundle answered (bundled, or refused and why) */
export const changeBundled = wf.defineSignal<[{ change: string; bundled: boolean; reason: string | null }]>('release.changeBundled');
export const releaseLetsGo = wf.defineSignal<[{ release: string; reason: string }]>('change.releaseLetsGo');
/**
 * to a change, from the API: the release that bundled it has no process any more (terminated, or
 * ended without letting it go), so the change is its own again; answers whether it was bundled to it
 */
export const releaseLost = wf.defineUpdate<boolean, [{ release: string; reason: string }]>('change.releaseLost');
/** to a change: its release started deploying, so the change is implementing */
export const releaseDeploying = wf.defineSignal<[{ release: string }]>('change.releaseDeploying');
/**
 * to a change: its release's deployment ended. Successful in production: the change completes with
 * the CI versions the release delivered; failed: the change backs out, then waits (approved) for
 * the next release.
 */
export const releaseDeployed = wf.defineSignal<[{ release: string; result: 'successful' | 'failed'; notes: string; ciUpdates: Array<{ ci: string; attributes: Record<string, unknown> }> }]>('change.releaseDeployed');
