/** A supervised server that exits while it is first started is started again, up to a few tries; a plain child that exits fails the wait at once. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnServer, waitFor } from '../../stack/process';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iso20k-first-start-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('waits through a supervised server’s failed first try (a port or lock a dead run held a moment longer)', async () => {
  const marker = path.join(dir, 'tried');
  // fails the first time, then runs
  const s = spawnServer('sh', ['-c', `if [ -f ${marker} ]; then exec sleep 60; else touch ${marker}; exit 1; fi`], { log: path.join(dir, 'server.log'), restart: { name: 'flaky', log: () => undefined } });
  try {
    await waitFor('flaky', async () => fs.existsSync(marker) && s.child.exitCode === null && s.restarts === 1, s, 20_000);
    expect(s.restarts).toBe(1);
  } finally {
    await s.stop();
  }
});

it('gives up on a supervised server that keeps failing, and at once on a plain child', async () => {
  const s = spawnServer('sh', ['-c', 'exit 3'], { log: path.join(dir, 'failing.log'), restart: { name: 'failing', log: () => undefined } });
  try {
    await expect(waitFor('failing', async () => false, s, 60_000)).rejects.toThrow('failing exited with code 3 before it was ready (3 times)');
  } finally {
    await s.stop();
  }
  const plain = spawn('sh', ['-c', 'exit 2']);
  await expect(waitFor('plain', async () => false, plain, 10_000)).rejects.toThrow('plain exited with code 2 before it was ready');
}, 90_000);
