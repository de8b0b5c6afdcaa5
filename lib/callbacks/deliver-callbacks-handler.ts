import middy from '@middy/core';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { redeliveryPauseSeconds } from '../queue/redelivery';
import { createCallbackDeliverer } from './deliver-callbacks';
import type { CallbackDelivererOptions } from './deliver-callbacks';

/**
 * The callback deliverer's handler: the deliveries of a batch go out at once (each waits on a
 * receiver, not on a CPU), and the ones to try again are reported as batchItemFailures.
 */
export function createDeliverCallbacksHandler(options: CallbackDelivererOptions) {
  const deliverer = createCallbackDeliverer(options);
  return middy(async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const outcomes = await Promise.all(
      event.Records.map((record) =>
        deliverer.deliver(record).catch(async (error: unknown) => {
          // Not the receiver's answer (that is recorded and paced by the deliverer): the store did
          // not answer, most often. Back in seconds, not after the queue's visibility timeout.
          const retryInSeconds = redeliveryPauseSeconds(record);
          options.logger.error(
            { event: 'callback-error', messageId: record.messageId, retryInSeconds, err: error },
            `could not handle the callback message; it comes back in ${retryInSeconds} s`,
          );
          await options.queue.changeVisibility(record.receiptHandle, retryInSeconds).catch(() => undefined);
          return 'retry' as const;
        }),
      ),
    );
    const batchItemFailures: SQSBatchItemFailure[] = event.Records.filter(
      (_, i) => outcomes[i] === 'retry',
    ).map((record) => ({ itemIdentifier: record.messageId }));
    return { batchItemFailures };
  });
}
