import type { APIGatewayProxyEventV2, Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { HttpEvent } from '../../lib/http/http-handler';

/** An API Gateway HTTP API (payload 2.0) event, as serverless offline and AWS send it. */
export function apiEvent(
  overrides: {
    method?: string;
    path?: string;
    pathParameters?: Record<string, string>;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    body?: unknown;
  } = {},
): HttpEvent {
  const method = overrides.method ?? 'GET';
  const rawPath = overrides.path ?? '/';
  const body =
    overrides.body === undefined
      ? undefined
      : typeof overrides.body === 'string'
        ? overrides.body
        : JSON.stringify(overrides.body);
  const headers = {
    ...(overrides.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...overrides.headers,
  };
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: `${method} ${rawPath}`,
    rawPath,
    rawQueryString: new URLSearchParams(overrides.query ?? {}).toString(),
    headers,
    queryStringParameters: overrides.query,
    pathParameters: overrides.pathParameters,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: `req-${Math.random().toString(16).slice(2)}`,
      routeKey: `${method} ${rawPath}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
  return event;
}

let messageCounter = 0;

/** One SQS record as the event source mapping delivers it. */
export function sqsRecord(
  overrides: { body?: unknown; messageId?: string; receiveCount?: number } = {},
): SQSRecord {
  messageCounter += 1;
  const body = typeof overrides.body === 'string' ? overrides.body : JSON.stringify(overrides.body ?? {});
  return {
    messageId:
      overrides.messageId ??
      `0000000${messageCounter}-aaaa-4bbb-8ccc-${String(Date.now()).padStart(12, '0')}`,
    receiptHandle: `receipt-${messageCounter}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(overrides.receiveCount ?? 1),
      SentTimestamp: String(Date.now()),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:jobs',
    awsRegion: 'us-east-1',
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** A Lambda context for invoking handlers directly. */
export const context: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'spawn-queue-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:spawn-queue-test',
  memoryLimitInMB: '512',
  awsRequestId: 'test-request',
  logGroupName: '/aws/lambda/spawn-queue-test',
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

/** Parses a handler's JSON response body. */
export function bodyOf(response: { body?: string }): Record<string, unknown> {
  return JSON.parse(response.body ?? 'null') as Record<string, unknown>;
}
