import {
  DEFAULT_RETRY_POLICY,
  parseRetryPolicy,
  retryDelaySeconds,
  RetryPolicyError,
  shouldRetry,
} from '../../../lib/jobs/retry-policy';

describe('retry policy', () => {
  it("defaults to three attempts for failures that are not the task's own, exponential from 2 s", () => {
    expect(parseRetryPolicy(undefined)).toEqual(DEFAULT_RETRY_POLICY);
    expect(DEFAULT_RETRY_POLICY).toMatchObject({
      attempts: 3,
      backoff: { type: 'exponential', delaySeconds: 2 },
      on: ['error'],
    });
    expect(shouldRetry(DEFAULT_RETRY_POLICY, 1, { kind: 'error' })).toBe(true);
    expect(shouldRetry(DEFAULT_RETRY_POLICY, 3, { kind: 'error' })).toBe(false);
    // A non-zero exit or a timeout is the task's own answer: final unless the policy names it.
    expect(shouldRetry(DEFAULT_RETRY_POLICY, 1, { kind: 'exit', exitCode: 1 })).toBe(false);
    expect(shouldRetry(DEFAULT_RETRY_POLICY, 1, { kind: 'timeout' })).toBe(false);
  });

  it('retries the exit codes and the timeout that `on` names', () => {
    const policy = parseRetryPolicy({ attempts: 4, on: [75, 'timeout'] });
    expect(shouldRetry(policy, 1, { kind: 'exit', exitCode: 75 })).toBe(true);
    expect(shouldRetry(policy, 1, { kind: 'exit', exitCode: 1 })).toBe(false);
    expect(shouldRetry(policy, 3, { kind: 'timeout' })).toBe(true);
    expect(shouldRetry(policy, 4, { kind: 'timeout' })).toBe(false);
    expect(shouldRetry(policy, 1, { kind: 'error' })).toBe(false);
  });

  it('spaces attempts by a fixed or doubling pause, capped, with jitter in [delay/2, delay]', () => {
    const exponential = parseRetryPolicy({
      backoff: { delaySeconds: 2, maxDelaySeconds: 10, jitter: false },
    });
    expect([1, 2, 3, 4, 5].map((n) => retryDelaySeconds(exponential, n))).toEqual([2, 4, 8, 10, 10]);
    const fixed = parseRetryPolicy({ backoff: { type: 'fixed', delaySeconds: 5, jitter: false } });
    expect([1, 2, 3].map((n) => retryDelaySeconds(fixed, n))).toEqual([5, 5, 5]);
    const jittered = parseRetryPolicy({ backoff: { delaySeconds: 8, jitter: true } });
    expect(retryDelaySeconds(jittered, 1, () => 0)).toBe(4);
    expect(retryDelaySeconds(jittered, 1, () => 1)).toBe(8);
  });

  it.each([
    [{ attempts: 0 }, 'retry.attempts'],
    [{ attempts: 1.5 }, 'retry.attempts'],
    [{ backoff: { type: 'linear' } }, 'retry.backoff.type'],
    [{ backoff: { delaySeconds: 10, maxDelaySeconds: 5 } }, 'retry.backoff.maxDelaySeconds'],
    [{ backoff: { jitter: 'yes' } }, 'retry.backoff.jitter'],
    [{ on: ['oops'] }, 'retry.on[0]'],
    [{ on: [0] }, 'retry.on[0]'],
    [{ tries: 3 }, 'retry.tries'],
  ])('refuses %j, naming %s', (raw, field) => {
    let error: unknown;
    try {
      parseRetryPolicy(raw);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RetryPolicyError);
    expect((error as RetryPolicyError).field).toBe(field);
  });
});
