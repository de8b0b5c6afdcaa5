import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSEvent } from 'aws-lambda';

/** The function returned an error (Lambda's `X-Amz-Function-Error`). */
export class FunctionError extends Error {
  override name = 'FunctionError';
  constructor(
    message: string,
    readonly functionName: string,
  ) {
    super(message);
  }
}

/**
 * Invokes a function through the Lambda Invoke API, as the real event source mapping does:
 * serverless offline serves that API on its lambdaPort.
 */
export function createLambdaInvoker(options: {
  endpoint: string;
  functionName: string;
  region: string;
  timeoutMs: number;
}) {
  const lambda = new LambdaClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 2000, requestTimeout: options.timeoutMs },
  });
  return async function invoke(event: SQSEvent): Promise<unknown> {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: options.functionName, Payload: Buffer.from(JSON.stringify(event)) }),
    );
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    const payload: unknown = text ? JSON.parse(text) : undefined;
    if (out.FunctionError) {
      const message = (payload as { errorMessage?: string } | undefined)?.errorMessage ?? out.FunctionError;
      throw new FunctionError(`${options.functionName} failed: ${message}`, options.functionName);
    }
    return payload;
  };
}
