import { sharedRead } from './shared-read';

/**
 * Concurrency keys: who a job belongs to (a tenant, a user, a repository), named at submit with
 * `concurrencyKey`. Two rules hold for keyed jobs, as Trigger.dev's `concurrencyKey` with
 * `concurrency: { perKey }` and Hatchet's round-robin groups do:
 * - **perKey**: a catalogue entry's `concurrency: { perKey: N }` lets at most N jobs of that task and
 *   one key run at once, held by key slots in the store (key-slots.ts);
 * - **fair share**: the slots are shared round-robin by key. A job waits (its message comes back a
 *   moment later) while another key with due jobs runs fewer jobs than its own key does, so one key's
 *   backlog delays another key's job by about one job's run time, not by the whole backlog.
 * Jobs without a key share the slots as one more key.
 */

export const MAX_CONCURRENCY_KEY_LENGTH = 128;
/** The most jobs of one key and task a catalogue entry may let run at once. */
export const MAX_PER_KEY = 1000;

/** Why a value cannot be a concurrency key (undefined: it can). */
export function concurrencyKeyProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_CONCURRENCY_KEY_LENGTH) {
    return `concurrencyKey must be a string of 1 to ${MAX_CONCURRENCY_KEY_LENGTH} characters`;
  }
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'concurrencyKey must not hold control characters';
  return undefined;
}

/** A catalogue entry's `concurrency`: at most `perKey` jobs of the task with one key run at once. */
export interface ConcurrencyPolicy {
  perKey?: number;
}

export class ConcurrencyPolicyError extends Error {
  override name = 'ConcurrencyPolicyError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** Reads a catalogue entry's `concurrency`: absent is no limit per key. */
export function parseConcurrencyPolicy(raw: unknown): ConcurrencyPolicy {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConcurrencyPolicyError('must be an object such as { "perKey": 1 }', 'concurrency');
  }
  const policy: ConcurrencyPolicy = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name !== 'perKey') {
      throw new ConcurrencyPolicyError(`"${name}" is not a setting (perKey)`, `concurrency.${name}`);
    }
    if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > MAX_PER_KEY) {
      throw new ConcurrencyPolicyError(`must be an integer from 1 to ${MAX_PER_KEY}`, 'concurrency.perKey');
    }
    policy.perKey = value as number;
  }
  return policy;
}

/** The live jobs of one key and task: running, and queued and due (a retry's pause not counted). */
export interface KeyLoad {
  /** null: the jobs without a key. */
  key: string | null;
  task: string;
  running: number;
  waiting: number;
}

/** Who holds a key slot: one attempt of one job. */
export interface SlotHolder {
  jobId: string;
  attempt: number;
}

/** The key slots of one task and key (a task name holds no ':'; the key may). */
export const slotScope = (task: string, key: string) => `${task}:${key}`;

/**
 * The fair share: the key a job of `key` should let go first, or undefined when it may run now. It
 * yields to another key that has due jobs, may start one (below its task's perKey), and runs fewer
 * jobs than this key does now. Equal counts do not yield, so two busy keys alternate and share the
 * slots evenly; a key that runs nothing is served next.
 */
export function yieldsTo(
  load: readonly KeyLoad[],
  job: { key: string | null },
  perKeyOf: (task: string) => number | undefined,
): KeyLoad | undefined {
  const runningByKey = new Map<string | null, number>();
  for (const row of load) runningByKey.set(row.key, (runningByKey.get(row.key) ?? 0) + row.running);
  const own = runningByKey.get(job.key) ?? 0;
  if (own === 0) return undefined;
  let first: KeyLoad | undefined;
  for (const row of load) {
    if (row.key === job.key || row.waiting === 0) continue;
    const perKey = row.key === null ? undefined : perKeyOf(row.task);
    if (perKey !== undefined && row.running >= perKey) continue;
    const theirs = runningByKey.get(row.key) ?? 0;
    if (theirs < own && (!first || theirs < (runningByKey.get(first.key) ?? 0))) first = row;
  }
  return first;
}

/** The load by key as a consumer sees it: as read, and what it started since. */
export interface KeyLoadView {
  load(now?: number): Promise<KeyLoad[]>;
  /** A job of this key and task is about to start here: counted running until the next read. */
  started(key: string | null, task: string): void;
}

/**
 * The load by key as one place sees it, read at most every `ttlMs` (per process and store): a
 * backlog's deliveries share one read, and each job this process starts meanwhile is counted in it
 * (four slots that free at once would otherwise all read the same counts and all start the same
 * key). The fair share is a preference, not a limit (the key slots are), so a read that is a moment
 * old only delays or hastens a job by that moment.
 */
export function keyLoadReader(read: () => Promise<KeyLoad[]>, ttlMs = 250): KeyLoadView {
  const shared = sharedRead(read, ttlMs, () => [] as KeyLoad[]);
  return {
    async load(now = Date.now()) {
      const { value, since: starts } = shared.at(now);
      const rows = (await value).map((row) => ({ ...row }));
      for (const start of starts) {
        const row = rows.find((r) => r.key === start.key && r.task === start.task);
        if (row) {
          row.running += 1;
          row.waiting = Math.max(0, row.waiting - 1);
        } else rows.push({ ...start });
      }
      return rows;
    },
    started(key, task) {
      shared.latest()?.since.push({ key, task, running: 1, waiting: 0 });
    },
  };
}
