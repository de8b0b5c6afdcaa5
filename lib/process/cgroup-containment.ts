import {
  accessSync,
  constants,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Containment, Enclosure } from './containment';
import { openForkEvents } from './fork-events';
import type { ProcessTree } from './fork-events';
import { signalProcess } from './signals';
import { limitMessage, MB } from './task-limits';
import type { JobUsage, LimitExceeded, TaskLimits } from './task-limits';

/** The cgroup v1 controllers a job's group is made in: its memory, its processes, its CPU time. */
const CONTROLLERS = ['memory', 'pids', 'cpuacct'] as const;
type Controller = (typeof CONTROLLERS)[number];

/** How often a running job's CPU time (against its limit) and process count are read. */
const WATCH_MS = 200;

const PREFIX = 'spawn-queue-spawner-';

/**
 * Where this process sits in each controller's hierarchy, as a directory: the mount point (from
 * /proc/self/mountinfo, `cpu,cpuacct` co-mounts included) joined with the process's path in it (from
 * /proc/self/cgroup). Undefined for a controller with no v1 hierarchy.
 */
function ownDirectories(): Record<Controller, string | undefined> {
  const own = new Map<string, string>();
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n')) {
    const [, controllers = '', cgroupPath = '/'] = line.split(':');
    for (const name of controllers.split(',')) if (name) own.set(name, cgroupPath);
  }
  const mounts = new Map<string, { mountPoint: string; root: string }>();
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').trim().split('\n')) {
    const [before, after = ''] = line.split(' - ');
    const fields = before!.split(' ');
    const [fsType, , superOptions = ''] = after.split(' ');
    if (fsType !== 'cgroup') continue;
    for (const option of superOptions.split(','))
      mounts.set(option, { root: fields[3]!, mountPoint: fields[4]! });
  }
  const dirs = {} as Record<Controller, string | undefined>;
  for (const controller of CONTROLLERS) {
    const mount = mounts.get(controller);
    const cgroupPath = own.get(controller);
    if (!mount || cgroupPath === undefined) {
      dirs[controller] = undefined;
      continue;
    }
    const relative =
      mount.root !== '/' && cgroupPath.startsWith(mount.root)
        ? cgroupPath.slice(mount.root.length)
        : cgroupPath;
    dirs[controller] = path.join(mount.mountPoint, relative);
  }
  return dirs;
}

