import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Containment, Enclosure } from './containment';
import { signalGroup, signalProcess } from './signals';
import { limitMessage, MB } from './task-limits';
import type { JobUsage, LimitExceeded, LimitScopes, TaskLimits } from './task-limits';

/** The variable every process of a run inherits: how its processes are found outside its group. */
export const RUN_MARKER = 'SPAWN_QUEUE_RUN';
const SAMPLE_MS = 250;
/** prlimit (util-linux), looked for once, on first use (false: not on this machine). */
let prlimit: string | false | undefined;
function prlimitPath(): string | undefined {
  prlimit ??= ['/usr/bin/prlimit', '/bin/prlimit'].find((file) => existsSync(file)) ?? false;
  return prlimit || undefined;
}

/**
 * Pids of the live processes whose environment holds `needle` (those this user may read). Read
 * synchronously: a hundred small reads cost ~0.5 ms this way, several times that as as many
 * asynchronous reads through the thread pool.
 */
function processesWithEnvironment(needle: Buffer): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (entry.charCodeAt(0) > 57 || entry.charCodeAt(0) < 48) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`).includes(needle)) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** Pids of the live processes of one run (its marker in their environment). */
export async function markedProcesses(marker: string): Promise<number[]> {
  return processesWithEnvironment(Buffer.from(`${RUN_MARKER}=${marker}\0`));
}

/** Kills the marked processes of every run a spawner started (the spawner is gone). */
export async function killMarkedOfSpawner(spawnerPid: number): Promise<void> {
  for (const pid of processesWithEnvironment(Buffer.from(`${RUN_MARKER}=${spawnerPid}-`))) {
    signalProcess(pid, 'SIGKILL');
  }
}

/** The resident memory (bytes) of processes, summed, from /proc. */
async function residentBytes(pids: number[]): Promise<number> {
  const sizes = await Promise.all(
    pids.map(async (pid) => {
      try {
        const rss = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1];
        return Number(rss ?? 0) * 1024;
      } catch {
        return 0;
      }
    }),
  );
  return sizes.reduce((sum, bytes) => sum + bytes, 0);
}

/** CPU time (own + reaped children, ms) and peak resident memory (bytes) of one process, from /proc. */
async function sample(pid: number): Promise<{ cpuMs: number; peakBytes: number } | undefined> {
  try {
    const [stat, status] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/status`, 'utf8'),
    ]);
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime: fields 14-17 of stat, in clock ticks (100 per second on Linux).
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return { cpuMs: ticks * 10, peakBytes: Number(hwm ?? 0) * 1024 };
  } catch {
    return undefined;
  }
}

/** How limits hold with a process group per job: memory sampled, CPU per process where prlimit is. */
export function groupLimits(): LimitScopes {
  return { memoryMb: 'sampled', cpuSeconds: prlimitPath() ? 'process' : 'none', processes: 'none' };
}

/**
 * Containment without privileges (a user without cgroup rights, AWS Lambda): the task runs in a
 * process group of its own and carries a marker variable that its descendants inherit, so a process
 * that left the group (`setsid`, a double fork) is still found and killed with the job, unless it
 * cleared its environment. The memory limit is watched: the resident memory of the job's marked
 * processes is read every 250 ms and the job stopped over it; the CPU limit is an rlimit of each
 * process (prlimit: RLIMIT_CPU); the process limit cannot be held per job (RLIMIT_NPROC counts the
 * whole user). Usage is sampled (scope `process`): the task's first process's CPU with its reaped
 * children's, the highest memory read.
 */
export function createGroupContainment(reason: string): Containment {
  let nextRun = 0;
  const open = new Map<string, () => number | undefined>();

  /** Signals the group and every marked process; the marked processes that were alive. */
  async function everyProcess(marker: string, pid: number | undefined, sig: NodeJS.Signals) {
    if (pid !== undefined) signalGroup(pid, sig);
    const found = await markedProcesses(marker);
    for (const each of found) signalProcess(each, sig);
    return found;
  }

  function enclose(limits: TaskLimits, onExceeded: (exceeded: LimitExceeded) => void): Enclosure {
    nextRun += 1;
    const marker = `${process.pid}-${nextRun}-${randomBytes(6).toString('hex')}`;
    let pid: number | undefined;
    let sampler: NodeJS.Timeout | undefined;
    let exceeded: LimitExceeded | undefined;
    // The /proc sweep is this containment's cost (every process's environment read): once when the
    // task's first process has exited, and again at close only if that one found something alive.
    let sweptClean = false;
    const usage: JobUsage = { cpuMs: 0, peakMemoryBytes: 0, processes: 1, scope: 'process' };
    // The processes the job started, as its sweeps saw them (the first, the memory watch's, the end's).
    const started = new Set<number>();
    const see = (pids: number[]) => {
      for (const each of pids) started.add(each);
      usage.processes = Math.max(1, started.size);
    };
    const take = async (watch: boolean) => {
      const seen = pid === undefined ? undefined : await sample(pid);
      if (seen) {
        usage.cpuMs = Math.max(usage.cpuMs, seen.cpuMs);
        usage.peakMemoryBytes = Math.max(usage.peakMemoryBytes, seen.peakBytes);
      }
      if (!watch || limits.memoryMb === undefined || exceeded) return;
      // Memory is watched over every marked process of the job (an rlimit per process would also
      // count what a runtime only reserves: Node could not even start under RLIMIT_DATA).
      const marked = await markedProcesses(marker);
      see(marked);
      const resident = await residentBytes(marked);
      usage.peakMemoryBytes = Math.max(usage.peakMemoryBytes, resident);
      if (resident > limits.memoryMb * MB) {
        exceeded = { limit: 'memory', message: limitMessage('memory', limits, usage) };
        onExceeded(exceeded);
      }
    };
    open.set(marker, () => pid);
    return {
      command(executable, args, env) {
        const rlimits = limits.cpuSeconds !== undefined ? [`--cpu=${limits.cpuSeconds}`] : [];
        const marked = { ...env, [RUN_MARKER]: marker };
        if (rlimits.length === 0 || !prlimitPath()) return { executable, args, env: marked };
        return { executable: prlimitPath()!, args: [...rlimits, '--', executable, ...args], env: marked };
      },
      spawnInside: (spawn) => spawn(),
      started(first) {
        pid = first;
        see([first]);
        void take(false);
        sampler = setInterval(() => void take(true), SAMPLE_MS);
        sampler.unref();
      },
      signalAll: async (sig) => {
        await everyProcess(marker, pid, sig);
      },
      killAll: async () => {
        const left = await everyProcess(marker, pid, 'SIGKILL');
        see(left);
        sweptClean = left.length === 0;
      },
      exceeded: () => exceeded,
      async close() {
        clearInterval(sampler);
        if (sweptClean) signalGroup(pid!, 'SIGKILL');
        else see(await everyProcess(marker, pid, 'SIGKILL'));
        open.delete(marker);
        return { ...usage };
      },
    };
  }

  return {
    kind: 'process-group',
    limits: groupLimits(),
    description: `a process group per job, with a sweep of its marked processes (${reason}): nothing a task starts outlives its job unless it clears its environment; memory limits are sampled, ${
      prlimitPath() ? 'CPU limits hold per process (prlimit)' : 'CPU limits do not hold (no prlimit)'
    }, process limits do not; usage is sampled`,
    enclose,
    shutdown() {
      for (const pidOf of open.values()) {
        const pid = pidOf();
        if (pid !== undefined) signalGroup(pid, 'SIGKILL');
      }
    },
  };
}
