import type { JobRecord } from './job-record';
import type { JobStore } from './job-store';

/** When a waiting job should start and finish (ISO times): the 202 of a submit, a waiting job's view. */
export interface Eta {
  startAt: string;
  finishAt: string;
}

/** A task's run time when nothing of it has finished yet, nor any other task. */
const UNKNOWN_RUN_MS = 1000;

export interface EtaFacts {
  now: number;
  /** The slots (the consumer's concurrency). */
  slots: number;
  /** The jobs running now: their task and when they started. */
  running: Array<Pick<JobRecord, 'task' | 'startedAt'>>;
  /** How many queued jobs start before this one. */
  ahead: number;
  /** The typical run time (ms) of a task; of a job whose task is not known, without one. */
  runMs(task?: string): number;
  task: string;
  /** A delayed job: not before this time (ms). */
  notBeforeMs?: number;
}

/**
 * The estimate itself, as the slots would serve the queue: each slot is free once its running job
 * has run its task's typical time (now at the earliest); each job ahead takes the slot that frees
 * first, for a typical job's time; this job starts when a slot frees after them, and finishes its
 * task's typical time later. The queue is taken in order (SQS standard queues are about FIFO).
 */
export function estimateEta(facts: EtaFacts): { startAtMs: number; finishAtMs: number } {
  const { now, slots } = facts;
  const free = facts.running.map((job) => {
    const started = job.startedAt ? Date.parse(job.startedAt) : now;
    return Math.max(now, started + facts.runMs(job.task));
  });
  while (free.length < slots) free.push(now);
  free.sort((a, b) => a - b);
  free.length = Math.max(1, slots);
  const each = facts.runMs();
  for (let i = 0; i < facts.ahead; i += 1) {
    // The earliest slot takes the next job (the slots are few: a scan is a heap's work here).
    let first = 0;
    for (let s = 1; s < free.length; s += 1) if (free[s]! < free[first]!) first = s;
    free[first] = free[first]! + each;
  }
  const startAtMs = Math.max(facts.notBeforeMs ?? now, Math.min(...free));
  return { startAtMs, finishAtMs: startAtMs + facts.runMs(facts.task) };
}

/** How long the queue's mix by task is reused: a read of every queued job's task, not per submit. */
const MIX_TTL_MS = 2000;
interface Mix {
  readAt: number;
  /** The queued jobs by task, as read. */
  read: Promise<Record<string, number>>;
  /** The jobs this process submitted since, by task: queued after the read. */
  since: Record<string, number>;
}
const mixes = new WeakMap<object, Mix>();

/**
 * The queue's mix by task: read at most every MIX_TTL_MS per store (a burst of submits shares one
 * read), with the jobs this process submitted since added to it.
 */
function queueMix(store: Pick<JobStore, 'queuedByTask'>, now: number): Mix {
  const cached = mixes.get(store);
  if (cached && now - cached.readAt < MIX_TTL_MS) return cached;
  const fresh: Mix = { readAt: now, read: store.queuedByTask().catch(() => ({})), since: {} };
  mixes.set(store, fresh);
  return fresh;
}

type EtaStore = Pick<
  JobStore,
  'list' | 'countQueuedBefore' | 'finishedTotals' | 'countByStatus' | 'queuedByTask'
>;

/**
 * The ETA of a waiting job from what the store knows: the running jobs, the queued jobs before it,
 * each task's mean run time over every finished job (all-time totals: one read), and the queue's
 * mix by task (a job ahead takes the mix's mean time). `ahead`, when given, is the jobs before it
 * already known (a submit: every queued job is).
 */
export async function etaOf(
  { store, slots }: { store: EtaStore; slots: number },
  job: Pick<JobRecord, 'id' | 'task' | 'status' | 'runAt'>,
  { ahead, now = Date.now() }: { ahead?: number; now?: number } = {},
): Promise<Eta> {
  const mix = queueMix(store, now);
  const [running, before, totals, read] = await Promise.all([
    store.list({ status: 'running', limit: Math.max(slots, 10) }),
    ahead ??
      (job.status === 'queued'
        ? store.countQueuedBefore(job.id)
        : store.countByStatus().then((counts) => counts.queued)),
    store.finishedTotals(),
    mix.read,
  ]);
  const overall = totals.runMs.count > 0 ? totals.runMs.sumMs / totals.runMs.count : UNKNOWN_RUN_MS;
  const meanOf = (task: string) => {
    const own = totals.runMsByTask[task];
    return own && own.count > 0 ? own.sumMs / own.count : overall;
  };
  // The jobs ahead take the mix's mean: the queue as read and what this process submitted since;
  // others queued since (by other processes) are taken to be of this job's task.
  const queued = [...Object.entries(read), ...Object.entries(mix.since)];
  const known = queued.reduce((sum, [, n]) => sum + n, 0);
  const unknown = Math.max(0, before - known);
  const count = known + unknown;
  const mixMean =
    count > 0
      ? (queued.reduce((sum, [task, n]) => sum + n * meanOf(task), 0) + unknown * meanOf(job.task)) / count
      : overall;
  // A submit's job is queued after this: it is in the mix of the submits that follow.
  if (ahead !== undefined) mix.since[job.task] = (mix.since[job.task] ?? 0) + 1;
  const { startAtMs, finishAtMs } = estimateEta({
    now,
    slots,
    running: running.jobs,
    ahead: before,
    runMs: (task) => (task === undefined ? mixMean : meanOf(task)),
    task: job.task,
    notBeforeMs: job.runAt ? Date.parse(job.runAt) : undefined,
  });
  return { startAt: new Date(startAtMs).toISOString(), finishAt: new Date(finishAtMs).toISOString() };
}
