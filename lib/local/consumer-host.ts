/**
 * The consumer's own process, local emulation only: Lambda's side of the SQS-triggered function.
 * It runs the event source mapping (receives, batches, deletes) and invokes the function in its
 * execution environments (environment-pool.ts: one process per slot, each loading the handler once
 * and taking one invocation at a time, with real SQS events, a Lambda context and the function's
 * timeout).
 *
 * On AWS the consumer has execution environments of its own; locally it gets processes of its own,
 * so its invocations never wait behind HTTP requests in serverless offline's event loop, nor behind
 * each other.
 *
 * Started by consumer-process.ts with its settings as the one argument; talks to it over IPC:
 * `{ type: 'ready' }` once receiving, `{ type: 'failed', message }` if it cannot start; it takes
 * `{ type: 'stop', drain, graceful }` and exits when done. If its parent goes away (even by
 * SIGKILL) it stops, and the task processes it started go with it.
 */
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { killTaskProcesses } from '../process/task-processes';
import { createSqsClient } from '../queue/sqs-client';
import { startEnvironmentPool } from './environment-pool';
import type { EnvironmentPool } from './environment-pool';
import { createEventSourceMapping } from './event-source-mapping';
import type { EventSourceMapping } from './event-source-mapping';
import type { ConsumerHostSettings, HostMessage, ParentMessage } from './consumer-protocol';

const tell = (message: HostMessage) => process.send?.(message);

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '{}') as ConsumerHostSettings;
  const config = loadConfig();
  const logger = createLogger({ name: 'event-source', level: config.logLevel });
  let mapping: EventSourceMapping | undefined;
  let pool: EnvironmentPool | undefined;
  let stopping: Promise<void> | undefined;

  const stop = (options: { drain: boolean; graceful: boolean }, code = 0) =>
    (stopping ??= (async () => {
      await mapping?.stop(options).catch(() => undefined);
      await pool?.close().catch(() => undefined);
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
    pool = await startEnvironmentPool({
      settings,
      environmentFile: settings.environmentFile,
      size: settings.eventSource.concurrency,
      taskWorkDir: config.taskWorkDir,
      execArgv: process.execArgv,
    });
    mapping = createEventSourceMapping({
      sqs: createSqsClient(config, { requestTimeoutMs: 25_000 }),
      queueUrl: settings.queueUrl,
      queueArn: settings.queueArn,
      region: settings.region,
      ...settings.eventSource,
      invoke: (event) => pool!.invoke(event),
      logger,
    });
    mapping.start();
    tell({ type: 'ready' });
  } catch (error) {
    tell({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    await killTaskProcesses(config.taskWorkDir).catch(() => 0);
    process.exit(1);
  }
}

void main();
