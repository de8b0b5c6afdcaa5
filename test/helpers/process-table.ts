import { readdir, readFile } from 'node:fs/promises';

/** Pids of live (not zombie) processes whose argv is exactly `argv`. */
export async function processesRunning(argv: readonly string[]): Promise<number[]> {
  const wanted = argv.join('\0');
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replace(/\0$/, '');
      if (cmdline !== wanted) continue;
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') continue;
      pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** Samples the process table every `intervalMs` until stopped; reports the most seen at once. */
export function sampleProcesses(argv: readonly string[], intervalMs = 20) {
  let most = 0;
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const count = (await processesRunning(argv)).length;
      most = Math.max(most, count);
      samples += 1;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { most, samples };
    },
  };
}
