import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config';
import { ensureJobTable, localDynamoDbClient } from './dynalite';
import { isPortFree } from './ports';
import { checkVisibilityTimeout } from './serverless-settings';
import type { ConsumerSettings } from './serverless-settings';
import { StackError } from './stack-errors';

/** A queue the stack needs: it answers, and its visibility timeout outlasts its consumer's timeout. */
export async function queueCheck(
  sqs: SQSClient,
  endpoint: string,
  queueName: string,
  consumer: Pick<ConsumerSettings, 'timeoutSeconds'>,
): Promise<{ url: string; arn: string }> {
  let url: string | undefined;
  try {
    url = (await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StackError(
      `SQS at ${endpoint} does not answer for queue "${queueName}": ${reason.slice(0, 200)}`,
    );
  }
  if (!url) throw new StackError(`SQS at ${endpoint} has no queue "${queueName}"`);
  const attributes =
    (
      await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout', 'QueueArn'] }),
      )
    ).Attributes ?? {};
  checkVisibilityTimeout(Number(attributes.VisibilityTimeout ?? 30), consumer.timeoutSeconds, queueName);
  return { url, arn: attributes.QueueArn ?? `arn:aws:sqs:local:000000000000:${queueName}` };
}

/** The job table exists (made as the template makes it) and answers. */
export async function tableCheck(config: Pick<Config, 'dynamodbEndpoint' | 'jobTableName'>): Promise<void> {
  const endpoint = config.dynamodbEndpoint ?? 'the AWS default endpoint';
  const client = localDynamoDbClient(config.dynamodbEndpoint);
  let missingIndexes: string[];
  try {
    ({ missingIndexes } = await ensureJobTable(client, config.jobTableName));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StackError(
      `DynamoDB at ${endpoint} does not answer for table "${config.jobTableName}": ${reason.slice(0, 200)}`,
    );
  } finally {
    client.destroy();
  }
  if (missingIndexes.length > 0) {
    throw new StackError(
      `table "${config.jobTableName}" was made by an older spawn-queue and lacks the index(es) ${missingIndexes.join(', ')}, which dynalite cannot add: delete the local DynamoDB data directory, or set JOB_TABLE_NAME to a new table`,
    );
  }
}

/** Each port is free, or a one-line StackError that says what uses it and which setting moves it. */
export async function portsCheck(
  ports: ReadonlyArray<readonly [port: number, what: string, variable: string, hint?: string]>,
): Promise<void> {
  for (const [port, what, variable, hint] of ports) {
    if (!(await isPortFree(port))) {
      throw new StackError(
        `port ${port} (${what}) is busy: ${hint ?? 'is spawn-queue already running? Stop it'}, or set ${variable} to another port`,
      );
    }
  }
}
