/**
 * Chooses replay fixtures from the histories a recording test run left (test/support/record-histories.ts):
 * for every workflow type, the closed runs and the running ones that together show the most kinds
 * of history event, smallest first among equals, at most three of each and none over 400 KB.
 * They go into a folder of their own named by the day (earlier folders stay: the cases they
 * stand for may still be running somewhere, and must keep replaying).
 *   npm run record-histories
 */
import fs from 'node:fs';
import path from 'node:path';

const from = process.argv[2];
const to = path.join(__dirname, 'histories', process.argv[3] ?? new Date().toISOString().slice(0, 10));
if (!from) throw new Error('usage: tsx test/replay/choose.ts <folder of recorded histories> [name of the fixture folder, the day by default]');

interface Recorded { file: string; type: string; status: string; size: number; kinds: Set<string>; events: number }
const recorded: Recorded[] = fs.readdirSync(from).filter((f) => f.endsWith('.json')).map((file) => {
  const text = fs.readFileSync(path.join(from, file), 'utf8');
  const [type, status] = file.split('--');
  const events = (JSON.parse(text).events ?? []) as Array<Record<string, unknown>>;
  // an event's kind: its type and, for updates, signals and activities, what it was for
  const kinds = new Set(events.map((e) => {
    const attrs = Object.entries(e).find(([k]) => k.endsWith('EventAttributes'))?.[1] as Record<string, any> | undefined;
    const name = attrs?.acceptedRequest?.input?.name ?? attrs?.signalName ?? attrs?.activityType?.name ?? attrs?.markerName ?? '';
    return `${e.eventType}:${name}`;
  }));
  return { file, type, status, size: text.length, kinds, events: events.length };
});

// a folder already kept stands for cases that may still be running somewhere: never replaced
if (fs.existsSync(to)) throw new Error(`${to} exists: name another folder (npm run record-histories with FIXTURES=<name>)`);
fs.mkdirSync(to, { recursive: true });
const types = [...new Set(recorded.map((r) => r.type))].sort();
for (const type of types) {
  for (const status of ['closed', 'running']) {
    const pool = recorded.filter((r) => r.type === type && r.status === status && r.size <= 400_000).sort((a, b) => a.size - b.size);
    const seen = new Set<string>();
    for (let i = 1; i <= 3; i++) {
      const gain = (r: Recorded) => [...r.kinds].filter((k) => !seen.has(k)).length;
      const best = pool.reduce<Recorded | undefined>((a, r) => (gain(r) > (a ? gain(a) : 0) ? r : a), undefined);
      if (!best) break;
      best.kinds.forEach((k) => seen.add(k));
      pool.splice(pool.indexOf(best), 1);
      fs.copyFileSync(path.join(from, best.file), path.join(to, `${type}-${status}-${i}.json`));
      process.stdout.write(`${type}-${status}-${i}.json: ${best.events} events, ${(best.size / 1024).toFixed(0)} KB\n`);
    }
  }
}
