/**
 * Once per test run: installs what is missing, starts a real database (FerretDB, or what
 * MONGODB_URI names) and a real Temporal dev server, and bundles the workflow code. Test files
 * find them through the TEST_* variables; the time-skipping server is started per file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startDatabase } from '../../stack/database';
import { TEMPORAL_TEST_SERVER } from '../../stack/paths';
import { setup } from '../../stack/setup';
import { startTemporal } from '../../stack/temporal';

export default async function globalSetup(): Promise<void> {
  setup();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iso20k-test-'));
  const [db, temporal, bundle] = await Promise.all([
    startDatabase({ dataDir: dir, dbName: 'test' }),
    // continue-as-new suggested after 400 events (Temporal's default is 4 Ki): busy cases cross runs in the tests
    startTemporal({ logDir: dir, dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 400 } }),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger }),
  ]);
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);
  process.env.TEST_MONGODB_URI = db.uri;
  process.env.TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  if (fs.existsSync(TEMPORAL_TEST_SERVER)) process.env.TEST_TIME_SKIPPING_SERVER = TEMPORAL_TEST_SERVER;
  process.stderr.write(`\ntest stack: ${db.label}; ${temporal.label} at ${temporal.address}\n`);
  (globalThis as Record<string, unknown>).__testStack = { dir, stops: [temporal.stop, db.stop] };
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (m: string) => process.stderr.write(`bundler: ${m}\n`),
  error: (m: string) => process.stderr.write(`bundler: ${m}\n`),
};
