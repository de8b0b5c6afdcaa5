import type { AttemptRecord, JobRecord, JobStatus } from '../job-record';
import { startAttempt } from '../job-lifecycle';
import type { AttemptEnd } from '../retry-policy';
import type { RunResult } from '../../process/run-process';
import type { Invocation } from '../../tasks/catalogue';
import { isTaskRefusal } from '../../tasks/task-errors';
import { reasonOf } from '../../reason-of';
import { DONE } from './delivery';
import type { AttemptDependencies, AttemptLog, Delivery, DeliveryOutcome } from './delivery';
import { endWithError, endWithResult, finishAttempt } from './end-attempt';
import type { EndingAttempt } from './end-attempt';
import { holdLease } from './lease';
import { liveOutputWriter } from './live-output';
import type { ClaimedAttempt } from './open-attempt';

/** SIGTERM to SIGKILL of a stopped task (the runner's default), and the margin past it a lease holds. */
const KILL_GRACE_MS = 2000;
const LEASE_MARGIN_MS = 2000;

function statusOf(result: RunResult): JobStatus {
  if (result.cancelled) return 'cancelled';
  if (result.timedOut) return 'timed_out';
  return result.exitCode === 0 ? 'succeeded' : 'failed';
}

/** What the retry policy sees of a result that is not a success (undefined: nothing to retry). */
function endOf(result: RunResult): AttemptEnd | undefined {
  if (result.cancelled) return undefined;
  if (result.timedOut) return { kind: 'timeout' };
  if (result.exitCode === 0) return undefined;
  // Killed by a signal it did not get from us: the task's own end, as a non-zero exit.
  return { kind: 'exit', exitCode: result.exitCode ?? 128 };
}

const since = (iso: string, now: number) => Math.max(0, now - Date.parse(iso));

/** The attempt's start, and its record once ended (appended to the job's ended attempts). */
function attemptClock(claimed: ClaimedAttempt) {
  const { job, attempt, history } = claimed;
  const startedAt = new Date();
  const startPatch = {
    attempts: attempt,
    startedAt: startedAt.toISOString(),
    waitMs: since(job.nextAttemptAt ?? job.runAt ?? job.queuedAt, startedAt.getTime()),
    nextAttemptAt: undefined,
    attemptHistory: history,
  };
  const ended = (fields: Partial<AttemptRecord>): AttemptRecord[] => [
    ...history,
    {
      attempt,
      startedAt: startPatch.startedAt,
      finishedAt: new Date().toISOString(),
      exitCode: null,
      signal: null,
      error: null,
      ...fields,
    },
  ];
  return { startedMs: startedAt.getTime(), startPatch, ended };
}

/**
 * Runs a claimed attempt to its end: the task's command prepared (an input the catalogue refuses
 * fails the job), the process started while its `running` record is written, held by its lease,
 * its output written as it comes, a cancel request polled; then its end recorded (end-attempt.ts).
 */
