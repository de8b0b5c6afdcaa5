/** Limits a catalogue entry may set on its jobs, and what a job used. */

/**
 * What a catalogue entry may bound (`limits` in config/tasks.json): the job's memory in MB, its CPU
 * time in seconds, the processes it may have at once. Absent: unbounded (the timeout still holds).
 */
export interface TaskLimits {
  memoryMb?: number;
  cpuSeconds?: number;
  processes?: number;
}

/** `job`: the figure (or limit) covers every process of the job; `process`: each process alone. */
export type Scope = 'job' | 'process';

/**
 * What a job used, on its record: the CPU time of all its processes (user + system), its peak
 * memory (of the whole job where a cgroup measures it, else of its largest process), and the
 * processes it started, as seen (its first, and every one alive when its group was read: one that
 * lived shorter than a read's interval may be missed; the kernel keeps no count of a group's forks).
 */
export interface JobUsage {
  cpuMs: number;
  peakMemoryBytes: number;
  processes: number;
  scope: Scope;
}

export type LimitName = 'memory' | 'cpu' | 'processes';

/** A limit the job went over, and what the record says of it. */
export interface LimitExceeded {
  limit: LimitName;
  message: string;
}

/**
 * How each limit holds where the tasks run: for the whole job (a cgroup), per process (an rlimit),
 * `sampled` (the job's processes are read every 250 ms and the job stopped over it: a spike between
 * two readings can pass), or not at all.
 */
export type LimitScopes = Record<keyof TaskLimits, Scope | 'sampled' | 'none'>;

export const MB = 1024 * 1024;

export function limitMessage(limit: LimitName, limits: TaskLimits, usage?: Partial<JobUsage>): string {
  if (limit === 'memory') {
    const peak = usage?.peakMemoryBytes ? `; peak ${Math.round(usage.peakMemoryBytes / MB)} MB` : '';
    return `memory limit exceeded: the job needed more than its ${limits.memoryMb} MB (limits.memoryMb)${peak}`;
  }
  if (limit === 'cpu') {
    const used = usage?.cpuMs ? ` after ${(usage.cpuMs / 1000).toFixed(1)} s of CPU` : '';
    return `CPU limit exceeded: stopped${used}, over its ${limits.cpuSeconds} s (limits.cpuSeconds)`;
  }
  return `process limit reached: at most ${limits.processes} processes at once (limits.processes)`;
}

/** The largest figures a catalogue entry may ask for: beyond them a limit bounds nothing. */
const LIMIT_RANGES: Record<keyof TaskLimits, [number, number]> = {
  memoryMb: [8, 1_048_576],
  cpuSeconds: [1, 3600],
  processes: [1, 100_000],
};

export class TaskLimitsError extends Error {
  override name = 'TaskLimitsError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** Reads a catalogue entry's `limits`: absent is none; each given figure an integer in its range. */
export function parseTaskLimits(raw: unknown): TaskLimits {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new TaskLimitsError('must be an object such as { "memoryMb": 64 }', 'limits');
  }
  const limits: TaskLimits = {};
  for (const [name, value] of Object.entries(raw)) {
    const range = LIMIT_RANGES[name as keyof TaskLimits];
    if (!range) {
      throw new TaskLimitsError(
        `"${name}" is not a limit (memoryMb, cpuSeconds, processes)`,
        `limits.${name}`,
      );
    }
    if (!Number.isInteger(value) || (value as number) < range[0] || (value as number) > range[1]) {
      throw new TaskLimitsError(`must be an integer from ${range[0]} to ${range[1]}`, `limits.${name}`);
    }
    limits[name as keyof TaskLimits] = value as number;
  }
  return limits;
}
