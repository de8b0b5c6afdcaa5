import { slotScope, yieldsTo } from '../concurrency-keys';
import type { SlotHolder } from '../concurrency-keys';
import type { JobRecord } from '../job-record';
import { isFinal } from '../job-record';
import type { JobStore } from '../job-store';
import { jobMessage } from '../job-lifecycle';
import { hold } from './delivery';
import type { AttemptDependencies, AttemptLog, Delivery, DeliveryOutcome } from './delivery';

/** The longest a job waits for its key's slot before its message comes back to look again. */
const MAX_KEY_WAIT_SECONDS = 900;
/** How long a job that let another key go first waits before it looks again. */
const FAIR_SHARE_WAIT_SECONDS = 1;
/**
 * A waiting job's message comes back a little before its turn is estimated to come: early, it
 * costs one more look; late, a slot of its key would idle.
 */
const EARLY = 0.8;

/**
 * With a wake (the next job of a key gets a message when a slot frees), a held message is only the
 * safety net: it comes back a little after its turn is estimated, by when its job has mostly run.
 */
const LATE = 1.5;

/**
 * A message that waits its turn: back to the queue after `seconds`, or, on the delivery that would
 * send it to the dead-letter queue, a new message of the job (waiting is not failing).
 */
function waitTurn(delivery: Delivery, job: JobRecord, seconds: number): DeliveryOutcome {
  if (!delivery.lastDelivery) return hold(seconds);
  return { kind: 'send-on', message: jobMessage(job), delaySeconds: seconds };
}

/** Another key's turn: its next job runs in this delivery's slot, and this one's message waits. */
export interface Yielded {
  kind: 'yielded';
  /** The task and key whose next job runs instead. */
  to: { task: string; concurrencyKey: string | null };
  /** What becomes of this delivery's own message. */
  own: DeliveryOutcome;
}

/**
 * The fair share (concurrency-keys.ts): a queued job whose key runs more jobs than another key with
 * due jobs lets that key go first. Undefined: it may run.
 */
export async function fairShareWait(
  deps: AttemptDependencies,
  log: AttemptLog,
  delivery: Delivery,
  job: JobRecord,
): Promise<Yielded | undefined> {
  const key = job.concurrencyKey ?? null;
  if (delivery.inTurn) {
    deps.keyLoad?.started(key, job.task);
    return undefined;
  }
  const load = await (deps.keyLoad ? deps.keyLoad.load() : deps.store.keyLoad());
  const first = yieldsTo(load, { key }, (task) => deps.catalogue.get(task)?.concurrency.perKey);
  if (!first) {
    deps.keyLoad?.started(key, job.task);
    return undefined;
  }
  log.info(
    { event: 'fair-share', concurrencyKey: key, yieldsTo: first.key },
    'another key runs fewer jobs and has jobs waiting; it goes first',
  );
  return {
    kind: 'yielded',
    to: { task: first.task, concurrencyKey: first.key },
    own: waitTurn(delivery, job, FAIR_SHARE_WAIT_SECONDS),
  };
}

/**
 * The job a yielding delivery runs in its slot: the other key's next due job of that task, as its
 * own delivery would (claimed, so it runs once whoever gets there first; its own message, when it
 * comes, finds it running or done). Its message is not this delivery's, so what becomes of that
 * message is left to it; a job without a key, or none waiting any more, runs nothing.
 */
export async function nextInTurn(
  deps: AttemptDependencies,
  to: Yielded['to'],
): Promise<Delivery | undefined> {
  if (to.concurrencyKey === null) return undefined;
  const next = await deps.store.nextOfKey(to.task, to.concurrencyKey);
  if (!next) return undefined;
  return {
    jobId: next.id,
    task: next.task,
    input: next.input,
    concurrencyKey: to.concurrencyKey,
    fromSubmit: true,
    receiveCount: 1,
    lastDelivery: false,
    inTurn: true,
  };
}

/** A key slot this attempt holds; released once the attempt has ended. */
export interface HeldKeySlot {
  kind: 'slot';
  release(): Promise<void>;
}

const NO_SLOT: HeldKeySlot = { kind: 'slot', release: async () => undefined };

const sameHolder = (a: SlotHolder, b: SlotHolder) => a.jobId === b.jobId && a.attempt === b.attempt;

