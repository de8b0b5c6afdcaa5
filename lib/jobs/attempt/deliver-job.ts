import { adoptJob } from '../job-lifecycle';
import type { AttemptDependencies, AttemptLog, Delivery, DeliveryOutcome } from './delivery';
import { openAttempt } from './open-attempt';
import { runAttempt } from './run-attempt';
import { nextInTurn, takeKeySlot } from './key-share';
import type { Yielded } from './key-share';

/**
 * A job's delivery, decided by the job's domain: what its attempt does (open it, then run it) and
 * what becomes of the message. Idempotent: a finished job is not run again, a job another runner is
 * running is not started twice (run claims in the store), a cancelled job never starts, a keyed job
 * waits for its task's perKey (a key slot) and its key's fair share; an attempt
 * that fails runs again under its task's retry policy (back to `queued` with the reason and
 * `nextAttemptAt`, the message back after the backoff).
 */
export async function deliverJob(
  deps: AttemptDependencies,
  log: AttemptLog,
  delivery: Delivery,
): Promise<DeliveryOutcome> {
  const opened = await openAttempt(deps, log, delivery);
  if (opened.kind === 'yielded') {
    await runInTurn(deps, log, opened);
    return opened.own;
  }
  if (opened.kind !== 'claimed') return opened;
  const slot = await takeKeySlot(deps, log, delivery, opened);
  if (slot.kind !== 'slot') return slot;
  try {
    return await runAttempt(deps, log, delivery, opened);
  } finally {
    // Best effort: a slot left held is freed by the next one who finds its holder ended.
    await slot.release().catch((error: unknown) => {
      log.warn(
        { event: 'key-slot-release-failed', err: error },
        'could not free the key slot, or hand its next job a message',
      );
    });
  }
}

/**
 * The other key's next job, run in this slot (the fair share): its message may be far behind this
 * key's backlog in the queue. What becomes of its own message is its own delivery's; a failure here
 * only leaves it to that delivery.
 */
async function runInTurn(deps: AttemptDependencies, log: AttemptLog, yielded: Yielded): Promise<void> {
  try {
    const next = await nextInTurn(deps, yielded.to);
    if (next) await deliverJob(deps, log.child({ jobId: next.jobId, inTurn: true }), next);
  } catch (error) {
    log.warn({ event: 'in-turn-failed', err: error }, "could not run the other key's next job here");
  }
}

/**
 * A message that breaks the message contract: the job it names (or the one its message id makes)
 * ends `failed` with the reason, so its producer can read why; the message is done.
 */
export async function refuseMessage(
  deps: Pick<AttemptDependencies, 'store'>,
  log: AttemptLog,
  refused: { jobId: string; task: string; input: Record<string, unknown>; reason: string },
): Promise<DeliveryOutcome> {
  const job =
    (await deps.store.get(refused.jobId)) ??
    (await adoptJob(
      deps.store,
      { id: refused.jobId, task: refused.task, input: refused.input },
      refused.reason,
    ));
  log.warn({ event: 'rejected', status: job.status }, refused.reason);
  return { kind: 'done' };
}
