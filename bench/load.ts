/** What the scale benchmark measures with: latency samples, percentiles, CPU time of processes, load shapes. */
import fs from 'node:fs';

export class Samples {
  private readonly byName = new Map<string, number[]>();
  errors = 0;
  readonly errorKinds = new Map<string, number>();

  add(name: string, ms: number): void {
    let a = this.byName.get(name);
    if (!a) this.byName.set(name, (a = []));
    a.push(ms);
  }
  fail(kind: string): void {
    this.errors++;
    this.errorKinds.set(kind, (this.errorKinds.get(kind) ?? 0) + 1);
  }
  names(): string[] {
    return [...this.byName.keys()];
  }
  count(name?: string): number {
    if (name) return this.byName.get(name)?.length ?? 0;
    let n = 0;
    for (const a of this.byName.values()) n += a.length;
    return n;
  }
  all(): number[] {
    return [...this.byName.values()].flat();
  }
  of(name: string): number[] {
    return this.byName.get(name) ?? [];
  }
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

export const fmt = (ms: number, digits = 1) => (Number.isFinite(ms) ? ms.toFixed(digits) : '–');

/** CPU time (user + system) a process has used so far, in ms; Linux /proc only. */
export function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  return (ticks * 1000) / 100; // CLK_TCK is 100 on Linux
}

export function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** CPU used by each named process between two readings. */
export class CpuMeter {
  private start = new Map<string, number>();
  constructor(private readonly pids: Record<string, number>) {}
  begin(): void {
    for (const [name, pid] of Object.entries(this.pids)) this.start.set(name, cpuMs(pid));
  }
  end(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) out[name] = cpuMs(pid) - (this.start.get(name) ?? 0);
    return out;
  }
}

/**
 * Closed loop: `concurrency` users each run `scenario` back to back until `seconds` pass. Answers
 * how many steps completed (a scenario reports its own steps) and the wall time.
 */
export async function closedLoop(concurrency: number, seconds: number, scenario: (user: number, iteration: number) => Promise<number>): Promise<{ steps: number; ms: number }> {
  const until = Date.now() + seconds * 1000;
  let steps = 0;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, user) => {
      for (let i = 0; Date.now() < until; i++) {
        // not `steps += await …`: that reads `steps` before the await and loses the other users' steps
        const done = await scenario(user, i);
        steps += done;
      }
    }),
  );
  return { steps, ms: Date.now() - t0 };
}

/** Open loop: scenarios start at a fixed rate for `seconds`, whatever the answers take. */
export async function openLoop(perSecond: number, seconds: number, scenario: (i: number) => Promise<number>): Promise<{ steps: number; ms: number; started: number }> {
  const t0 = Date.now();
  const total = Math.max(1, Math.round(perSecond * seconds));
  let steps = 0;
  const running: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const at = t0 + (i * 1000) / perSecond;
    const wait = at - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    running.push(scenario(i).then((n) => void (steps += n)));
  }
  await Promise.all(running);
  return { steps, ms: Date.now() - t0, started: total };
}

export async function timed<T>(samples: Samples, name: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try {
    return await fn();
  } finally {
    samples.add(name, performance.now() - t);
  }
}

/** The seeding's deterministic random source, so two runs seed the same desk. */
export { rng } from '../stack/seed';
