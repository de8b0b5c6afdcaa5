import type { Logger } from '../../logger';
import type { CallbackQueue } from '../../queue/callback-queue';
import type { JobMessage } from '../../queue/job-queue';
import type { RunOptions, RunResult } from '../../process/run-process';
import type { Catalogue } from '../../tasks/catalogue';
import type { JobMetrics } from '../job-metrics';
import type { JobStore } from '../job-store';
import type { KeyLoadView } from '../concurrency-keys';

/**
 * One delivery of a job's message, as the job domain sees it: which job, and what the queue says of
 * the message (how often it came; whether returning it once more sends it to the dead-letter queue).
 * No SQS type crosses this line: the consumer makes a Delivery of a record and applies the outcome.
 */
export interface Delivery {
  jobId: string;
  task: string;
  input: Record<string, unknown>;
  /** The message's concurrency key: a job adopted from it keeps it. */
  concurrencyKey?: string;
  /** The message named its job (a submit made both); a message without one is adopted. */
  fromSubmit: boolean;
  receiveCount: number;
  /** The queue's receive limit is reached: a message returned now goes to the dead-letter queue. */
  lastDelivery: boolean;
  /**
   * Run in another key's slot, as its turn came (the fair share): it does not let others go first,
   * and it has no message of its own here.
   */
  inTurn?: boolean;
  /** Keeps the message from the queue `seconds` more while its attempt runs (the lease). */
  keepMessage?: (seconds: number) => Promise<void>;
}

/**
 * What becomes of the message once the job's domain has handled a delivery:
 * - `done`: nothing more to do with it (delete it);
 * - `hold`: back to the queue, delivered again after `seconds` (a retry's backoff, a busy job);
 * - `send-on`: a new message of the job, delayed `delaySeconds` (a delayed job whose time is beyond
 *   what the queue can delay), and this one done;
 * - `return`: back to the queue as it is; its receive count counts toward the dead-letter queue.
 */
export type DeliveryOutcome =
  | { kind: 'done' }
  | { kind: 'hold'; seconds: number }
  | { kind: 'send-on'; message: JobMessage; delaySeconds: number }
  | { kind: 'return' };

export const DONE: DeliveryOutcome = Object.freeze({ kind: 'done' });
export const RETURN: DeliveryOutcome = Object.freeze({ kind: 'return' });
export const hold = (seconds: number): DeliveryOutcome => ({ kind: 'hold', seconds });

/** What an attempt needs: the store, the catalogue, the process runner, and who hears of an end. */
export interface AttemptDependencies {
  store: JobStore;
  catalogue: Catalogue;
  /** The process runner: spawns the task and supervises it to its end (lib/process). */
  run: (options: RunOptions) => Promise<RunResult>;
  /** Where a final job that asked for a completion callback is announced. */
  callbacks?: Pick<CallbackQueue, 'send'>;
  /** Told of every job finished here (deployed: CloudWatch metrics). */
  metrics?: JobMetrics;
  /** How long a running attempt holds its job without renewing (its claim and its message). */
  leaseMs: number;
  /** How often a running attempt checks for a cancel request. */
  cancelPollMs: number;
  /** Parent of each task's working directory. */
  workRoot?: string;
  /** Who claims attempts here (host, process, a random part). */
  owner: string;
  /** Draws the jitter of retry pauses. */
  random: () => number;
  /**
   * Hands a waiting job a message of its own now (its key's slot has freed): SQS's send, given by the
   * consumer. Absent, a job held back by its key's perKey waits for its own message to come back.
   */
  wake?: (message: JobMessage) => Promise<void>;
  /** The live jobs by concurrency key, as recently read here (default: the store read each time). */
  keyLoad?: KeyLoadView;
}

/** A delivery's log: the runner's logger with the job's id. */
export type AttemptLog = Logger;
