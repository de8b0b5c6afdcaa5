import type { QueueDepth } from './job-queue';

/** The backlog is at its limit: a submit now would queue beyond MAX_QUEUED_JOBS. */
export class QueueFullError extends Error {
  override name = 'QueueFullError';
  constructor(
    readonly depth: number,
    readonly limit: number,
  ) {
    super(`the queue holds ${depth} jobs, its limit is ${limit}`);
  }
}

export interface BacklogLimitOptions {
  /** The queue's depth (one GetQueueAttributes call). */
  depth: () => Promise<QueueDepth>;
  maxQueuedJobs: number;
  /** How long a read depth is trusted (plus the sends counted since). */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * Bounds the backlog without a queue round trip per submit: the depth (waiting + delayed messages)
 * is read at most once per `maxAgeMs` by one caller while the others share the read, and the jobs
 * this process sent since are added to it. Under a flood the limit holds to within what other
 * processes sent in one `maxAgeMs`.
 */
export function createBacklogLimit(options: BacklogLimitOptions) {
  const maxAgeMs = options.maxAgeMs ?? 1000;
  const now = options.now ?? Date.now;
  let known: { depth: number; at: number } | undefined;
  let reading: Promise<void> | undefined;
  let sentSince = 0;

  async function refresh(): Promise<void> {
    reading ??= options
      .depth()
      .then((d) => {
        known = { depth: d.visible + d.delayed, at: now() };
        sentSince = 0;
      })
      .finally(() => (reading = undefined));
    await reading;
  }

  return {
    /** Throws QueueFullError when one more job would exceed the limit. */
    async check(): Promise<void> {
      if (!known || now() - known.at > maxAgeMs) await refresh();
      const depth = known!.depth + sentSince;
      if (depth >= options.maxQueuedJobs) throw new QueueFullError(depth, options.maxQueuedJobs);
    },
    /** Counts a job this process sent, until the next read of the depth. */
    sent(): void {
      sentSince += 1;
    },
  };
}

export type BacklogLimit = ReturnType<typeof createBacklogLimit>;