const readNumber = (file: string): number | undefined => {
  try {
    const value = Number(readFileSync(file, 'utf8').trim());
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
};

/** The pids of a group (cgroup.procs). */
function processesIn(dir: string): number[] {
  try {
    return readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * One pass over a job's pids group: no new process may start (pids.max 0) and every process in it
 * gets SIGKILL. Returns how many there were (0: the group is empty, or gone).
 */
function killAllIn(pidsDir: string): number {
  try {
    writeFileSync(path.join(pidsDir, 'pids.max'), '0');
  } catch {
    // removed already
  }
  const pids = processesIn(pidsDir);
  for (const pid of pids) signalProcess(pid, 'SIGKILL');
  return pids.length;
}

/** The run groups under a spawner's group (in one controller's hierarchy). */
function runGroupsOf(spawnerDir: string): string[] {
  return readdirSync(spawnerDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(spawnerDir, entry.name));
}

/** Removes a group once its last process is gone (rmdir of a group with processes fails: EBUSY). */
async function removeGroup(dir: string): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    try {
      rmdirSync(dir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      await sleep(10);
    }
  }
}

/** Ends what an earlier spawner (killed with SIGKILL) left: its groups' processes, then the groups. */
async function removeLeftovers(parents: string[]): Promise<void> {
  for (const parent of parents) {
    let entries: string[];
    try {
      entries = readdirSync(parent).filter((name) => name.startsWith(PREFIX));
    } catch {
      continue;
    }
    for (const name of entries) {
      const pid = Number(name.slice(PREFIX.length));
      let alive = true;
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
      if (alive || pid === process.pid) continue;
      const spawnerDir = path.join(parent, name);
      for (const dir of runGroupsOf(spawnerDir)) {
        killAllIn(dir);
        await removeGroup(dir);
      }
      await removeGroup(spawnerDir);
    }
  }
}

/** Whether this process could make a job's groups (a look only: nothing is made or moved). */
export function cgroupsWritable(): boolean {
  try {
    const dirs = ownDirectories();
    return CONTROLLERS.every((c) => {
      const dir = dirs[c];
      if (!dir) return false;
      accessSync(dir, constants.W_OK);
      return true;
    });
  } catch {
    return false;
  }
}

/**
 * Kills every process of the groups a spawner made (the spawner is gone: it was killed and could
 * not end its jobs). Its groups are under this process's own, where a spawner it started makes them.
 */
export function killRunsOfSpawner(spawnerPid: number): number {
  try {
    const pidsDir = ownDirectories().pids;
    if (!pidsDir) return 0;
    return runGroupsOf(path.join(pidsDir, `${PREFIX}${spawnerPid}`)).reduce(
      (n, dir) => n + killAllIn(dir),
      0,
    );
  } catch {
    return 0; // no groups of that spawner here
  }
}

/** How limits hold with a cgroup per job. */
export const CGROUP_LIMITS = { memoryMb: 'job', cpuSeconds: 'job', processes: 'job' } as const;

/**
 * A cgroup (v1) per job, made under the spawner's own group in the memory, pids and cpuacct
 * hierarchies. The task is born in it: the spawner moves the thread that forks into the job's groups
 * for the synchronous spawn and back at once (Node cannot spawn into a cgroup, and a pid written to
 * the group after the spawn would leave the children it forked first outside). Every process the
 * task starts is then in the group, whatever it does (setsid, double fork), and:
 * - the whole job is killed (the group's pids.max is set to 0, so nothing forks meanwhile, and every
 *   process in it is sent SIGKILL until none is left);
 * - `memoryMb` is the group's memory.limit_in_bytes (the kernel's OOM killer ends the job, inside it
 *   only); `processes` its pids.max; `cpuSeconds` is watched on cpuacct.usage;
 * - usage is read from the group: cpuacct.usage, memory.max_usage_in_bytes, cgroup.procs.
 * Needs root (or a writable hierarchy); anything else, and the spawner uses the process-group
 * containment instead.
 */
export function createCgroupContainment():
  { ok: true; containment: Containment } | { ok: false; reason: string } {
  let dirs: Record<Controller, string | undefined>;
  try {
    dirs = ownDirectories();
  } catch (error) {
    return { ok: false, reason: `no cgroup information (${(error as Error).message})` };
  }
  const missing = CONTROLLERS.filter((c) => !dirs[c]);
  if (missing.length > 0) return { ok: false, reason: `no cgroup v1 ${missing.join(', ')} hierarchy` };
  const own = dirs as Record<Controller, string>;
  const spawnerDirs = Object.fromEntries(
    CONTROLLERS.map((c) => [c, path.join(own[c], `${PREFIX}${process.pid}`)]),
  ) as Record<Controller, string>;
  try {
    for (const c of CONTROLLERS) mkdirSync(spawnerDirs[c], { recursive: true });
    // The move this containment makes for every spawn, tried once: into the spawner's group and back.
    for (const c of CONTROLLERS) writeFileSync(path.join(spawnerDirs[c], 'tasks'), String(process.pid));
    for (const c of CONTROLLERS) writeFileSync(path.join(own[c], 'tasks'), String(process.pid));
  } catch (error) {
    for (const c of CONTROLLERS) {
      try {
        writeFileSync(path.join(own[c], 'tasks'), String(process.pid));
        rmdirSync(spawnerDirs[c]);
      } catch {
        // not made, or not ours
      }
    }
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return {
      ok: false,
      reason: `cannot make control groups here (${code}: needs root or a writable cgroup v1 hierarchy)`,
    };
  }
  void removeLeftovers(CONTROLLERS.map((c) => own[c]));
  // The processes a job starts, counted from the kernel's fork events where this root may listen.
  const forks = openForkEvents();

  let nextRun = 0;
  const open = new Set<Record<Controller, string>>();

  /** Passes of {@link killAllIn} until the group is empty (a killed process leaves it a moment later). */
  async function killGroup(groups: Record<Controller, string>): Promise<void> {
    for (let i = 0; i < 200 && killAllIn(groups.pids) > 0; i += 1) await sleep(5);
  }

  function enclose(limits: TaskLimits, onExceeded: (exceeded: LimitExceeded) => void): Enclosure {
    nextRun += 1;
    const groups = Object.fromEntries(
      CONTROLLERS.map((c) => [c, path.join(spawnerDirs[c], `run-${nextRun}`)]),
    ) as Record<Controller, string>;
    for (const c of CONTROLLERS) mkdirSync(groups[c]);
    open.add(groups);
    if (limits.memoryMb !== undefined) {
      const bytes = String(limits.memoryMb * MB);
      writeFileSync(path.join(groups.memory, 'memory.limit_in_bytes'), bytes);
      try {
        // Where swap is accounted, it counts too: a job cannot swap its way past its limit.
        writeFileSync(path.join(groups.memory, 'memory.memsw.limit_in_bytes'), bytes);
      } catch {
        // no swap accounting: memory.limit_in_bytes is the whole bound
      }
    }
    // The spawning thread is counted in the group for the instant of the fork: one more until then.
    if (limits.processes !== undefined) {
      writeFileSync(path.join(groups.pids, 'pids.max'), String(limits.processes + 1));
    }
    let exceeded: LimitExceeded | undefined;
    let watch: NodeJS.Timeout | undefined;
    const cpuMs = () => (readNumber(path.join(groups.cpuacct, 'cpuacct.usage')) ?? 0) / 1e6;
    // The processes the job started: counted from the fork events (its tree), else as seen in its
    // group at its start and every WATCH_MS (the kernel counts no forks per group: one shorter than a
    // watch may be missed).
    let tree: ProcessTree | undefined;
    const started = new Set<number>();
    const seeProcesses = () => {
      for (const pid of processesIn(groups.pids)) started.add(pid);
    };

    return {
      command: (executable, args, env) => ({ executable, args, env }),
      spawnInside(spawn) {
        for (const c of CONTROLLERS) writeFileSync(path.join(groups[c], 'tasks'), String(process.pid));
        try {
          return spawn();
        } finally {
          for (const c of CONTROLLERS) writeFileSync(path.join(own[c], 'tasks'), String(process.pid));
          if (limits.processes !== undefined) {
            writeFileSync(path.join(groups.pids, 'pids.max'), String(limits.processes));
          }
        }
      },
      started(pid) {
        if (forks.ok) tree = forks.events.track(pid);
        started.add(pid);
        seeProcesses();
        const budgetMs = limits.cpuSeconds === undefined ? Infinity : limits.cpuSeconds * 1000;
        watch = setInterval(() => {
          seeProcesses();
          const used = cpuMs();
          if (used <= budgetMs || exceeded) return;
          exceeded = { limit: 'cpu', message: limitMessage('cpu', limits, { cpuMs: used }) };
          onExceeded(exceeded);
        }, WATCH_MS);
        watch.unref();
      },
      async signalAll(sig) {
        for (const pid of processesIn(groups.pids)) signalProcess(pid, sig);
      },
      killAll() {
        seeProcesses();
        return killGroup(groups);
      },
      exceeded: () => exceeded,
      async close() {
        clearInterval(watch);
        seeProcesses();
        await killGroup(groups);
        const peakMemoryBytes = readNumber(path.join(groups.memory, 'memory.max_usage_in_bytes')) ?? 0;
        const oomKills = /oom_kill (\d+)/.exec(readOr(path.join(groups.memory, 'memory.oom_control')))?.[1];
        const counted = tree?.stop();
        const usage: JobUsage = {
          cpuMs: Math.round(cpuMs()),
          peakMemoryBytes,
          // Counted, unless the kernel dropped events: then the larger of that floor and the samples.
          processes: counted?.complete
            ? counted.processes
            : Math.max(1, started.size, counted?.processes ?? 0),
          scope: 'job',
        };
        if (!exceeded && limits.memoryMb !== undefined && Number(oomKills ?? 0) > 0) {
          exceeded = { limit: 'memory', message: limitMessage('memory', limits, usage) };
        }
        await Promise.all(CONTROLLERS.map((c) => removeGroup(groups[c])));
        open.delete(groups);
        return usage;
      },
    };
  }

  return {
    ok: true,
    containment: {
      kind: 'cgroup',
      limits: CGROUP_LIMITS,
      description: `a control group per job (cgroup v1 memory, pids, cpuacct): nothing a task starts outlives its job; memory, CPU and process limits hold for the whole job; usage is the whole job’s; ${
        forks.ok
          ? 'the processes a job started are counted from the kernel’s fork events'
          : `the processes a job started are sampled every ${WATCH_MS} ms (${forks.reason})`
      }`,
      enclose,
      shutdown() {
        if (forks.ok) forks.events.close();
        for (const groups of open) {
          for (const pid of processesIn(groups.pids)) signalProcess(pid, 'SIGKILL');
        }
        for (const c of CONTROLLERS) {
          try {
            rmdirSync(spawnerDirs[c]);
          } catch {
            // a run's group is still there: the next spawner removes it (removeLeftovers)
          }
        }
      },
    },
  };
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
