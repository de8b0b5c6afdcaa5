import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { routeOutput, stdioFor, stopProcessGroup } from './child-processes';
import type { ChildOutput } from './child-processes';
import type { Bundles } from './bundles';
import type { ConsumerHostSettings, HostedFunction, HostMessage, ParentMessage } from './consumer-protocol';
import type { EventSourceSettings } from './event-source-mapping';
import type { ConsumerSettings } from './serverless-settings';
import { StackError } from './stack-errors';

export interface ConsumerProcess {
  readonly process: ChildProcess;
  /**
   * Stops the event source and the host. `drain`: let invocations in flight finish first.
   * `graceful`: let receives in flight finish and hand their messages back (see the mapping).
   */
  stop(options?: { drain?: boolean; graceful?: boolean; graceMs?: number }): Promise<void>;
}

export interface ConsumerProcessOptions {
  settings: Omit<ConsumerHostSettings, 'handlerFile' | 'companions'> & {
    companions?: Array<Omit<HostedFunction, 'handlerFile'>>;
  };
  /** The host and the handler, bundled as deployed (bundles.ts). */
  bundles: Bundles;
  /** The function's environment: what serverless gives the handler. */
  env: NodeJS.ProcessEnv;
  output?: ChildOutput;
  /** Called if the host exits before it was asked to stop. */
  onExit?: (code: number | null) => void;
  startTimeoutMs?: number;
}

/**
 * A young generation of 2 MB semi-spaces instead of V8's 16 MB: the consumer's garbage is short-lived
 * (a job's records and messages), so the default let it hold ~50 MB more after a load, for no gain in
 * jobs per second (2,000 `echo` jobs: 13.9 s with the default, 13.1-14.0 s with this).
 */
const HOST_FLAGS = ['--max-semi-space-size=2'];

/**
 * Starts the consumer host (consumer-host.ts) in a process of its own, in its own process group, and
 * resolves once it receives from the queue. Its settings come from serverless.yml (see
 * serverless-settings.ts); host and handler run bundled, on plain Node, as on Lambda.
 */
export async function startConsumerProcess(options: ConsumerProcessOptions): Promise<ConsumerProcess> {
  const hostFile = options.bundles.hostFile;
  const { handlerFile } = options.bundles;
  const settings: ConsumerHostSettings = {
    ...options.settings,
    handlerFile: handlerFile(options.settings.handler),
    companions: options.settings.companions?.map((fn) => ({ ...fn, handlerFile: handlerFile(fn.handler) })),
  };
  // No --enable-source-maps: it parses every bundle's map at load (tens of MB for the consumer's).
  const child = spawn(process.execPath, [...HOST_FLAGS, hostFile, JSON.stringify(settings)], {
    cwd: settings.projectDir,
    env: options.env,
    detached: true,
    stdio: ['ignore', stdioFor(options.output), stdioFor(options.output), 'ipc'],
  });
  routeOutput(child, options.output);

  let stopping: Promise<void> | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  void exited.then((code) => {
    if (!stopping) options.onExit?.(code);
  });

  const ready = await new Promise<HostMessage | { type: 'exit'; code: number | null } | { type: 'timeout' }>(
    (resolve) => {
      const timer = setTimeout(() => resolve({ type: 'timeout' }), options.startTimeoutMs ?? 60_000);
      child.once('message', (message: HostMessage) => {
        clearTimeout(timer);
        resolve(message);
      });
      void exited.then((code) => {
        clearTimeout(timer);
        resolve({ type: 'exit', code });
      });
    },
  );
  if (ready.type !== 'ready') {
    stopping = stopProcessGroup(child, 1000);
    await stopping;
    const reason =
      ready.type === 'failed'
        ? ready.message
        : ready.type === 'exit'
          ? `it exited (code ${ready.code})`
          : 'it did not answer in time';
    throw new StackError(`the consumer ${settings.functionName} could not start: ${reason.slice(0, 300)}`);
  }

  return {
    process: child,
    stop({ drain = false, graceful = true, graceMs = 10_000 } = {}) {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        if (child.connected) child.send({ type: 'stop', drain, graceful } satisfies ParentMessage);
        const done = await Promise.race([
          exited.then(() => true),
          new Promise<false>((resolve) => setTimeout(() => resolve(false), graceMs).unref()),
        ]);
        if (!done) await stopProcessGroup(child, 2000);
      })();
      return stopping;
    },
  };
}

/** A queue-triggered function of serverless.yml as the consumer host runs it, on its queue. */
export function hostedFunction(
  fn: ConsumerSettings,
  queue: { url: string; arn: string },
  region: string,
  eventSource: Partial<EventSourceSettings> = {},
): Omit<HostedFunction, 'handlerFile'> {
  return {
    handler: fn.handler,
    functionName: fn.functionName,
    timeoutSeconds: fn.timeoutSeconds,
    memorySize: fn.memorySize,
    region,
    queueUrl: queue.url,
    queueArn: queue.arn,
    eventSource: {
      batchSize: fn.batchSize,
      maximumBatchingWindow: fn.maximumBatchingWindow,
      concurrency: fn.concurrency,
      reportBatchItemFailures: fn.reportBatchItemFailures,
      ...eventSource,
    },
  };
}
