import { readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { WORK_DIR_PREFIX } from './run-process';
import { signalGroup } from './signals';

/**
 * Pids of the live task processes on this machine: every process (children of a task included)
 * whose working directory is a job's work directory — under `workRoot` if given, anywhere if not.
 * Zombies are not counted. Linux only (/proc).
 */
export async function liveTaskProcesses(workRoot?: string): Promise<number[]> {
  const isWorkDir = (cwd: string) =>
    workRoot
      ? cwd.startsWith(path.join(workRoot, WORK_DIR_PREFIX))
      : path.basename(cwd).startsWith(WORK_DIR_PREFIX);
  const pids: number[] = [];
  await Promise.all(
    (await readdir('/proc')).map(async (entry) => {
      if (!/^\d+$/.test(entry)) return;
      try {
        if (!isWorkDir(await readlink(`/proc/${entry}/cwd`))) return;
        const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') return;
        pids.push(Number(entry));
      } catch {
        // gone, or not ours to look at
      }
    }),
  );
  return pids;
}

/**
 * Ends the task processes under `workRoot`: each runs in a process group of its own, so its group is
 * killed (a task's children go with it). Returns how many live task processes there were.
 */
export async function killTaskProcesses(workRoot: string): Promise<number> {
  const pids = await liveTaskProcesses(workRoot);
  // A pid that is not a group leader (a task's child) goes with its leader's group.
  for (const pid of pids) killProcessGroup(pid);
  return pids.length;
}

/** SIGKILL to the process group led by `pid` (a task and everything it started); gone is fine. */
export function killProcessGroup(pid: number): void {
  signalGroup(pid, 'SIGKILL');
}

/** Samples the task processes every `intervalMs` until stopped; reports the most seen at once. */
export function sampleTaskProcesses(intervalMs = 20, workRoot?: string) {
  let most = 0;
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      most = Math.max(most, (await liveTaskProcesses(workRoot)).length);
      samples += 1;
      // A monitor never keeps its process alive: one left running (a test that failed before
      // stopping it) must not hold the process open.
      await new Promise((resolve) => setTimeout(resolve, intervalMs).unref());
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
