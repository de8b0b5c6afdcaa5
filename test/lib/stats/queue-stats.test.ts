import type { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { newJobId } from '../../../lib/jobs/job-id';
import type { JobRecord } from '../../../lib/jobs/job-record';
import { createFileJobStore } from '../../../lib/store/file-job-store';
import type { Services } from '../../../lib/services';
import { computeQueueStats } from '../../../lib/stats/queue-stats';
import { percentiles } from '../../../lib/stats/percentiles';
import { unitServices } from '../../helpers/services';

type Send = Awaited<ReturnType<typeof unitServices>>['send'];

describe('percentiles', () => {
  it('uses nearest rank', () => {
    expect(percentiles([])).toEqual({ p50: null, p95: null, p99: null });
    expect(percentiles(Array.from({ length: 100 }, (_, i) => i + 1))).toEqual({ p50: 50, p95: 95, p99: 99 });
  });
});

describe('queue stats', () => {
  let services: Services;
  let send: Send;
  let cleanup: () => Promise<void>;
  const now = Date.parse('2026-11-28T12:00:00.000Z');
  const iso = (ms: number) => new Date(ms).toISOString();

  beforeEach(async () => {
    ({ services, send, cleanup } = await unitServices());
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

  it('keeps the peak queue size across restarts (it lives in the store)', async () => {
    await computeQueueStats({ store: services.store, queue: services.queue, maxConcurrency: 4, now });
    send.mockResolvedValue({ Attributes: { ApproximateNumberOfMessages: '1' } });
    const reopened = createFileJobStore({ dir: services.config.jobStoreDir });
    const stats = await computeQueueStats({ store: reopened, queue: services.queue, maxConcurrency: 4, now });
    expect(stats.processPool).toMatchObject({ queuedTasks: 1, peakQueueSize: 7 });
  });
});
