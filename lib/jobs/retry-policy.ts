/**
 * A task's retry policy: which ends of an attempt run the job again, how many attempts in all, and
 * the pause before each next one (as BullMQ's `attempts` and `backoff`, Step Functions' `Retry`).
 *
 * What an attempt can end with, besides success:
 * - an exit code: the task's own answer (retried only when `on` names that code);
 * - `timeout`: the task ran past its timeout (retried only when `on` names it);
 * - `error`: a failure that is not the task's own (the process could not start, the process that
 *   starts tasks died, the store or the queue failed, the runner's lease was lost). Retried by default.
 */
export type RetryOn = number | 'timeout' | 'error';

export interface RetryPolicy {
  /** Attempts in all, the first one included (1: never retried). */
  attempts: number;
  backoff: {
    type: 'fixed' | 'exponential';
    /** Pause after the first failed attempt; exponential doubles it after each further one. */
    delaySeconds: number;
    maxDelaySeconds: number;
    /** Spread retries: each pause is drawn from [delay / 2, delay] ("equal jitter"). */
    jitter: boolean;
  };
  on: RetryOn[];
}

/** What an attempt ended with, as far as the policy is concerned. */
export type AttemptEnd = { kind: 'exit'; exitCode: number } | { kind: 'timeout' } | { kind: 'error' };

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  attempts: 3,
  backoff: Object.freeze({ type: 'exponential', delaySeconds: 2, maxDelaySeconds: 300, jitter: true }),
  on: Object.freeze(['error']) as unknown as RetryOn[],
}) as RetryPolicy;

/** SQS's longest visibility timeout: the longest pause ChangeMessageVisibility can make. */
export const MAX_RETRY_DELAY_SECONDS = 43_200;
export const MAX_ATTEMPTS = 20;

export class RetryPolicyError extends Error {
  override name = 'RetryPolicyError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberIn(value: unknown, field: string, min: number, max: number, integer: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new RetryPolicyError(`must be a number from ${min} to ${max}`, field);
  }
  if (integer && !Number.isInteger(value)) throw new RetryPolicyError('must be an integer', field);
  return value;
}

/** Reads a catalogue entry's `retry` (absent: the default); throws RetryPolicyError naming the field. */
export function parseRetryPolicy(raw: unknown): RetryPolicy {
  if (raw === undefined) return DEFAULT_RETRY_POLICY;
  if (!isObject(raw)) throw new RetryPolicyError('must be an object', 'retry');
  const known = ['attempts', 'backoff', 'on'];
  const extra = Object.keys(raw).find((key) => !known.includes(key));
  if (extra) throw new RetryPolicyError('is not a retry setting', `retry.${extra}`);
  const defaults = DEFAULT_RETRY_POLICY;
  const attempts =
    raw.attempts === undefined
      ? defaults.attempts
      : numberIn(raw.attempts, 'retry.attempts', 1, MAX_ATTEMPTS, true);

  const backoffRaw = raw.backoff ?? {};
  if (!isObject(backoffRaw)) throw new RetryPolicyError('must be an object', 'retry.backoff');
  const backoffKnown = ['type', 'delaySeconds', 'maxDelaySeconds', 'jitter'];
  const backoffExtra = Object.keys(backoffRaw).find((key) => !backoffKnown.includes(key));
  if (backoffExtra) throw new RetryPolicyError('is not a backoff setting', `retry.backoff.${backoffExtra}`);
  const type = backoffRaw.type ?? defaults.backoff.type;
  if (type !== 'fixed' && type !== 'exponential') {
    throw new RetryPolicyError('must be "fixed" or "exponential"', 'retry.backoff.type');
  }
  const delaySeconds =
    backoffRaw.delaySeconds === undefined
      ? defaults.backoff.delaySeconds
      : numberIn(backoffRaw.delaySeconds, 'retry.backoff.delaySeconds', 0, MAX_RETRY_DELAY_SECONDS, false);
  const maxDelaySeconds =
    backoffRaw.maxDelaySeconds === undefined
      ? Math.max(defaults.backoff.maxDelaySeconds, delaySeconds)
      : numberIn(
          backoffRaw.maxDelaySeconds,
          'retry.backoff.maxDelaySeconds',
          0,
          MAX_RETRY_DELAY_SECONDS,
          false,
        );
  if (maxDelaySeconds < delaySeconds) {
    throw new RetryPolicyError('must not be below delaySeconds', 'retry.backoff.maxDelaySeconds');
  }
  const jitter = backoffRaw.jitter ?? defaults.backoff.jitter;
  if (typeof jitter !== 'boolean')
    throw new RetryPolicyError('must be true or false', 'retry.backoff.jitter');

  const onRaw = raw.on ?? defaults.on;
  if (!Array.isArray(onRaw)) throw new RetryPolicyError('must be an array', 'retry.on');
  const on: RetryOn[] = [];
  for (const [i, item] of onRaw.entries()) {
    const valid =
      item === 'timeout' || item === 'error' || (Number.isInteger(item) && item >= 1 && item <= 255);
    if (!valid) {
      throw new RetryPolicyError(
        'must be an exit code from 1 to 255, "timeout" or "error"',
        `retry.on[${i}]`,
      );
    }
    on.push(item as RetryOn);
  }
  return { attempts, backoff: { type, delaySeconds, maxDelaySeconds, jitter }, on };
}

/** Whether the policy runs the job again after `attempt` (1-based) ended so. */
export function shouldRetry(policy: RetryPolicy, attempt: number, end: AttemptEnd): boolean {
  if (attempt >= policy.attempts) return false;
  if (end.kind === 'exit') return policy.on.includes(end.exitCode);
  return policy.on.includes(end.kind);
}

/** Seconds to wait before the attempt after `attempt` (1-based); whole seconds, as SQS takes them. */
export function retryDelaySeconds(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const { type, delaySeconds, maxDelaySeconds, jitter } = policy.backoff;
  const base = type === 'fixed' ? delaySeconds : delaySeconds * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(maxDelaySeconds, base);
  const drawn = jitter ? capped / 2 + (capped / 2) * random() : capped;
  return Math.min(MAX_RETRY_DELAY_SECONDS, Math.round(drawn));
}
