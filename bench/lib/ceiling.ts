import { spawn } from 'node:child_process';
import PQueue from 'p-queue';

/**
 * The physical ceiling for a job mix on this machine: a raw in-process pool of 4 slots (p-queue)
 * spawning the same command with child_process, no queue, no HTTP, no records.
 */
export async function runCeiling(
  executable: string,
  args: string[],
  jobs: number,
  slots = 4,
): Promise<number> {
  const pool = new PQueue({ concurrency: slots });
  const started = performance.now();
  for (let i = 0; i < jobs; i += 1) {
    void pool.add(
      () =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe'] });
          child.stdout.resume();
          child.stderr.resume();
          child.once('error', reject);
          child.once('close', () => resolve());
        }),
    );
  }
  await pool.onIdle();
  return (performance.now() - started) / 1000;
}
