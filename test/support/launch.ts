/**
 * `npm start` as a terminal runs it, for the tests and the fault suite: the launcher in a process
 * group of its own (which Ctrl-C signals as a whole), on free ports and a data folder of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../stack/paths';
import { freePort } from '../../stack/process';

export interface Launched {
  child: ChildProcess;
  /** everything it printed so far */
  output(): string;
  api: string;
  /** resolves with its exit code */
  exited: Promise<number | null>;
}

export type Ports = Record<'PORT' | 'DB_PORT' | 'TEMPORAL_PORT' | 'TEMPORAL_UI_PORT' | 'METRICS_PORT', number>;

export async function freePorts(): Promise<Ports> {
  return { PORT: await freePort(), DB_PORT: await freePort(), TEMPORAL_PORT: await freePort(), TEMPORAL_UI_PORT: await freePort(), METRICS_PORT: await freePort() };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function launch(opts: { data: string; ports: Ports; adminKey: string; env?: Record<string, string> }): Promise<Launched> {
  const env: NodeJS.ProcessEnv = { ...process.env, ISO20K_DATA_DIR: opts.data, ADMIN_API_KEY: opts.adminKey, LOG_LEVEL: 'warn', ...opts.env, ...Object.fromEntries(Object.entries(opts.ports).map(([k, v]) => [k, String(v)])) };
  delete env.TEMPORAL_SDK_METRICS_ADDRESS;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'stack', 'start.ts')], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = Date.now();
  while (!out.includes('iso20k-flow is running')) {
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${out}`);
    if (Date.now() - started > 180_000) throw new Error(`npm start did not come up:\n${out}`);
    await sleep(200);
  }
  return { child, output: () => out, api: `http://127.0.0.1:${opts.ports.PORT}`, exited };
}

/** Ctrl-C in the terminal: SIGINT to the launcher's whole process group; resolves with its exit code. */
export async function interrupt(stack: Launched): Promise<number | null> {
  process.kill(-stack.child.pid!, 'SIGINT');
  return stack.exited;
}

/**
 * Whether a process runs. A zombie (exited, not yet reaped) answers signal 0 like a live one, and
 * the orphans of a killed launcher are reaped by whatever adopts them, not always at once: on
 * Linux its state in /proc tells the two apart.
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return process.platform !== 'linux';
  }
}

/** What /proc says of a process, for a failure message: its state, parent and command. */
export function described(pid: number): string {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1];
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 120);
    return `pid ${pid}: ${field('State')}, parent ${field('PPid')}, ${cmd || '(no command line)'}`;
  } catch {
    return `pid ${pid}: gone`;
  }
}

/** The pid a child of the launcher runs under, from its pid file. */
export function pidOf(data: string, name: string): number {
  return JSON.parse(fs.readFileSync(path.join(data, 'run', `${name}.json`), 'utf8')).pid;
}

export async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms / 1000} s: ${what}`);
    await sleep(200);
  }
}
