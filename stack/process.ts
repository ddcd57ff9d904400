/** Child servers of the embedded stack: start, wait until they answer, stop cleanly. */
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface Server {
  /** what it is, for the banner: "FerretDB v1.24.2 (SQLite under .data/ferretdb)" */
  label: string;
  stop(): Promise<void>;
  /** the server's process, when this stack started it */
  pid?: number;
}

/** Where the kernel picks the local ports of outgoing connections (and of listen(0)). */
function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (lo > 0 && hi >= lo) return [lo, hi];
  } catch {
    // not Linux: its defaults
  }
  return [49152, 65535];
}

function listenOn(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(null));
    srv.listen(port, '127.0.0.1', () => {
      const { port: bound } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(bound));
    });
  });
}

/** the ports this process handed out: not handed out twice */
const handedOut = new Set<number>();

/**
 * A port free now, for a server started a moment later. Chosen below the ephemeral range: a port
 * from it (what listen(0) gives) can be taken meanwhile by any outgoing connection's local end,
 * and a server started seconds later then fails with EADDRINUSE (seen once under load). Falls
 * back to listen(0) should no port below the range be free.
 */
export async function freePort(): Promise<number> {
  const [lo] = ephemeralRange();
  const from = Math.max(10_000, lo - 12_000);
  for (let tries = 0; tries < 50 && from < lo; tries++) {
    const port = from + Math.floor(Math.random() * (lo - from));
    if (handedOut.has(port)) continue;
    if ((await listenOn(port)) === port) {
      handedOut.add(port);
      return port;
    }
  }
  const port = await listenOn(0);
  if (port === null) throw new Error('no free port to listen on');
  handedOut.add(port);
  return port;
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** How often a supervised server may exit while it is first started before the start gives up. */
const FIRST_START_TRIES = 3;

/**
 * Waits until `check` answers. A plain child that exits first fails the wait; a supervised server
 * (a Spawned with a restart) that exits is started again by its supervisor, and the wait goes on
 * until it has failed FIRST_START_TRIES times (a port or a file lock a dead run held a moment longer).
 */
export async function waitFor(what: string, check: () => Promise<boolean>, child?: ChildProcess | Spawned, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const spawned = child && 'stop' in child ? child : null;
  while (Date.now() < deadline) {
    const current = spawned ? spawned.child : (child as ChildProcess | undefined);
    if (current && current.exitCode !== null) {
      if (!spawned?.supervised || spawned.restarts >= FIRST_START_TRIES) throw new Error(`${what} exited with code ${current.exitCode} before it was ready${spawned?.supervised ? ` (${spawned.restarts} times)` : ''}`);
    }
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} was not ready within ${timeoutMs / 1000}s`);
}

/** Linux's setpriv: a child it starts gets SIGTERM when this process dies, even by SIGKILL. */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => process.platform === 'linux' && fs.existsSync(p));

export interface SpawnOptions {
  env?: Record<string, string>;
  /** where its output goes: a log file, or this process's own output */
  log: string | 'inherit';
  /** a Node.js child with an IPC channel: it stops itself when this process goes away, and says when it is ready */
  ipc?: boolean;
  /** supervised: started again, with backoff, whenever it exits other than by stop() */
  restart?: { name: string; log: (message: string) => void; ready?: () => Promise<boolean> };
  /** a file naming its pid while it runs, so a later start finds it should this process die without stopping it */
  pidFile?: string;
  /** how long stop() waits after SIGTERM before SIGKILL */
  stopTimeoutMs?: number;
}

export interface Spawned {
  /** the process running now (a restart makes a new one) */
  readonly child: ChildProcess;
  /** set once an IPC child has said it is ready (for each run) */
  readonly ready: boolean;
  readonly restarts: number;
  /** started again by this process when it exits */
  readonly supervised: boolean;
  /** what an IPC child said last about how it stopped (the API: the requests it answered and dropped) */
  readonly stopped: unknown;
  stop(): Promise<void>;
}

/** Waits that many seconds before the n-th restart in a row; a run of a minute starts the count again. */
const BACKOFF_S = [1, 2, 4, 8, 16, 30];

/**
 * Spawns a server in a process group of its own, so a terminal's Ctrl-C (sent to the foreground
 * group) reaches only the launcher, which stops its servers in order; where setpriv is there, the
 * server also gets SIGTERM should the launcher die without stopping it (kill -9), and a pid file
 * lets the next start find one that outlived it anyway.
 */
export function spawnServer(cmd: string, args: string[], opts: SpawnOptions): Spawned {
  let child!: ChildProcess;
  let stopping = false;
  let ready = false;
  let restarts = 0;
  let stopped: unknown;
  let inARow = 0;
  let exited!: Promise<void>;
  let timer: NodeJS.Timeout | undefined;

  const launch = () => {
    const log = opts.log === 'inherit' ? 'inherit' : fs.openSync(opts.log, 'a');
    const stdio: StdioOptions = ['ignore', log, log, ...(opts.ipc ? (['ipc'] as const) : [])];
    const [file, argv] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'TERM', '--', cmd, ...args]] : [cmd, args];
    child = spawn(file, argv, { stdio, detached: true, env: { ...process.env, ...opts.env } });
    if (typeof log === 'number') fs.closeSync(log);
    ready = false;
    const startedAt = Date.now();
    child.on('message', (m) => {
      if ((m as { ready?: boolean })?.ready) ready = true;
      if ((m as { stopped?: unknown })?.stopped) stopped = (m as { stopped: unknown }).stopped;
    });
    child.on('error', () => undefined); // an exit follows
    if (opts.pidFile && child.pid) writePidFile(opts.pidFile, child.pid, cmd);
    exited = new Promise<void>((resolve) =>
      child.once('exit', (code, signal) => {
        resolve();
        if (stopping || !opts.restart) return;
        if (Date.now() - startedAt > 60_000) inARow = 0;
        const wait = BACKOFF_S[Math.min(inARow++, BACKOFF_S.length - 1)];
        restarts += 1;
        opts.restart.log(`${opts.restart.name} exited (${signal ?? `code ${code}`}); starting it again in ${wait} s (restart ${restarts})`);
        timer = setTimeout(() => {
          if (stopping) return;
          launch();
          if (opts.restart?.ready) void waitFor(opts.restart.name, opts.restart.ready, child, 180_000).then(
            () => opts.restart!.log(`${opts.restart!.name} is running again (pid ${child.pid})`),
            (err: Error) => opts.restart!.log(`${opts.restart!.name} did not come back: ${err.message}`),
          );
        }, wait * 1000);
      }),
    );
  };
  launch();

  const stop = async () => {
    stopping = true;
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), opts.stopTimeoutMs ?? 10_000);
      await exited;
      clearTimeout(killer);
    }
    if (opts.pidFile) fs.rmSync(opts.pidFile, { force: true });
  };
  return {
    get child() {
      return child;
    },
    get ready() {
      return ready;
    },
    get restarts() {
      return restarts;
    },
    get stopped() {
      return stopped;
    },
    supervised: !!opts.restart,
    stop,
  };
}

function writePidFile(file: string, pid: number, command: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ pid, command, startedAt: new Date().toISOString() }) + '\n');
}

/** The command line of a running process, or null when there is none with that pid. */
function commandLine(pid: number): string | null {
  try {
    process.kill(pid, 0);
  } catch {
    return null;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    const r = spawnSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : null;
  }
}

/**
 * A server a run that died left behind, known by the pid file it wrote: stopped (SIGTERM, then
 * SIGKILL after 10 s) so this start runs its own, never reused unawares. A pid now held by another
 * program is left alone. Answers what it did, for the log.
 */
export async function stopStale(pidFile: string): Promise<string | null> {
  let recorded: { pid: number; command: string };
  try {
    recorded = JSON.parse(fs.readFileSync(pidFile, 'utf8'));
  } catch {
    return null;
  }
  fs.rmSync(pidFile, { force: true });
  const line = commandLine(recorded.pid);
  if (!line || !line.includes(path.basename(recorded.command))) return null;
  process.kill(recorded.pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (commandLine(recorded.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (commandLine(recorded.pid)) process.kill(recorded.pid, 'SIGKILL');
  return `stopped ${path.basename(recorded.command)} (pid ${recorded.pid}), left running by a start that did not stop it`;
}
