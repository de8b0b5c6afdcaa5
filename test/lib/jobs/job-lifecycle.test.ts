import type { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { JobFinishedError, JobNotFoundError } from '../../../lib/jobs/job-errors';
import { newJobId } from '../../../lib/jobs/job-id';
import {
  cancelJob,
  claimAttempt,
  finishJob,
  releaseAttempt,
  resendUnfinished,
  retryJob,
  startAttempt,
  submitJob,
} from '../../../lib/jobs/job-lifecycle';
import { QueueUnavailableError } from '../../../lib/queue/queue-errors';
import type { Services } from '../../../lib/services';
import { queuedJob } from '../../helpers/jobs';
import { STORE_KINDS } from '../../helpers/job-stores';
import { unitServices } from '../../helpers/services';

type Send = Awaited<ReturnType<typeof unitServices>>['send'];

describe.each(STORE_KINDS)('job lifecycle (%s store)', (kind) => {
  let services: Services;
  let send: Send;
  let cleanup: () => Promise<void>;
  const lease = { owner: 'runner', leaseMs: 60_000 };

  beforeEach(async () => {
    ({ services, send, cleanup } = await unitServices({ store: kind }));
  });
  afterEach(async () => {
    await cleanup();
  });

  const sentJobIds = () =>
    send.mock.calls.flatMap(([command]) =>
      ((command as SendMessageBatchCommand).input.Entries ?? []).map((e) => JSON.parse(e.MessageBody!).jobId),
    );

  it('retry with a repeated Idempotency-Key replays its first answer, even once that attempt failed again', async () => {
    const { store } = services;
    const job = queuedJob();
    await store.create(job);
    await store.transition(job.id, 'running', { attempts: 1 });
    await store.transition(job.id, 'failed', { exitCode: 1 });
    const first = await retryJob(services, job.id, { idempotencyKey: 'again-1' });
    expect(first).toMatchObject({ replayed: false, job: { status: 'queued' } });
    const sends = send.mock.calls.length;
    // Its attempt runs and fails again; the client repeats its request (a retry of its own timeout).
    await store.transition(job.id, 'running', { attempts: 2 });
    await store.transition(job.id, 'failed', { exitCode: 1 });
    const repeated = await retryJob(services, job.id, { idempotencyKey: 'again-1' });
    expect(repeated).toMatchObject({ replayed: true, job: { status: 'failed', attempts: 2 } });
    expect(send.mock.calls.length).toBe(sends);
    // A new key is a new request.
    await expect(retryJob(services, job.id, { idempotencyKey: 'again-2' })).resolves.toMatchObject({
      replayed: false,
      job: { status: 'queued' },
    });
  });

  it('submit writes the job and sends it; a failed send removes it and frees its key', async () => {
    const { store } = services;
    const { job, created } = await submitJob(services, queuedJob(), { idempotencyKey: 'k' });
    expect(created).toBe(true);
    expect(sentJobIds()).toEqual([job.id]);

    send.mockRejectedValue(new Error('connect ECONNREFUSED'));
    const failing = queuedJob();
    await expect(submitJob(services, failing, { idempotencyKey: 'other' })).rejects.toBeInstanceOf(
      QueueUnavailableError,
    );
    await expect(store.get(failing.id)).resolves.toBeUndefined();
    send.mockResolvedValue({ Successful: [{ Id: '0' }], Failed: [] });
    await expect(submitJob(services, queuedJob(), { idempotencyKey: 'other' })).resolves.toMatchObject({
      created: true,
    });
  });

  it('cancel of a queued job ends it at once, and no runner can claim it afterwards', async () => {
    const { store } = services;
    const job = queuedJob();
    await store.create(job);
    await expect(cancelJob(store, job.id, 'api')).resolves.toMatchObject({
      outcome: 'cancelled',
      job: { status: 'cancelled' },
    });
    await expect(claimAttempt(store, job, lease)).resolves.toMatchObject({ attempt: 1, claimed: false });
    await expect(cancelJob(store, job.id, 'api')).rejects.toBeInstanceOf(JobFinishedError);
    await expect(cancelJob(store, newJobId(), 'api')).rejects.toBeInstanceOf(JobNotFoundError);
  });

  it('cancel of a running job leaves a request its runner sees with the next claim', async () => {
    const { store } = services;
    const job = queuedJob();
    await store.create(job);
    const first = await claimAttempt(store, job, lease);
    expect(first).toEqual({ attempt: 1, claimed: true, cancelRequested: false });
    const running = await startAttempt(store, job.id, {
      attempts: 1,
      startedAt: new Date().toISOString(),
      waitMs: 1,
    });
    await expect(cancelJob(store, job.id, 'api')).resolves.toMatchObject({ outcome: 'requested' });
    await releaseAttempt(store, job.id, 1);
    await expect(claimAttempt(store, running, lease)).resolves.toEqual({
      attempt: 2,
      claimed: true,
      cancelRequested: true,
    });
    await expect(finishJob(store, job.id, 'cancelled')).resolves.toMatchObject({ status: 'cancelled' });
  });

  it('resends every unfinished job and releases the attempts that were running', async () => {
    const { store } = services;
    const queued = queuedJob();
    const running = queuedJob();
    const done = queuedJob();
    for (const job of [queued, running, done]) await store.create(job);
    await claimAttempt(store, running, lease);
    await startAttempt(store, running.id, { attempts: 1, startedAt: new Date().toISOString(), waitMs: 1 });
    await finishJob(store, done.id, 'cancelled');

    await expect(resendUnfinished(services)).resolves.toBe(2);
    expect(sentJobIds().sort()).toEqual([queued.id, running.id].sort());
    await expect(store.readClaim(running.id, 1)).resolves.toMatchObject({
      leaseUntil: new Date(0).toISOString(),
    });
  });
});
