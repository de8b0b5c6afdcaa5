import { createHash } from 'node:crypto';
import { InvalidTransitionError, JobError, JobNotFoundError, StaleAttemptError } from '../jobs/job-errors';
import { canTransition, isFinal } from '../jobs/job-record';
import type { CallbackState, JobRecord, JobStatus } from '../jobs/job-record';
import type { JobStore, TransitionOptions } from '../jobs/job-store';
import { finishSharesOf, totalsShareOf } from '../jobs/job-statistics';
import type { ReplaceEffects, StoreBackend } from './store-backend';

/** Compare-and-set rounds a transition tries before it gives up (another writer won each time). */
const TRANSITION_ROUNDS = 6;
/** How long a submit waits for the record of a key another submit has just written. */
const KEYED_JOB_WAIT_MS = 1000;

/**
 * What a transition makes of the record it replaces, the same in every adapter: the job must exist
 * and the state machine must allow the step.
 */
function transitioned(
  id: string,
  current: JobRecord | undefined,
  to: JobStatus,
  patch: Partial<JobRecord>,
  attempt?: number,
): { previous: JobRecord; next: JobRecord } {
  if (!current) throw new JobNotFoundError(id);
  if (attempt !== undefined && current.attempts !== attempt) {
    throw new StaleAttemptError(id, attempt, current.attempts);
  }
  if (!canTransition(current.status, to)) throw new InvalidTransitionError(id, current.status, to);
  return { previous: current, next: { ...current, ...patch, id, status: to } };
}

export const idempotencyKeyHash = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * The job store's rules, once for every backend (see store-backend.ts): a transition checked against
 * the state machine and fenced by the attempt, written as one compare-and-set with what a finish
 * adds to the statistics; create-if-absent on an Idempotency-Key, taking over a key whose job was
 * rolled back; a completion callback recorded without touching a job queued again meanwhile.
 */
export function withJobRules(backend: StoreBackend): JobStore {
  /** The job a key names; a concurrent submit may be between writing its key and its record. */
  async function keyedJob(hash: string): Promise<{ jobId?: string; job?: JobRecord }> {
    const deadline = Date.now() + KEYED_JOB_WAIT_MS;
    for (;;) {
      const jobId = await backend.readKey(hash);
      if (jobId === undefined) return {};
      const job = await backend.get(jobId).catch((error: unknown) => {
        if (error instanceof JobError) return undefined;
        throw error;
      });
      if (job) return { jobId, job };
      if (Date.now() >= deadline) return { jobId };
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async function create(
    record: JobRecord,
    options: { idempotencyKey?: string } = {},
  ): Promise<{ job: JobRecord; created: boolean }> {
    if (options.idempotencyKey !== undefined) {
      const hash = idempotencyKeyHash(options.idempotencyKey);
      for (;;) {
        if (await backend.insertKey(hash, record.id)) break;
        const existing = await keyedJob(hash);
        if (existing.job) return { job: existing.job, created: false };
        // The key's job was rolled back (its enqueue failed): this submit takes the key over,
        // unless another submit took it over first (then that one's job is read, above).
        if (await backend.replaceKey(hash, existing.jobId ?? '', record.id)) break;
      }
    }
    if (await backend.insertJob(record)) return { job: record, created: true };
    const existing = await backend.get(record.id);
    return { job: existing ?? record, created: false };
  }

  async function transition(
    id: string,
    to: JobStatus,
    patch: Partial<JobRecord> = {},
    { from, attempt }: TransitionOptions = {},
  ): Promise<JobRecord> {
    for (let round = 0; round < TRANSITION_ROUNDS; round += 1) {
      // The caller's copy saves the first read; the compare-and-set still holds it to the stored
      // status and attempts, and a stale copy is read again.
      const current = round === 0 && from ? from : await backend.get(id);
      const { previous, next } = transitioned(id, current, to, patch, attempt);
      const effects: ReplaceEffects = isFinal(to)
        ? { finish: { shares: finishSharesOf(next), totals: totalsShareOf(next) } }
        : isFinal(previous.status)
          ? { reopened: previous.status }
          : {};
      if (await backend.replaceJob(next, previous, effects)) return next;
    }
    throw new JobError(`job ${id} changed while it was written`, id);
  }

  async function setCallback(
    id: string,
    change: (current: CallbackState) => CallbackState | undefined,
    expected: Pick<JobRecord, 'status' | 'attempts'>,
  ): Promise<CallbackState | undefined> {
    for (let round = 0; round < TRANSITION_ROUNDS; round += 1) {
      const current = await backend.get(id);
      if (!current?.callback || current.status !== expected.status || current.attempts !== expected.attempts)
        return undefined;
      const callback = change(current.callback);
      if (!callback) return undefined;
      // Refused when the callback changed since it was read (a delivery recorded meanwhile): again.
      if (await backend.replaceCallback({ ...current, callback }, current)) return callback;
    }
    throw new JobError(`the callback of job ${id} changed while it was written`, id);
  }

  async function remove(id: string, options: { idempotencyKey?: string } = {}): Promise<void> {
    await backend.deleteJob(id);
    if (options.idempotencyKey !== undefined) {
      await backend.deleteKey(idempotencyKeyHash(options.idempotencyKey), id);
    }
  }

  return {
    create,
    transition,
    setCallback,
    remove,
    // What the backend answers itself.
    get: backend.get,
    list: backend.list,
    countByStatus: backend.countByStatus,
    pruneFinished: backend.pruneFinished,
    pendingCallbacks: backend.pendingCallbacks,
    countRetrying: backend.countRetrying,
    countQueuedBefore: backend.countQueuedBefore,
    queuedByTask: backend.queuedByTask,
    keyLoad: backend.keyLoad,
    nextOfKey: backend.nextOfKey,
    keySlots: backend.keySlots,
    setKeySlot: backend.setKeySlot,
    claim: backend.claim,
    readClaim: backend.readClaim,
    updateClaim: backend.updateClaim,
    requestCancel: backend.requestCancel,
    isCancelRequested: backend.isCancelRequested,
    appendOutput: backend.appendOutput,
    readOutput: backend.readOutput,
    finishedTotals: backend.finishedTotals,
    finishedByMinute: backend.finishedByMinute,
    settleCounts: backend.settleCounts,
    onFinished: backend.onFinished,
    probe: backend.probe,
    readMeta: backend.readMeta,
    writeMeta: backend.writeMeta,
    close: backend.close,
  };
}