export async function runAttempt(
  deps: AttemptDependencies,
  log: AttemptLog,
  delivery: Delivery,
  claimed: ClaimedAttempt,
): Promise<DeliveryOutcome> {
  const { job, attempt } = claimed;
  const clock = attemptClock(claimed);
  let invocation: Invocation;
  try {
    invocation = deps.catalogue.prepare(job.task, job.input);
  } catch (error) {
    if (!isTaskRefusal(error)) throw error;
    await startAttempt(deps.store, job.id, clock.startPatch);
    const patch = { error: error.message, runMs: 0, attemptHistory: clock.ended({ error: error.message }) };
    await finishAttempt(deps, log, job.id, 'failed', patch, { attempt });
    return DONE;
  }
  // With the claim on a queued job held, the record read is the current one: the store need not
  // read it again, nor the `running` record for the result. Not after a takeover: the abandoned
  // attempt's runner may still be alive and record its own end.
  const owned = job.status === 'queued';
  const ran = await supervise(deps, log, delivery, claimed, invocation, clock);
  const ending = (current: JobRecord | undefined): EndingAttempt => ({
    jobId: job.id,
    attempt,
    policy: claimed.policy,
    fence: { from: owned ? current : undefined, attempt },
  });
  if (!ran.ok) {
    const reason = reasonOf(ran.error);
    const failure = {
      reason,
      error: ran.error,
      receiveCount: delivery.receiveCount,
      lastDelivery: delivery.lastDelivery,
      runMs: Date.now() - clock.startedMs,
    };
    return endWithError(deps, log, ending(ran.running), failure, clock.ended({ error: reason }));
  }
  const { result, running } = ran;
  const status = statusOf(result);
  const limited = Object.keys(invocation.limits).length > 0 && result.limitsHeld;
  const error =
    status === 'timed_out'
      ? `timed out after ${invocation.timeoutMs} ms`
      : status === 'cancelled'
        ? 'cancelled while running'
        : result.limitExceeded?.message;
  const attemptHistory = clock.ended({
    exitCode: result.exitCode,
    signal: result.signal,
    error: error ?? null,
  });
  return endWithResult(
    deps,
    log,
    ending(running),
    {
      status,
      end: endOf(result),
      error,
      retryReason: error ?? `exited with code ${result.exitCode ?? 'none'} (${result.signal ?? 'no signal'})`,
      lastDelivery: delivery.lastDelivery,
      patch: {
        exitCode: result.exitCode,
        signal: result.signal,
        runMs: result.durationMs,
        output: { stdout: result.stdout, stderr: result.stderr, truncated: result.truncated },
        ...(result.usage ? { usage: result.usage } : {}),
        ...(limited ? { limits: { ...invocation.limits, held: limited } } : {}),
      },
    },
    attemptHistory,
  );
}

type Supervised =
  | { ok: true; result: RunResult; running: JobRecord }
  | { ok: false; error: unknown; running: JobRecord | undefined };

/**
 * The process and what watches it: it starts while its `running` record is written, not after (the
 * write is off the path from a free slot to a running process; the result waits for it, so states
 * stay in order; if it fails, the process is stopped). Every watcher has stopped when this returns.
 */
async function supervise(
  deps: AttemptDependencies,
  log: AttemptLog,
  delivery: Delivery,
  { job, attempt }: ClaimedAttempt,
  invocation: Invocation,
  clock: ReturnType<typeof attemptClock>,
): Promise<Supervised> {
  const { store } = deps;
  const abort = new AbortController();
  const owned = job.status === 'queued';
  const marked = startAttempt(store, job.id, clock.startPatch, owned ? job : undefined).then(
    (running) => {
      log.info({ event: 'start', task: running.task, attempt, waitMs: running.waitMs }, 'job started');
      return running;
    },
    (error: unknown) => {
      abort.abort();
      throw error;
    },
  );
  const lease = holdLease({
    store,
    keepMessage: delivery.keepMessage,
    jobId: job.id,
    attempt,
    leaseMs: deps.leaseMs,
    logger: log,
    renewUntil: clock.startedMs + invocation.timeoutMs + KILL_GRACE_MS + LEASE_MARGIN_MS,
  });
  const output = liveOutputWriter(store, job.id, attempt, log);
  const poll = setInterval(() => {
    store.isCancelRequested(job.id, attempt).then(
      (requested) => requested && abort.abort(),
      () => undefined,
    );
  }, deps.cancelPollMs);
  const stopWatching = async () => {
    clearInterval(poll);
    await Promise.all([lease.stop(), output.settled()]);
  };
  try {
    const [result, running] = await Promise.all([
      deps.run({ ...invocation, signal: abort.signal, workRoot: deps.workRoot, onOutput: output.write }),
      marked,
    ]);
    await stopWatching();
    return { ok: true, result, running };
  } catch (error) {
    await stopWatching();
    return { ok: false, error, running: await marked.catch(() => undefined) };
  }
}
