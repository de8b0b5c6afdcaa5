import type { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { newJobId } from '../../../lib/jobs/job-id';
import type { JobRecord } from '../../../lib/jobs/job-record';
import type { JobStore } from '../../../lib/jobs/job-store';
import { STORE_KINDS } from '../../helpers/job-stores';
import type { Services } from '../../../lib/services';
import { computeQueueStats } from '../../../lib/stats/queue-stats';
import { histogramPercentiles } from '../../../lib/stats/histogram';
import { addToHistogram, bucketOf, mergeHistograms } from '../../../lib/jobs/job-statistics';
import { unitServices } from '../../helpers/services';

type Send = Awaited<ReturnType<typeof unitServices>>['send'];

describe('latency histogram', () => {
  it('keeps values below 100 ms exact and rounds larger ones up to two significant digits', () => {
    expect([0, 0.2, 99, 100, 101, 1000, 1001, 1234, 60_000, 61_234].map(bucketOf)).toEqual([
      0, 1, 99, 100, 110, 1000, 1100, 1300, 60_000, 62_000,
    ]);
  });

  it('answers nearest-rank percentiles from merged minutes', () => {
    const a = {};
    const b = {};
    for (let i = 1; i <= 50; i += 1) addToHistogram(a, i);
    for (let i = 51; i <= 100; i += 1) addToHistogram(b, i);
    expect(histogramPercentiles({})).toEqual({ p50: null, p95: null, p99: null });
    expect(histogramPercentiles(mergeHistograms([a, b]))).toEqual({ p50: 50, p95: 95, p99: 99 });
  });
});

describe.each(STORE_KINDS)('queue stats (%s store)', (kind) => {
  let services: Services;
  let send: Send;
  let cleanup: () => Promise<void>;
  let openStore: () => JobStore;
  const now = Date.parse('2026-11-28T12:00:00.000Z');
  const iso = (ms: number) => new Date(ms).toISOString();

  beforeEach(async () => {
    ({ services, send, openStore, cleanup } = await unitServices({ store: kind }));
    send.mockImplementation(async (command: unknown) => {
      const url = (command as GetQueueAttributesCommand).input.QueueUrl ?? '';
      return url.endsWith('dead-letters')
        ? { Attributes: { ApproximateNumberOfMessages: '2' } }
        : {
            Attributes: {
              ApproximateNumberOfMessages: '7',
              ApproximateNumberOfMessagesNotVisible: '4',
              ApproximateNumberOfMessagesDelayed: '0',
            },
          };
    });
  });
  afterEach(async () => {
    await cleanup();
  });

  async function job(
    status: JobRecord['status'],
    startedAt?: number,
    finishedAt?: number,
    waitMs = 100,
  ): Promise<void> {
    const id = newJobId(now - 20 * 60_000);
    await services.store.create({
      id,
      task: 'sleep',
      input: { seconds: 1 },
      status: 'queued',
      attempts: 0,
      queuedAt: iso(now - 20 * 60_000),
    });
    if (startedAt === undefined) return;
    // The runner's claim, its lease alive (as its runner renews it while the process runs).
    await services.store.claim(id, 1, {
      owner: 'runner',
      kind: 'run',
      claimedAt: iso(startedAt),
      leaseUntil: iso(now + 30_000),
    });
    await services.store.transition(id, 'running', { attempts: 1, startedAt: iso(startedAt), waitMs });
    if (finishedAt === undefined || status === 'running') return;
    await services.store.transition(id, status, {
      finishedAt: iso(finishedAt),
      runMs: finishedAt - startedAt,
    });
  }

  it("keeps the original design's processPool fields and derives every number from SQS and the store", async () => {
    await job('running', now - 30_000); // busy for the last 30 s
    await job('succeeded', now - 90_000, now - 30_000, 200); // 30 s of it inside the last minute
    await job('failed', now - 10 * 60_000, now - 10 * 60_000 + 1000, 300); // outside the last minute
    await job('queued');

    const stats = await computeQueueStats({
      store: services.store,
      queue: services.queue,
      maxConcurrency: 4,
      now,
    });
    expect(stats.processPool).toEqual({
      activeProcesses: 1,
      queuedTasks: 7,
      totalProcessed: 2,
      peakQueueSize: 7,
      // (30 s + 30 s) busy of 4 slots x 60 s
      utilizationPercent: 25,
    });
    expect(stats.queue).toEqual({ visible: 7, inFlight: 4, delayed: 0, deadLetter: 2 });
    expect(stats.throughput).toMatchObject({ lastMinute: 1, last5Minutes: 0.2, last15Minutes: 0.13 });
    expect(stats.throughput.perMinute).toHaveLength(15);
    expect(stats.throughput.perMinute.reduce((n, m) => n + m.finished, 0)).toBe(2);
    expect(stats.waitMs).toEqual({ p50: 200, p95: 300, p99: 300 });
    expect(stats.runMs).toEqual({ p50: 1000, p95: 60_000, p99: 60_000 });
    expect(stats.jobs).toMatchObject({ queued: 1, running: 1, succeeded: 1, failed: 1 });
    expect(stats.running).toEqual([expect.objectContaining({ task: 'sleep', elapsedMs: 30_000 })]);
  });

  it('counts only live attempts as active processes, and the jobs waiting for a retry', async () => {
    await job('running', now - 30_000);
    // A record left running by a runner that died: its lease ran out.
    const orphan = newJobId(now - 60_000);
    await services.store.create({
      id: orphan,
      task: 'sleep',
      input: { seconds: 1 },
      status: 'queued',
      attempts: 0,
      queuedAt: iso(now - 60_000),
    });
    await services.store.claim(orphan, 1, {
      owner: 'dead',
      kind: 'run',
      claimedAt: iso(now - 60_000),
      leaseUntil: iso(now - 1),
    });
    await services.store.transition(orphan, 'running', { attempts: 1, startedAt: iso(now - 60_000) });
    // One waiting for its next attempt.
    const waiting = newJobId(now - 50_000);
    await services.store.create({
      id: waiting,
      task: 'sleep',
      input: { seconds: 1 },
      status: 'queued',
      attempts: 0,
      queuedAt: iso(now - 50_000),
    });
    await services.store.transition(waiting, 'running', { attempts: 1 });
    await services.store.transition(waiting, 'queued', { nextAttemptAt: iso(now + 2000) });
    await job('queued');

    const stats = await computeQueueStats({
      store: services.store,
      queue: services.queue,
      maxConcurrency: 4,
      now,
    });
    expect(stats.processPool.activeProcesses).toBe(1);
    expect(stats.running.map((r) => r.elapsedMs)).toEqual([30_000]);
    expect(stats.retrying).toBe(1);
    // The counts by status are those of a full listing.
    const listed = await services.store.list({ limit: 100 });
    for (const status of ['queued', 'running'] as const) {
      expect(stats.jobs[status]).toBe(listed.jobs.filter((j) => j.status === status).length);
    }
  });

  it('keeps the peak queue size across restarts (it lives in the store)', async () => {
    await computeQueueStats({ store: services.store, queue: services.queue, maxConcurrency: 4, now });
    send.mockResolvedValue({ Attributes: { ApproximateNumberOfMessages: '1' } });
    const reopened = openStore();
    const stats = await computeQueueStats({ store: reopened, queue: services.queue, maxConcurrency: 4, now });
    expect(stats.processPool).toMatchObject({ queuedTasks: 1, peakQueueSize: 7 });
  });
});
