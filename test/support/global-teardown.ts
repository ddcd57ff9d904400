import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as Record<string, unknown>).__testStack as { dir: string; stops: Array<() => Promise<void>> } | undefined;
  if (!stack) return;
  for (const stop of stack.stops) await stop();
  fs.rmSync(stack.dir, { recursive: true, force: true });
}
