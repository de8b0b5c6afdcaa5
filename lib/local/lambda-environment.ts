/**
 * One execution environment of the consumer, local emulation only: the handler module is loaded
 * once (a cold start) and runs one invocation at a time, with a Lambda context. On AWS every
 * concurrent invocation of a function has an environment of its own; locally the consumer host
 * (consumer-host.ts) starts one of these processes per slot, so one job's store round trips and
 * process start never wait behind another job's, as they would sharing one event loop.
 *
 * Started by environment-pool.ts with its settings as the one argument; talks to the host over IPC
 * (consumer-protocol.ts). If the host goes away (even by SIGKILL) it ends the task processes it
 * started and exits.
 */
import { randomUUID } from 'node:crypto';
import type { Context, SQSEvent } from 'aws-lambda';
import { loadConfig } from '../config';
import { killTaskProcesses } from '../process/task-processes';
import type { EnvironmentMessage, EnvironmentSettings, InvokeMessage } from './consumer-protocol';

type Handler = (event: SQSEvent, context: Context) => Promise<unknown>;

const tell = (message: EnvironmentMessage) => process.send?.(message);

/** Loads the handler from its bundle, once, as Lambda's runtime does at cold start. */
async function loadHandler(handlerFile: string, exportName: string): Promise<Handler> {
  const module = (await import(handlerFile)) as Record<string, unknown> & {
    default?: Record<string, unknown>;
  };
  const fn = module[exportName] ?? module.default?.[exportName];
  if (typeof fn !== 'function') throw new Error(`${handlerFile} exports no function "${exportName}"`);
  return fn as Handler;
}

function lambdaContext(settings: EnvironmentSettings, deadline: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: settings.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${settings.region}:000000000000:function:${settings.functionName}`,
    memoryLimitInMB: String(settings.memorySize),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${settings.functionName}`,
    logStreamName: `local-${process.pid}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '{}') as EnvironmentSettings;
  const { taskWorkDir } = loadConfig();
  let exiting = false;
  const exit = (code: number) => {
    if (exiting) return;
    exiting = true;
    // Whatever still runs belongs to an invocation that was cut short: end its process groups.
    void killTaskProcesses(taskWorkDir)
      .catch(() => 0)
      .finally(() => process.exit(code));
  };
  process.on('disconnect', () => exit(0));
  process.on('SIGTERM', () => exit(0));
  process.on('SIGINT', () => exit(0));

  let handler: Handler;
  try {
    handler = await loadHandler(
      settings.handlerFile,
      settings.handler.slice(settings.handler.lastIndexOf('.') + 1),
    );
  } catch (error) {
    tell({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
  process.on('message', (message: InvokeMessage) => {
    if (message.type !== 'invoke') return;
    handler(message.event, lambdaContext(settings, message.deadline)).then(
      (value) => tell({ type: 'result', id: message.id, ok: true, value: value ?? null }),
      (error: unknown) =>
        tell({
          type: 'result',
          id: message.id,
          ok: false,
          message: error instanceof Error ? error.message : String(error),
        }),
    );
  });
  tell({ type: 'ready' });
}

void main();
