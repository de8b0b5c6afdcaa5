import type { JobRecord, JobStatus } from '../jobs/job-record';
import type { JobStore } from '../jobs/job-store';
import type { FinishShares } from '../jobs/job-statistics';

/** What a write that ends a job adds to the statistics (computed above the adapters, once). */
export interface FinishEffects {
  /** Its share of the per-minute statistics. */
  shares: FinishShares;
  /** Its share of the all-time totals: named counters to add to. */
  totals: Array<[name: string, add: number]>;
}

/** How the job store's rules (job-store-rules.ts) ask an adapter to change a record. */
export interface ReplaceEffects {
  /**
   * The write ends the job: also add `finish` to the statistics and drop the job's cancel request
   * and live output pieces (the record now holds its output), in the same transaction where the
   * backend has transactions.
   */
  finish?: FinishEffects;
  /** The write takes an ended job of this status back out of its final count (a retry on demand). */
  reopened?: JobStatus;
}

/**
 * The narrow port of the job store: what an adapter (SQLite, DynamoDB) implements. It only stores and
 * fetches; every rule that is the same whatever the backend (the state machine and the attempt's
 * fence, idempotent create and a rolled-back key's takeover, what a finish adds and removes) lives
 * once above it, in job-store-rules.ts, as Powertools' BasePersistenceLayer sits over its DynamoDB
 * layer. Everything else of the JobStore port an adapter answers itself.
 */
export interface StoreBackend extends Omit<JobStore, 'create' | 'transition' | 'setCallback' | 'remove'> {
  /** Create-if-absent: false when a record with this id exists. */
  insertJob(record: JobRecord): Promise<boolean>;
  /**
   * Compare-and-set: writes `next` only while the stored record still has `expected`'s status and
   * attempts; false when it does not (another writer got there first).
   */
  replaceJob(
    next: JobRecord,
    expected: Pick<JobRecord, 'status' | 'attempts'>,
    effects?: ReplaceEffects,
  ): Promise<boolean>;
  /**
   * Compare-and-set of a completion callback's change: writes `next`, which differs from `expected`
   * only in its `callback`, while the stored record is still `expected` as read (at the least its
   * status, attempts and callback); false when it is not (a delivery or a retry on demand got there
   * first). Kept apart from replaceJob so that no transition pays for a fence on the callback.
   */
  replaceCallback(next: JobRecord, expected: JobRecord): Promise<boolean>;
  /** Removes a record and whatever hangs off it (output pieces). */
  deleteJob(id: string): Promise<void>;
  /** The job an idempotency key (its SHA-256, hex) names. */
  readKey(keyHash: string): Promise<string | undefined>;
  /** Create-if-absent: false when the key names a job already. */
  insertKey(keyHash: string, jobId: string): Promise<boolean>;
  /** Points the key at `toJobId` if it is absent or still names `fromJobId`; false otherwise. */
  replaceKey(keyHash: string, fromJobId: string, toJobId: string): Promise<boolean>;
  /** Removes the key if it still names `jobId`. */
  deleteKey(keyHash: string, jobId: string): Promise<void>;
}
