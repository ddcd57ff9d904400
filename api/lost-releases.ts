/**
 * A release whose process is gone (terminated by an operator, or ended without letting its
 * changes go) must not hold its changes for ever. Its record stays as it was (the workflow is its
 * only writer); a change it held is freed by the first command that needs it, said in the change's
 * history (`release_lost`), and the release's open links no longer count as holding the change.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { releaseLost } from '../workflows/signals';

/** How a release's process ended, or null while it runs. */
export async function releaseProcessGone(client: Client, release: string): Promise<string | null> {
  const status = await client.workflow
    .getHandle(release)
    .describe()
    .then((d) => d.status.name as string)
    .catch((err) => {
      if (err instanceof WorkflowNotFoundError) return 'NOT_FOUND';
      throw err;
    });
  return status === 'RUNNING' ? null : status;
}

/** Frees a change from a release whose process ended as `status` (what releaseProcessGone answered). */
export async function freeFromLostRelease(client: Client, change: string, release: string, status: string): Promise<void> {
  const reason = status === 'NOT_FOUND' ? `${release} has no process: the change is its own again` : `${release}'s process ended (${status.toLowerCase()}) without letting the change go: the change is its own again`;
  // a change whose own process is gone is answered by the command that follows, as any such case is
  await client.workflow.getHandle(change).executeUpdate(releaseLost, { args: [{ release, reason }] }).catch(() => undefined);
}
