import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { toRecord } from '../../../lib/local/event-source-mapping';
import type { Invocation } from './lambda-runtime';

/** An event source mapping as deployed (read back from moto's ListEventSourceMappings). */
export interface MappingSettings {
  queueUrl: string;
  batchSize: number;
  maximumConcurrency: number;
  reportBatchItemFailures: boolean;
}

/**
 * A small stand-in for Lambda's SQS poller, over moto's SQS, as the deployed mapping says: batches of
 * `batchSize`, at most `maximumConcurrency` invocations at once, and with ReportBatchItemFailures the
 * records the function names stay in the queue (their visibility is what the function set) while
 * the rest are deleted; a function error leaves the whole batch. Moto's redrive policy moves a
 * message to the dead-letter queue at its receive limit, as SQS does.
 */
export function startEventSource(options: {
  sqs: SQSClient;
  region: string;
  mapping: MappingSettings;
  invoke: (event: SQSEvent) => Promise<Invocation>;
  onError?: (error: unknown) => void;
}) {
  const { sqs, mapping } = options;
  let running = true;
  const invocations: Invocation[] = [];

  async function poll(queueArn: string): Promise<void> {
    while (running) {
      try {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: mapping.queueUrl,
            MaxNumberOfMessages: mapping.batchSize,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
          }),
        );
        if (Messages.length === 0) continue;
        const result = await options.invoke({
          Records: Messages.map((m) => toRecord(m, queueArn, options.region)),
        });
        invocations.push(result);
        if (!result.ok) continue;
        const failed = new Set<string>(
          mapping.reportBatchItemFailures
            ? ((result.payload?.batchItemFailures ?? []) as Array<{ itemIdentifier: string }>).map(
                (f) => f.itemIdentifier,
              )
            : [],
        );
        const done = Messages.filter((m) => !failed.has(m.MessageId!));
        if (done.length > 0) {
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: mapping.queueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
            }),
          );
        }
      } catch (error) {
        options.onError?.(error);
        await sleep(500);
      }
    }
  }

  const started = (async () => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: mapping.queueUrl, AttributeNames: ['QueueArn'] }),
    );
    const arn = Attributes?.QueueArn ?? '';
    await Promise.all(Array.from({ length: mapping.maximumConcurrency }, () => poll(arn)));
  })();

  return {
    /** Every invocation's outcome so far. */
    invocations,
    async stop() {
      running = false;
      await started;
    },
  };
}
