/**
 * The consumer's own process, local emulation only: it hosts the SQS-triggered function the way a
 * Lambda execution environment does (the handler module loaded once, invoked with real SQS events and
 * a Lambda context, cut off at the function's timeout) and feeds it with the event source mapping.
 *
 * On AWS the consumer has execution environments of its own; locally it gets a process of its own,
 * so its invocations never wait behind HTTP requests in serverless offline's event loop.
 *
 * Started by consumer-process.ts with its settings as the one argument; talks to it over IPC:
 * `{ type: 'ready' }` once receiving, `{ type: 'failed', message }` if it cannot start; it takes
 * `{ type: 'stop', drain, graceful }` and exits when done. If its parent goes away (even by
 * SIGKILL) it stops, and the task processes it started go with it.
 */
import { randomUUID } from 'node:crypto';
import type { Context, SQSEvent } from 'aws-lambda';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { killTaskProcesses } from '../process/task-processes';
import { createSqsClient } from '../queue/sqs-client';
import { createEventSourceMapping } from './event-source-mapping';
import type { EventSourceMapping } from './event-source-mapping';
import type { ConsumerHostSettings, HostedFunction, HostMessage, ParentMessage } from './consumer-protocol';

type Handler = (event: SQSEvent, context: Context) => Promise<unknown>;

const tell = (message: HostMessage) => process.send?.(message);

/** Loads the handler from its bundle, once, as Lambda's runtime does at cold start. */
async function loadHandler(handlerFile: string, exportName: string): Promise<Handler> {
  const module = (await import(handlerFile)) as Record<string, unknown> & {
    default?: Record<string, unknown>;
  };
  const fn = module[exportName] ?? module.default?.[exportName];
  if (typeof fn !== 'function') throw new Error(`${handlerFile} exports no function "${exportName}"`);
  return fn as Handler;
}

/** One invocation with a Lambda context; an invocation past the function's timeout is a function error. */
function invoker(handler: Handler, settings: HostedFunction) {
  const arn = `arn:aws:lambda:${settings.region}:000000000000:function:${settings.functionName}`;
  return async (event: SQSEvent): Promise<unknown> => {
    const deadline = Date.now() + settings.timeoutSeconds * 1000;
    const context: Context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: settings.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: arn,
      memoryLimitInMB: String(settings.memorySize),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${settings.functionName}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Task timed out after ${settings.timeoutSeconds} seconds`)),
        settings.timeoutSeconds * 1000,
      );
    });
    try {
      return await Promise.race([handler(event, context), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '{}') as ConsumerHostSettings;
  const config = loadConfig();
  const logger = createLogger({ name: 'event-source', level: config.logLevel });
  const mappings: EventSourceMapping[] = [];
  let stopping: Promise<void> | undefined;

  const stop = (options: { drain: boolean; graceful: boolean }, code = 0) =>
    (stopping ??= (async () => {
      await Promise.all(mappings.map((mapping) => mapping.stop(options).catch(() => undefined)));
      // Whatever still runs belongs to invocations that were cut short: end their process groups.
      await killTaskProcesses(config.taskWorkDir).catch(() => 0);
      process.exit(code);
    })());

  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stop') void stop({ drain: message.drain, graceful: message.graceful });
  });
  // The parent is gone (it exited, or was killed): nothing may outlive it.
  process.on('disconnect', () => void stop({ drain: false, graceful: false }, 1));
  process.on('SIGTERM', () => void stop({ drain: false, graceful: false }));
  process.on('SIGINT', () => void stop({ drain: false, graceful: false }));

  try {
    const sqs = createSqsClient(config, { requestTimeoutMs: 25_000 });
    for (const fn of [settings, ...(settings.companions ?? [])]) {
      const handler = await loadHandler(fn.handlerFile, fn.handler.slice(fn.handler.lastIndexOf('.') + 1));
      mappings.push(
        createEventSourceMapping({
          sqs,
          queueUrl: fn.queueUrl,
          queueArn: fn.queueArn,
          region: fn.region,
          ...fn.eventSource,
          invoke: invoker(handler, fn),
          logger,
        }),
      );
    }
    for (const mapping of mappings) mapping.start();
    tell({ type: 'ready' });
  } catch (error) {
    tell({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
}

void main();
