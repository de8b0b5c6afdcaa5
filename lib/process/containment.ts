import {
  CGROUP_LIMITS,
  cgroupsWritable,
  createCgroupContainment,
  killRunsOfSpawner,
} from './cgroup-containment';
import { createGroupContainment, groupLimits, killMarkedOfSpawner } from './group-containment';
import type { JobUsage, LimitExceeded, LimitScopes, TaskLimits } from './task-limits';

/**
 * One run's enclosure: every process the task starts (`setsid`, double forks and `nohup` included)
 * stays in it, so all of them can be signalled, killed and measured together.
 */
export interface Enclosure {
  /** The program and environment to spawn: a marker variable, a wrapper that applies rlimits. */
  command(
    executable: string,
    args: string[],
    env: NodeJS.ProcessEnv,
  ): { executable: string; args: string[]; env: NodeJS.ProcessEnv };
  /** Runs the (synchronous) spawn so that the new process starts inside the enclosure. */
  spawnInside<T>(spawn: () => T): T;
  /** The task's first process runs (its pid): limits that are watched start being watched. */
  started(pid: number): void;
  /** Signals every process of the run. */
  signalAll(signal: NodeJS.Signals): Promise<void>;
  /** SIGKILL to every process of the run until none is left. */
  killAll(): Promise<void>;
  /** The limit the run went over, once it is known (a watched limit, or at close a memory kill). */
  exceeded(): LimitExceeded | undefined;
  /** After the run: what it used; the enclosure is removed. Never throws. */
  close(): Promise<JobUsage>;
}

export interface Containment {
  /** `cgroup`: a control group per job; `process-group`: process group, marker sweep and rlimits. */
  kind: 'cgroup' | 'process-group';
  limits: LimitScopes;
  /** One line for the stack's start: what contains a job here, and which limits hold how. */
  description: string;
  /** `onExceeded`: a watched limit was crossed while the run goes on (the run stops it). */
  enclose(limits: TaskLimits, onExceeded: (exceeded: LimitExceeded) => void): Enclosure;
  /** Ends every run still enclosed (the spawner is going away) and removes what it made. */
  shutdown(): void;
}

/**
 * `auto`: the strongest containment the process may use; `process-group`: the one without
 * privileges, whatever this process may do (CONTAINMENT=process-group: a host whose cgroups are
 * managed by something else, or a test of what AWS Lambda gets).
 */
export type ContainmentMode = 'auto' | 'process-group';

/**
 * The strongest containment this process may use: a control group per job where it can create
 * them (root, or a writable cgroup v1 hierarchy), else a process group with a sweep of the job's
 * marked processes and per-process rlimits. Probed once per process spawner.
 */
export function createContainment(mode: ContainmentMode = 'auto'): Containment {
  if (mode === 'process-group') return createGroupContainment('CONTAINMENT=process-group');
  const cgroups = createCgroupContainment();
  return cgroups.ok ? cgroups.containment : createGroupContainment(cgroups.reason);
}

/**
 * How the catalogue's limits hold on this machine, from a look that makes nothing (the HTTP API
 * answers it in GET /api/tasks; the process spawner probes for real and says so on each record).
 */
export function limitScopesHere(mode: ContainmentMode = 'auto'): LimitScopes {
  return mode !== 'process-group' && cgroupsWritable() ? CGROUP_LIMITS : groupLimits();
}

/** One line for the stack's start: how a job is contained here, and how its limits hold. */
export function describeContainment(mode: ContainmentMode = 'auto'): string {
  const held = limitScopesHere(mode);
  const how = (scope: string) =>
    scope === 'job' ? 'for the whole job' : scope === 'process' ? 'per process' : 'not held';
  const kind =
    held === CGROUP_LIMITS
      ? 'a control group per job (nothing a task starts outlives its job; usage of the whole job)'
      : 'a process group per job with a sweep of its marked processes (no cgroup rights here; usage sampled from the first process)';
  return `${kind}; limits: memory ${how(held.memoryMb)}, CPU ${how(held.cpuSeconds)}, processes ${how(held.processes)}`;
}

/**
 * Ends every process of the jobs a process spawner was running when it died (even by SIGKILL, when
 * it could not end them itself): those in its control groups, and those marked as its runs'.
 */
export async function endRunsOfSpawner(spawnerPid: number): Promise<void> {
  killRunsOfSpawner(spawnerPid);
  await killMarkedOfSpawner(spawnerPid);
}
