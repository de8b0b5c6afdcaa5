import middy from '@middy/core';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createMessageConsumer } from './message-consumer';
import type { ConsumerOptions } from './message-consumer';

/**
 * The consumer's handler. Runs the records of a batch one after another (so the function's reserved
 * concurrency is the number of processes), and reports the ones to retry as batchItemFailures
 * (ReportBatchItemFailures): SQS deletes the rest.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
export function createRunJobsHandler(options: ConsumerOptions & { sampleQueue?: () => Promise<void> }) {
  const consumer = createMessageConsumer(options);
  return middy(async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchItemFailure[] = [];
    // A statistic: sampled alongside the batch, never in the way of a job's start.
    const sampling = options.sampleQueue?.();
    for (const record of event.Records) {
      let outcome;
      try {
        outcome = await consumer.handleMessage(record);
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
