import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');
/** binaries the project installs for itself (ignored by git) */
export const TOOLS = path.join(ROOT, '.tools');
export const TOOLS_BIN = path.join(TOOLS, 'bin');
/** what `npm start` keeps between runs: database files, the Temporal SQLite file, pid files (ignored by git); ISO20K_DATA_DIR moves it */
export const DATA = process.env.ISO20K_DATA_DIR ? path.resolve(process.env.ISO20K_DATA_DIR) : path.join(ROOT, '.data');

export const TEMPORAL_CLI = path.join(TOOLS, 'py', 'bin', 'temporal');
export const TEMPORAL_TEST_SERVER = path.join(TOOLS, 'py', 'bin', 'temporal-test-server');
export const FERRETDB_VERSION = 'v1.24.2';
/** the patch the project builds FerretDB with (stack/ferretdb/README.md): indexed, hinted queries */
export const FERRETDB_PATCH = path.join(ROOT, 'stack', 'ferretdb', 'iso20k-pushdown.patch');
/** the binary is named after the patch it was built with, so a changed patch builds a new one */
export const FERRETDB = path.join(TOOLS_BIN, `ferretdb-${FERRETDB_VERSION}-${createHash('sha256').update(fs.readFileSync(FERRETDB_PATCH)).digest('hex').slice(0, 10)}`);
