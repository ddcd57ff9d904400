import { ApplicationFailure } from '@temporalio/common';
import type { ReleaseEvent, ReleaseRecord } from '../domain/release';
import type { Models } from '../models';
import { findIndexed } from '../models/query';
import { releaseStored } from '../models/release';
import { persistCase } from './persist';

/** The most incidents on one CI an early-life check reads (newest first). */
const INCIDENTS_READ_PER_CI = 500;

export interface ReleaseIncident {
  number: string;
  priority: string;
  state: string;
  openedAt: number;
}

export function createReleaseActivities(models: Models) {
  return {
    async persistRelease({ record, event }: { record: ReleaseRecord; event: ReleaseEvent }): Promise<void> {
      await persistCase(models, models.Release, releaseStored, 'release', record, event);
    },
    /**
     * Incidents on a release's CIs: those opened since early life support began, and those named
     * (linked earlier) as they are now, for the exit check.
     */
    async releaseIncidents({ cis, since, linked }: { cis: string[]; since: number; linked: string[] }): Promise<{ opened: ReleaseIncident[]; linked: ReleaseIncident[] }> {
      const projection = { _id: 0, number: 1, priority: 1, state: 1, openedAt: 1 } as const;
      const perCi = await Promise.all(cis.map((ci) => findIndexed<ReleaseIncident>(models.Incident, { configurationItem: ci }, { sort: [['_id', -1]], limit: INCIDENTS_READ_PER_CI, projection })));
      const opened = new Map<string, ReleaseIncident>();
      for (const i of perCi.flat()) if (i.openedAt >= since) opened.set(i.number, i);
      const now = linked.length ? await models.Incident.collection.find({ _id: { $in: linked } } as never, { projection }).toArray() : [];
      return { opened: [...opened.values()].sort((a, b) => a.openedAt - b.openedAt || a.number.localeCompare(b.number)), linked: now as unknown as ReleaseIncident[] };
    },
    /**
     * Asks a deployment tool to deploy a release to an environment: a POST with an Idempotency-Key
     * (the same on every retry, so the tool deploys once). A 2xx answer `{"status":"succeeded"|
     * "failed","details"?}` is the step's result; a 202 (or `"status":"accepted"`) is the tool
     * taking it, to report later (`report_deployment`); 5xx, 408, 409 (the same key still being
     * deployed), 425, 429 or no answer within 20 s fail the attempt (retried); any other answer is
     * the tool refusing, a failed deployment.
     */
    async callDeploymentTool({ url, key, body }: { url: string; key: string; body: Record<string, unknown> }): Promise<{ status: 'succeeded' | 'failed' | 'accepted'; details: string }> {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body), signal: AbortSignal.timeout(20_000) });
      const text = await res.text();
      if (res.status >= 500 || [408, 409, 425, 429].includes(res.status)) throw new Error(`the deployment tool answered ${res.status}: ${text.slice(0, 200)}`);
      if (res.status < 200 || res.status >= 300) return { status: 'failed', details: `the deployment tool refused (${res.status}): ${text.slice(0, 500)}` };
      if (res.status === 202) {
        let details: unknown;
        try {
          details = (JSON.parse(text) as { details?: unknown }).details;
        } catch {
          details = undefined; // a 202 needs no body
        }
        return { status: 'accepted', details: typeof details === 'string' ? details.slice(0, 2000) : '' };
      }
      let answer: { status?: unknown; details?: unknown };
      try {
        answer = JSON.parse(text) as typeof answer;
      } catch {
        throw ApplicationFailure.nonRetryable(`the deployment tool's answer is not JSON: ${text.slice(0, 200)}`);
      }
      if (answer.status !== 'succeeded' && answer.status !== 'failed' && answer.status !== 'accepted') throw ApplicationFailure.nonRetryable(`the deployment tool's answer has no status succeeded, failed or accepted: ${text.slice(0, 200)}`);
      return { status: answer.status, details: typeof answer.details === 'string' ? answer.details.slice(0, 2000) : '' };
    },
  };
}
