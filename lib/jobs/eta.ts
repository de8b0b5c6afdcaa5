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

/**
 * The ETA of a waiting job from what the store knows: the running jobs, the queued jobs before it,
 * and each task's mean run time over every finished job (all-time totals: one read). `ahead`, when
 * given, is the jobs before it already known (a submit: every queued job is).
 */
export async function etaOf(
  {
    store,
    slots,
  }: {
    store: Pick<JobStore, 'list' | 'countQueuedBefore' | 'finishedTotals' | 'countByStatus'>;
    slots: number;
  },
  job: Pick<JobRecord, 'id' | 'task' | 'status' | 'runAt'>,
  { ahead, now = Date.now() }: { ahead?: number; now?: number } = {},
): Promise<Eta> {
  const [running, before, totals] = await Promise.all([
    store.list({ status: 'running', limit: Math.max(slots, 10) }),
    ahead ??
      (job.status === 'queued'
        ? store.countQueuedBefore(job.id)
        : store.countByStatus().then((c) => c.queued)),
    store.finishedTotals(),
  ]);
  const overall = totals.runMs.count > 0 ? totals.runMs.sumMs / totals.runMs.count : UNKNOWN_RUN_MS;
  const runMs = (task?: string) => {
    const own = task === undefined ? undefined : totals.runMsByTask[task];
    return own && own.count > 0 ? own.sumMs / own.count : overall;
  };
  const { startAtMs, finishAtMs } = estimateEta({
    now,
    slots,
    running: running.jobs,
    ahead: before,
    runMs,
    task: job.task,
    notBeforeMs: job.runAt ? Date.parse(job.runAt) : undefined,
  });
  return { startAt: new Date(startAtMs).toISOString(), finishAt: new Date(finishAtMs).toISOString() };
}
