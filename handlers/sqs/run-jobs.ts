import middy from '@middy/core';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createJobRunner } from '../../lib/consumer/run-job';
import type { JobRunnerOptions } from '../../lib/consumer/run-job';
import { createProcessSpawner } from '../../lib/process/process-spawner';
import { getServices } from '../../lib/services';
import { createPeakSampler } from '../../lib/stats/queue-stats';

/**
 * The consumer. Runs the records of a batch one after another (so the function's reserved
 * concurrency is the number of processes), and reports the ones to retry as batchItemFailures
 * (ReportBatchItemFailures): SQS deletes the rest.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
export function createRunJobsHandler(options: JobRunnerOptions & { sampleQueue?: () => Promise<void> }) {
  const runner = createJobRunner(options);
  return middy(async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchItemFailure[] = [];
    // A statistic: sampled alongside the batch, never in the way of a job's start.
    const sampling = options.sampleQueue?.();
    for (const record of event.Records) {
      let outcome;
      try {
        outcome = await runner.runMessage(record);
      } catch (error) {
        options.logger.error({ event: 'error', messageId: record.messageId, err: error }, 'record failed');
        outcome = 'retry';
      }
      if (outcome === 'retry') batchItemFailures.push({ itemIdentifier: record.messageId });
    }
    await sampling;
    return { batchItemFailures };
  });
}

const services = getServices();
export const handler = createRunJobsHandler({
  store: services.store,
  catalogue: services.catalogue,
  logger: services.logger,
  maxReceiveCount: services.config.maxReceiveCount,
  queue: services.queue,
  workRoot: services.config.taskWorkDir,
  // Tasks start from a small process of their own: a fork from this one costs more, and blocks.
  run: createProcessSpawner().run,
  sampleQueue: createPeakSampler({ store: services.store, queue: services.queue }),
});