/**
 * Whether a slot's holder still runs (or is about to): its attempt's claim is a run whose lease has
 * not run out, and its job is still at that attempt (running it, or queued just before it). A
 * holder that stopped answering, ended, or was taken over frees its slot for the next one.
 */
async function holdsOn(store: Pick<JobStore, 'get' | 'readClaim'>, holder: SlotHolder): Promise<boolean> {
  const claim = await store.readClaim(holder.jobId, holder.attempt);
  if (!claim || claim.kind !== 'run' || Date.parse(claim.leaseUntil) <= Date.now()) return false;
  const job = await store.get(holder.jobId);
  if (!job || isFinal(job.status)) return false;
  if (job.status === 'running') return job.attempts === holder.attempt;
  return job.status === 'queued' && job.attempts === holder.attempt - 1;
}

/**
 * The task's perKey: one of its key's slots for this claimed attempt, a free one or one whose holder
 * stopped, each taken by a compare-and-set, so no more than perKey attempts of one key run at once
 * however many runners race. None free: the claim is given back and the message comes back about
 * when the key's jobs ahead of it have had their turn.
 */
export async function takeKeySlot(
  deps: AttemptDependencies,
  log: AttemptLog,
  delivery: Delivery,
  claimed: { job: JobRecord; attempt: number },
): Promise<HeldKeySlot | DeliveryOutcome> {
  const { job, attempt } = claimed;
  const perKey = deps.catalogue.get(job.task)?.concurrency.perKey;
  if (job.concurrencyKey === undefined || perKey === undefined) return NO_SLOT;
  const { store } = deps;
  const scope = slotScope(job.task, job.concurrencyKey);
  const me: SlotHolder = { jobId: job.id, attempt };
  const held = await store.keySlots(scope);
  let index = -1;
  for (let i = 0; i < perKey && index < 0; i += 1) {
    const holder = held.find((slot) => slot.index === i)?.holder ?? null;
    // Already this attempt's (a delivery again), or taken from no one or from a holder that stopped.
    if (holder !== null && sameHolder(holder, me)) index = i;
    else if (holder === null || !(await holdsOn(store, holder))) {
      if (await store.setKeySlot(scope, i, me, holder)) index = i;
    }
  }
  if (index >= 0) {
    return {
      kind: 'slot',
      release: async () => {
        await store.setKeySlot(scope, index, null, me);
        await wakeNext(deps, log, job);
      },
    };
  }
  // Given back: the next delivery of this job claims the attempt again (claimNext's takeover).
  await store.updateClaim(job.id, attempt, { leaseUntil: new Date(0).toISOString(), released: true });
  const seconds = await turnInSeconds(deps, job, perKey);
  log.info(
    { event: 'key-busy', concurrencyKey: job.concurrencyKey, perKey, waitSeconds: seconds },
    `${perKey} job(s) of this key already run (the task's perKey); this one waits its turn`,
  );
  return waitTurn(delivery, job, seconds);
}

/**
 * The baton: once a slot of a key frees, the key's next waiting job of the task is handed a message
 * now, instead of waiting for its own to come back (a slot would idle meanwhile). At worst two
 * messages of one job: the claim lets one run it, the other finds it running or done.
 */
async function wakeNext(deps: AttemptDependencies, log: AttemptLog, job: JobRecord): Promise<void> {
  if (!deps.wake || job.concurrencyKey === undefined) return;
  const next = await deps.store.nextOfKey(job.task, job.concurrencyKey);
  if (!next || next.id === job.id) return;
  await deps.wake(jobMessage(next));
  log.info({ event: 'key-wake', next: next.id }, "a slot of this key freed: its next job's message sent");
}

/** When a capped job's turn comes: its key's jobs ahead of it, perKey at a time, a mean run each. */
async function turnInSeconds(deps: AttemptDependencies, job: JobRecord, perKey: number): Promise<number> {
  const [ahead, totals] = await Promise.all([
    deps.store.countQueuedBefore(job.id, job.concurrencyKey),
    deps.store.finishedTotals(),
  ]);
  const own = totals.runMsByTask[job.task];
  const meanMs = own && own.count > 0 ? own.sumMs / own.count : 1000;
  const factor = deps.wake ? LATE : EARLY;
  const seconds = Math.ceil(((Math.floor(ahead / perKey) + 1) * meanMs * factor) / 1000);
  return Math.min(MAX_KEY_WAIT_SECONDS, Math.max(1, seconds));
}
