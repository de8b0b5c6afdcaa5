import type { JobRecord } from './job-record';
import type { FinishedTotals } from './job-statistics';
import type { JobStore } from './job-store';
import type { KeyLoad } from './concurrency-keys';
import { sharedRead } from './shared-read';
import type { SharedRead } from './shared-read';

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
 * How long one read of the ETA's inputs serves (per process and store): a burst of submits shares
 * one read of the running jobs, the totals, the queued count and the queue's mix by task, instead of
 * four reads each on the API's one event loop.
 */
const SNAPSHOT_TTL_MS = 500;

interface EtaInputs {
  running: Array<Pick<JobRecord, 'task' | 'startedAt'>>;
  totals: FinishedTotals;
  queued: number;
  mix: Record<string, number>;
  /** The queued jobs by concurrency key (the fair share serves keys in turn). */
  load: KeyLoad[];
}

/** The jobs this process submitted since the read: queued after it, by task and by key ('' for none). */
interface Submitted {
  byTask: Record<string, number>;
  byKey: Record<string, number>;
}

type EtaStore = Pick<
  JobStore,
  'list' | 'countQueuedBefore' | 'finishedTotals' | 'countByStatus' | 'queuedByTask' | 'keyLoad'
>;

const readers = new WeakMap<object, ReturnType<typeof sharedRead<EtaInputs, Submitted>>>();

/** The ETA's inputs as this process last read them from the store (see SNAPSHOT_TTL_MS). */
function snapshotOf(store: EtaStore, slots: number, now: number): SharedRead<EtaInputs, Submitted> {
  let reader = readers.get(store);
  if (!reader) {
    const read = () =>
      Promise.all([
        store.list({ status: 'running', limit: Math.max(slots, 10) }),
        store.finishedTotals(),
        store.countByStatus(),
        store.queuedByTask().catch(() => ({})),
        store.keyLoad().catch(() => []),
      ]).then(([running, totals, counts, mix, load]) => ({
        running: running.jobs,
        totals,
        queued: counts.queued,
        mix,
        load,
      }));
    reader = sharedRead(read, SNAPSHOT_TTL_MS, () => ({ byTask: {}, byKey: {} }));
    readers.set(store, reader);
  }
  return reader.at(now);
}

/**
 * The ETA of a waiting job from what the store knows: the running jobs, the queued jobs before it,
 * each task's mean run time over every finished job (all-time totals), and the queue's mix by task
 * (a job ahead takes the mix's mean time), read at most every SNAPSHOT_TTL_MS. `submitting`: a job
 * about to be queued, behind every queued job (the count as read and the submits since); otherwise a
 * queued job's own place is counted (`countQueuedBefore`).
 */
export async function etaOf(
  { store, slots }: { store: EtaStore; slots: number },
  job: Pick<JobRecord, 'id' | 'task' | 'status' | 'runAt' | 'concurrencyKey'>,
  {
    submitting = false,
    now = Date.now(),
    perKey,
  }: { submitting?: boolean; now?: number; perKey?: number } = {},
): Promise<Eta> {
  const snapshot = snapshotOf(store, slots, now);
  const submitted = snapshot.since;
  const sinceCount = () => Object.values(submitted.byTask).reduce((sum, n) => sum + n, 0);
  const key = job.concurrencyKey;
  const queuedJob = !submitting && job.status === 'queued';
  const [{ running, totals, queued: queuedAtRead, mix, load }, place, keyPlace] = await Promise.all([
    snapshot.value,
    queuedJob ? store.countQueuedBefore(job.id) : undefined,
    queuedJob && key !== undefined ? store.countQueuedBefore(job.id, key) : undefined,
  ]);
  const fifo = job.runAt ? 0 : (place ?? queuedAtRead + sinceCount());
  // The jobs of its own key ahead of it, as read (and submitted here since).
  const ownAhead = job.runAt
    ? 0
    : (keyPlace ??
      Math.min(fifo, waitingOf(load, key ?? null) + (submitting ? (submitted.byKey[key ?? ''] ?? 0) : 0)));
  // The keys as read, and the jobs this process submitted since, by key.
  const since = Object.entries(submitted.byKey).map(([k, n]) => ({
    key: k === '' ? null : k,
    task: job.task,
    running: 0,
    waiting: n,
  }));
  const before = aheadInTurn([...load, ...since], key ?? null, ownAhead, fifo);
  const overall = totals.runMs.count > 0 ? totals.runMs.sumMs / totals.runMs.count : UNKNOWN_RUN_MS;
  const meanOf = (task: string) => {
    const own = totals.runMsByTask[task];
    return own && own.count > 0 ? own.sumMs / own.count : overall;
  };
  // The jobs ahead take the mix's mean: the queue as read and what this process submitted since;
  // others queued since (by other processes) are taken to be of this job's task.
  const queued = [...Object.entries(mix), ...Object.entries(submitted.byTask)];
  const known = queued.reduce((sum, [, n]) => sum + n, 0);
  const unknown = Math.max(0, before - known);
  const count = known + unknown;
  const mixMean =
    count > 0
      ? (queued.reduce((sum, [task, n]) => sum + n * meanOf(task), 0) + unknown * meanOf(job.task)) / count
      : overall;
  // A submitted job is queued after this: it is ahead of the submits that follow.
  if (submitting) {
    submitted.byTask[job.task] = (submitted.byTask[job.task] ?? 0) + 1;
    submitted.byKey[key ?? ''] = (submitted.byKey[key ?? ''] ?? 0) + 1;
  }
  const estimate = estimateEta({
    now,
    slots,
    running,
    ahead: before,
    runMs: (task) => (task === undefined ? mixMean : meanOf(task)),
    task: job.task,
    notBeforeMs: job.runAt ? Date.parse(job.runAt) : undefined,
  });
  // Its task's perKey: its key's jobs ahead run perKey at a time, whatever slots are free.
  const own = meanOf(job.task);
  const startAtMs =
    perKey !== undefined && key !== undefined
      ? Math.max(estimate.startAtMs, now + Math.floor(ownAhead / perKey) * own)
      : estimate.startAtMs;
  const finishAtMs = startAtMs + own;
  return { startAt: new Date(startAtMs).toISOString(), finishAt: new Date(finishAtMs).toISOString() };
}

/** The waiting jobs of one key (null: the jobs without one). */
function waitingOf(load: readonly KeyLoad[], key: string | null): number {
  return load.filter((row) => row.key === key).reduce((sum, row) => sum + row.waiting, 0);
}

/**
 * The jobs that start before one with `ownAhead` jobs of its own key ahead, as the fair share
 * serves the keys in turn: its own, and of each other key at most one more than its own (the
 * queue's order, `fifo`, when no other key waits).
 */
export function aheadInTurn(
  load: readonly KeyLoad[],
  key: string | null,
  ownAhead: number,
  fifo: number,
): number {
  const others = new Map<string | null, number>();
  for (const row of load) if (row.key !== key) others.set(row.key, (others.get(row.key) ?? 0) + row.waiting);
  const otherWaiting = [...others.values()].filter((n) => n > 0);
  if (otherWaiting.length === 0) return fifo;
  return ownAhead + otherWaiting.reduce((sum, n) => sum + Math.min(n, ownAhead + 1), 0);
}
