import middy from '@middy/core';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
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
        deliverer.deliver(record).catch((error: unknown) => {
          options.logger.error(
            { event: 'error', messageId: record.messageId, err: error },
            'callback failed',
          );
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
