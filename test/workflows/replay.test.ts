/**
 * Every recorded history (test/replay/histories, see test/replay/choose.ts) replays against
 * today's workflow code: a change that would break a running case fails here. A change that must
 * behave differently goes behind `patched()`, and new fixtures are recorded after it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../support/harness';

const dir = path.join(__dirname, '..', 'replay', 'histories');
// one folder per recording: each generation of the code its cases began under
const generations = fs.readdirSync(dir).filter((d) => fs.statSync(path.join(dir, d)).isDirectory()).sort();
const fixtures = generations.flatMap((g) => fs.readdirSync(path.join(dir, g)).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(g, f)));

describe('recorded histories replay against today’s workflow code', () => {
  it.each(generations)('has a finished and a running case of every process (recorded %s)', (generation) => {
    const kinds = new Set(fixtures.filter((f) => f.startsWith(generation + path.sep)).map((f) => path.basename(f).replace(/-\d+\.json$/, '')));
    // a process added later is required from the first recording after it
    const since: Record<string, string> = { reviewWorkflow: '2026-12-07-reviews', verificationWorkflow: '2026-12-07-reviews', transitionWorkflow: '2026-12-07-transitions', releaseWorkflow: '2026-12-07-transitions' };
    for (const type of ['incidentWorkflow', 'changeWorkflow', 'requestWorkflow', 'problemWorkflow', 'improvementWorkflow', 'nonconformityWorkflow', 'reviewWorkflow', 'verificationWorkflow', 'transitionWorkflow', 'releaseWorkflow'].filter((t) => !since[t] || generation >= since[t])) {
      expect(kinds).toContain(`${type}-closed`);
      expect(kinds).toContain(`${type}-running`);
    }
  });

  it('replays each without a nondeterminism error', async () => {
    const histories = fixtures.map((f) => ({ workflowId: f, history: temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))) }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: workflowBundle() }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(histories.length).toBe(fixtures.length);
  });
});
