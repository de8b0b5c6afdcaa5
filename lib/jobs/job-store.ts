import type { CallbackState, JobRecord, JobStatus } from './job-record';
import type { OutputChunk, OutputStream } from '../process/run-process';
import type { FinishedTotals, Histogram } from './job-statistics';
import type { KeyLoad, SlotHolder } from './concurrency-keys';

/**
 * The job store: the one place job state lives, shared by every function (the HTTP handlers, the
 * consumer, the stats). Its rules live once (job-store-rules.ts) over a narrow backend port
 * (store-backend.ts) with two adapters: one SQLite database file (`npm start`, tests) and a DynamoDB
 * table (deployed stacks). Both pass the same contract suite, which races two store instances on one
 * backing store, as two processes do.
 *
 * What is atomic, whatever the backend:
 * - `create` with an Idempotency-Key: create-if-absent on the key, so two submits make one job.
 * - `transition`: compare-and-set on the status and the attempt; the state machine (job-record.ts)
 *   is checked against the status it replaces, and a fenced write (`attempt`) fails once another
 *   runner owns the job.
 * - `claim`: create-if-absent on (job, attempt), so exactly one caller runs or cancels an attempt.
 * Everything else (counts, finished-job statistics, the peak) is a statistic: eventually right.
 */
export interface TransitionOptions {
  /** The record as the caller holds it (see {@link JobStore.transition}). */
  from?: JobRecord;
  /**
   * The fence: the attempt the caller owns. The change is made only while the stored job is still
   * at this attempt; otherwise StaleAttemptError (a runner whose lease was taken over can no longer
   * write).
   */
  attempt?: number;
}

/** What one pass of {@link JobStore.settleCounts} did. */
export interface CountsSettled {
  /** Owed changes added to the counts here (none was counted twice: the rest had been counted). */
  counted: number;
  /** Owed changes found and settled (counted here or before). */
  settled: number;
}

