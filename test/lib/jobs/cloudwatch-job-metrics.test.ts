import { Metrics } from '@aws-lambda-powertools/metrics';
import { cloudWatchJobMetrics } from '../../../lib/jobs/cloudwatch-job-metrics';
import { queuedJob } from '../../helpers/jobs';

describe('CloudWatch job metrics (embedded metric format)', () => {
  it('writes one EMF document per finished job: count, wait and run time by task and status', () => {
    const metrics = new Metrics({ namespace: 'spawn-queue', serviceName: 'spawn-queue-test' });
    const published: unknown[] = [];
    jest.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
      published.push(metrics.serializeMetrics());
      metrics.clearMetrics();
      metrics.clearDimensions();
      return metrics;
    });
    const emit = cloudWatchJobMetrics({ metrics });
    emit.finished(
      queuedJob({
        task: 'echo',
        status: 'succeeded',
        waitMs: 12,
        runMs: 40,
        startedAt: new Date().toISOString(),
      }),
    );
    emit.finished(queuedJob({ task: 'sleep', status: 'cancelled' }));
    expect(published).toHaveLength(2);
    const [first, second] = published as Array<
      Record<string, unknown> & { _aws: { CloudWatchMetrics: unknown[] } }
    >;
    expect(first).toMatchObject({
      task: 'echo',
      status: 'succeeded',
      JobsFinished: 1,
      WaitTime: 12,
      RunTime: 40,
    });
    expect(first!._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'spawn-queue',
      Dimensions: [expect.arrayContaining(['service', 'task', 'status'])],
      Metrics: expect.arrayContaining([
        { Name: 'JobsFinished', Unit: 'Count' },
        { Name: 'RunTime', Unit: 'Milliseconds' },
      ]),
    });
    // A job that never started has no run time; the dimensions of the first are not carried over.
    expect(second).toMatchObject({ task: 'sleep', status: 'cancelled', JobsFinished: 1 });
    expect(second).not.toHaveProperty('RunTime');
  });
});