export interface JobStore {
  create(
    record: JobRecord,
    options?: { idempotencyKey?: string },
  ): Promise<{ job: JobRecord; created: boolean }>;
  get(id: string): Promise<JobRecord | undefined>;
  /**
   * Changes a job's state; throws InvalidTransitionError when the state machine forbids it.
   * `from`: the record as the caller holds it, when only the caller can have changed it since (the
   * runner holding the job's claim): the store checks the state machine against it and builds the
   * new record from it instead of reading the stored one first.
   */
  transition(
    id: string,
    to: JobStatus,
    patch?: Partial<JobRecord>,
    options?: TransitionOptions,
  ): Promise<JobRecord>;
  /**
   * Changes a final job's completion callback (queued for delivery, delivered, failed) as a
   * compare-and-set: `change` gets the callback as stored and answers the new one, or undefined to
   * leave it; it runs again on the newer callback when another writer got there first. The job must
   * still have `expected`'s status and attempts (a job queued again meanwhile is left alone).
   * Answers the callback written, or undefined when nothing was.
   */
  setCallback(
    id: string,
    change: (current: CallbackState) => CallbackState | undefined,
    expected: Pick<JobRecord, 'status' | 'attempts'>,
  ): Promise<CallbackState | undefined>;
  /** Removes a job that never reached the queue (used when the enqueue fails), and its key. */
  remove(id: string, options?: { idempotencyKey?: string }): Promise<void>;
  /** Newest first; a page costs `limit` records, however many jobs there are. */
  list(query?: ListQuery): Promise<JobPage>;
  countByStatus(): Promise<Record<JobStatus, number>>;
  /**
   * Removes up to `limit` jobs that finished before `before` (ISO time) and all that belongs to
   * them; their statistics stay counted. DynamoDB's TTL does this itself (it answers 0).
   */
  pruneFinished(before: string, limit: number): Promise<number>;
  /**
   * Every final job whose completion callback is still pending (not delivered, not given up), a
   * page at a time: what a fresh local queue, which lost its messages, must be told of again.
   */
  pendingCallbacks(): AsyncIterable<JobRecord>;
  /** Queued jobs waiting for the next attempt of a retry (they carry `nextAttemptAt`). */
  countRetrying(): Promise<number>;
  /**
   * Queued jobs submitted before job `id` (ids order by creation): the jobs ahead of it (its ETA);
   * with `concurrencyKey`, only that key's.
   */
  countQueuedBefore(id: string, concurrencyKey?: string): Promise<number>;
  /**
   * The oldest queued job of a task and key that is due (not waiting out a retry's pause): the next
   * whose turn it is when one of the key's slots frees.
   */
  nextOfKey(task: string, concurrencyKey: string): Promise<JobRecord | undefined>;
  /** The live jobs by concurrency key and task (bounded by MAX_QUEUED_JOBS and the slots). */
  keyLoad(): Promise<KeyLoad[]>;
  /** The key slots of a scope that are held, by index (concurrency-keys.ts). */
  keySlots(scope: string): Promise<Array<{ index: number; holder: SlotHolder }>>;
  /**
   * Compare-and-set of one key slot: sets its holder to `next` (null: frees it) while it is still
   * held by `expected` (null: while it is free); false when it is not.
   */
  setKeySlot(
    scope: string,
    index: number,
    next: SlotHolder | null,
    expected: SlotHolder | null,
  ): Promise<boolean>;
  /** The queued jobs by task (the mix of the queue, for the ETA): bounded by MAX_QUEUED_JOBS. */
  queuedByTask(): Promise<Record<string, number>>;
  /** Claims attempt `attempt` of a job; true for exactly one caller. */
  claim(id: string, attempt: number, claim: Claim): Promise<boolean>;
  readClaim(id: string, attempt: number): Promise<Claim | undefined>;
  /** Changes a claim held by the caller (e.g. ends its lease after a failed attempt). */
  updateClaim(id: string, attempt: number, patch: Partial<Claim>): Promise<void>;
  /**
   * Asks the runner of the job's attempt `attempt` to stop it; the request goes when the job ends.
   * It is that attempt's alone: a request that lands after the attempt ended never stops a later one.
   */
  requestCancel(id: string, attempt: number): Promise<void>;
  /** Whether a cancel was asked for this attempt of the job. */
  isCancelRequested(id: string, attempt: number): Promise<boolean>;
  /**
   * Keeps a piece of a running attempt's output (written again, the same piece changes nothing). The
   * pieces go when the job ends: its record then holds the whole output.
   */
  appendOutput(id: string, attempt: number, chunk: OutputChunk): Promise<void>;
  /** The pieces of an attempt's stream that end past byte `fromOffset`, in order. */
  readOutput(id: string, attempt: number, stream: OutputStream, fromOffset: number): Promise<OutputChunk[]>;
  /** Every finished job since the store was made: per task and status, wait and run histograms. */
  finishedTotals(): Promise<FinishedTotals>;
  /** Finished jobs aggregated per minute, for the minutes that overlap [fromMs, toMs], oldest first. */
  finishedByMinute(fromMs: number, toMs?: number): Promise<FinishedMinute[]>;
  /**
   * Counts the changes of the final counts that a failure left owing (a store whose counters are not
   * written in the change's own transaction: DynamoDB), each once; the reconciler calls it every
   * minute. A store that counts in the transaction owes nothing and answers zeros.
   */
  settleCounts(): Promise<CountsSettled>;
  /**
   * Calls `listener` with the id of every job that reaches a final state, whichever process finished
   * it, until the returned function is called. Best effort (an adapter may never call it): a waiter
   * still re-reads now and then.
   */
  onFinished(listener: (id: string) => void): () => void;
  /** Proves the store answers (health): a cheap read, never a write (anyone may call health). */
  probe(): Promise<void>;
  readMeta<T>(name: string): Promise<T | undefined>;
  writeMeta(name: string, value: unknown): Promise<void>;
  /** Releases what the adapter holds open (watches, sockets). */
  close(): Promise<void>;
}

export interface Claim {
  owner: string;
  kind: 'run' | 'cancel';
  claimedAt: string;
  /** After this time a run claim is presumed dead (its worker crashed) and may be taken over. */
  leaseUntil: string;
  /** Given back before its attempt started (its key's slots were all held): the next delivery takes it. */
  released?: boolean;
}

export interface ListQuery {
  status?: JobStatus;
  /** Only the jobs of this concurrency key. */
  concurrencyKey?: string;
  limit?: number;
  /** The id of the last job of the previous page. */
  cursor?: string;
}

export interface JobPage {
  jobs: JobRecord[];
  nextCursor?: string;
}

/** What the statistics keep of finished jobs: one aggregate per minute, never the jobs themselves. */
export interface FinishedMinute {
  /** Start of the minute, ms since the epoch. */
  minuteMs: number;
  /** Jobs that reached a final state in this minute. */
  finished: number;
  /** Run time of finished attempts that fell inside this minute (a long run spreads over minutes). */
  busyMs: number;
  /** Wait (queued → started) of the jobs finished in this minute. */
  waitMs: Histogram;
  /** Run time of the jobs finished in this minute that started. */
  runMs: Histogram;
}
