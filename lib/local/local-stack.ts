import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../config';
import type { Config } from '../config';
import { killTaskProcesses } from '../process/task-processes';
import { createServices } from '../services';
import type { Logger } from '../logger';
import { createSqsClient } from '../queue/sqs-client';
import type { ChildOutput } from './child-processes';
import type { Dynalite } from './dynalite';
import type { ElasticMq } from './elasticmq';
import { supervise } from './supervisor';
import { bundleFunctions } from './bundles';
import type { Bundles } from './bundles';
import { hostedFunction, startConsumerProcess } from './consumer-process';
import type { ConsumerProcess } from './consumer-process';
import type { EventSourceSettings } from './event-source-mapping';
import { consumerSettings, printServerlessConfig } from './serverless-settings';
import type { ConsumerSettings, PrintedConfig } from './serverless-settings';
import { startMaintenance } from './maintenance';
import { portsCheck, queueCheck, tableCheck } from './stack-checks';
import { repairAndKeepQueue, startQueueServer, startStoreServer, stopParts } from './stack-servers';
import type { Keep, StackParts } from './stack-servers';
import { readGivenSettings, stackEnvironment } from './stack-environment';
import { startServerlessOffline, withLoopDelay } from './offline-process';

export { OFFLINE_NODE_FLAGS, withLoopDelay } from './offline-process';

export interface LocalStackOptions {
  projectDir: string;
  httpPort?: number;
  lambdaPort?: number;
  elasticMqPort?: number;
  /** dynalite's port when JOB_STORE=dynamodb and no DYNAMODB_ENDPOINT is given. */
  dynamoDbPort?: number;
  /** Use this SQS instead of starting ElasticMQ. */
  sqsEndpoint?: string;
  jobStoreDir?: string;
  /** Extra environment for the handlers (queue names, overrides). */
  env?: NodeJS.ProcessEnv;
  /** Settings for ElasticMQ's config file (JOBS_VISIBILITY_TIMEOUT, ...). */
  elasticMqSettings?: Record<string, string>;
  /** Where serverless offline's output goes: inherit (the terminal) or a callback per chunk. */
  offlineOutput?: ChildOutput;
  /** Human-readable progress lines. */
  say?: (line: string) => void;
  logger: Logger;
  /**
   * Rebuild the HTTP functions on every edit (serverless-esbuild's watch under serverless offline,
   * `npm run dev`). Off by default: the functions are bundled once, and no bundler stays in memory.
   */
  watch?: boolean;
  /** Called when a part of the stack dies on its own. */
  onFailure?: (reason: string) => void;
  /**
   * How often the stack looks for jobs whose message the queue lost, and how long a job must have
   * waited before it is sent again (both 60 s: a stranded job is sent again within 2 minutes).
   */
  reconcileIntervalMs?: number;
  reconcileGraceMs?: number;
}

export interface LocalStack {
  httpUrl: string;
  /** What completion callbacks are signed with (CALLBACK_SECRET, or one made for this run). */
  callbackSecret: string;
  /** Where this stack's task processes get their working directories (how to find them). */
  taskWorkDir: string;
  /** serverless offline's Lambda Invoke API. */
  lambdaUrl: string;
  sqsEndpoint: string;
  /** serverless offline's process (supervised: restarted if it exits on its own). */
  readonly offlineProcess: ChildProcess;
  /** The ElasticMQ this stack started and supervises (undefined when it uses another SQS). */
  readonly elasticMq: ElasticMq | undefined;
  /** The dynalite this stack started and supervises (JOB_STORE=dynamodb without DYNAMODB_ENDPOINT). */
  readonly dynalite: Dynalite | undefined;
  /** The settings that open this stack's job store (JOB_STORE and where it is). */
  storeEnv: Record<string, string>;
  consumer: ConsumerSettings;
  /** The consumer's own process: the event source mapping and the function it invokes. */
  consumerProcess: ConsumerProcess;
  /** Restarts the consumer with other event source settings (benchmarks compare batch sizes this way). */
  reconfigureEventSource(overrides: Partial<EventSourceSettings>): Promise<void>;
  stop(): Promise<void>;
}

/** The queue-triggered functions of serverless.yml (the consumer, the callback deliverer), bundled. */
async function queueFunctions(projectDir: string, printed: PrintedConfig, outDir: string) {
  const consumer = consumerSettings(printed, 'runJobs');
  const deliverer = consumerSettings(printed, 'deliverCallbacks');
  const queueHandlers = [consumer.handler, deliverer.handler];
  const bundles = await bundleFunctions({
    projectDir,
    httpHandlers: Object.values(printed.functions ?? {}).flatMap((fn) =>
      fn.handler && !queueHandlers.includes(fn.handler) ? [fn.handler] : [],
    ),
    consumerHandlers: queueHandlers,
    settings: printed.custom?.esbuild,
    outDir,
  });
  return { consumer, deliverer, bundles };
}

/** The backends the functions use answer as they must: the job table, the two queues. */
async function checkBackends(
  config: Config,
  sqsEndpoint: string,
  { consumer, deliverer }: { consumer: ConsumerSettings; deliverer: ConsumerSettings },
) {
  if (config.jobStore === 'dynamodb') await tableCheck(config);
  const sqs = createSqsClient(config, { requestTimeoutMs: 25_000 });
  try {
    const jobs = await queueCheck(sqs, sqsEndpoint, config.jobsQueueName, consumer);
    const callbacks = await queueCheck(sqs, sqsEndpoint, config.callbacksQueueName, deliverer);
    return { jobs, callbacks };
  } finally {
    sqs.destroy();
  }
}

/** Task processes an earlier run of this stack left (its consumer was killed with SIGKILL) end first. */
async function endLeftovers(taskWorkDir: string, say: (line: string) => void): Promise<void> {
  await mkdir(taskWorkDir, { recursive: true });
  const leftovers = await killTaskProcesses(taskWorkDir);
  if (leftovers > 0) say(`ended ${leftovers} task process(es) an earlier run left behind`);
}

/**
 * The consumer's process: the event source mapping of the jobs queue and the function it invokes,
 * with the callback deliverer beside it on its own queue, as serverless.yml sets them.
 */
function consumerLauncher(
  options: LocalStackOptions,
  context: {
    config: Config;
    env: NodeJS.ProcessEnv;
    deliverer: ConsumerSettings;
    bundles: Bundles;
    queues: { jobs: { url: string; arn: string }; callbacks: { url: string; arn: string } };
    failed: (reason: string) => void;
  },
) {
  const { config, env, deliverer, bundles, queues } = context;
  return (consumer: ConsumerSettings) =>
    startConsumerProcess({
      settings: {
        projectDir: options.projectDir,
        // Up to ten jobs held ready (one ReceiveMessage's most): a freed slot starts its next job
        // without a receive, and the look-ahead is refilled five at a time (2,000 `echo` jobs: 0.23
        // receives per job instead of 0.5 with one held per slot).
        ...hostedFunction(consumer, queues.jobs, config.region, { lookAhead: consumer.lookAhead ?? 10 }),
        companions: [hostedFunction(deliverer, queues.callbacks, config.region)],
      },
      bundles,
      // What Lambda gives the function: its environment from serverless.yml, over the stack's.
      env: withLoopDelay(options.projectDir, { ...env, ...consumer.environment }),
      output: options.offlineOutput,
      onExit: (code) => context.failed(`the consumer exited (code ${code})`),
    });
}

/** The stack as its callers hold it: its addresses and settings, its current parts, its stop. */
function stackHandle(
  parts: StackParts,
  context: {
    ports: { httpPort: number; lambdaPort: number };
    sqsEndpoint: string;
    config: Config;
    consumer: ConsumerSettings;
    callbackSecret: string;
    startConsumer: (settings: ConsumerSettings) => Promise<ConsumerProcess>;
    stop: () => Promise<void>;
  },
): LocalStack {
  const { config, consumer } = context;
  return {
    httpUrl: `http://localhost:${context.ports.httpPort}`,
    callbackSecret: context.callbackSecret,
    taskWorkDir: config.taskWorkDir,
    lambdaUrl: `http://127.0.0.1:${context.ports.lambdaPort}`,
    sqsEndpoint: context.sqsEndpoint,
    get offlineProcess() {
      return parts.offline!.current().process;
    },
    get elasticMq() {
      return parts.queueSupervisor?.current() ?? parts.elasticMq;
    },
    get dynalite() {
      return parts.dynaliteSupervisor?.current() ?? parts.dynalite;
    },
    storeEnv: {
      JOB_STORE: config.jobStore,
      JOB_STORE_DIR: config.jobStoreDir,
      JOB_TABLE_NAME: config.jobTableName,
      ...(config.dynamodbEndpoint ? { DYNAMODB_ENDPOINT: config.dynamodbEndpoint } : {}),
    },
    consumer,
    get consumerProcess() {
      return parts.consumerProcess!;
    },
    async reconfigureEventSource(overrides: Partial<EventSourceSettings>) {
      await parts.consumerProcess?.stop({ drain: true });
      parts.consumerProcess = await context.startConsumer({ ...consumer, ...overrides });
    },
    stop: context.stop,
  };
}

/**
 * Brings up the whole local stack: ElasticMQ (unless another SQS is given), serverless offline with
 * the handlers, and the event source mapping that feeds the consumer. Every failure is a StackError
 * with a one-line reason; whatever was started is stopped again.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const say = options.say ?? (() => undefined);
  const httpPort = options.httpPort ?? 5000;
  const lambdaPort = options.lambdaPort ?? 5002;
  const elasticMqPort = options.elasticMqPort ?? 9324;
  const parts: StackParts = {};
  let stopping: Promise<void> | undefined;
  const stopAll = () => (stopping ??= stopParts(parts));
  const failed = (reason: string) => {
    if (!stopping) options.onFailure?.(reason);
  };
  const keep: Keep = (first, spec) => supervise(first, { ...spec, say, onGiveUp: failed });
  try {
    // Fail on a bad catalogue, setting or busy port before anything starts.
    const given = readGivenSettings({ ...process.env, ...options.env }, say);
    await portsCheck([
      [httpPort, 'the HTTP API', 'HTTP_PORT'],
      [lambdaPort, 'the Lambda invoke API', 'LAMBDA_PORT'],
    ]);
    const sqsEndpoint = options.sqsEndpoint ?? `http://localhost:${elasticMqPort}`;
    const { env, madeSecret } = stackEnvironment(
      { ...options, httpPort, lambdaPort, sqsEndpoint, ownQueues: !options.sqsEndpoint },
      given,
      say,
    );
    if (env.JOB_STORE === 'dynamodb' && !env.DYNAMODB_ENDPOINT?.trim()) {
      await startStoreServer(options, env, parts, { port: options.dynamoDbPort ?? 8000, say, keep });
    }
    // serverless resolves the functions' environment from this same environment.
    const bundlesDir = path.join(options.projectDir, '.cache', 'bundles', String(httpPort));
    if (!options.watch) {
      // serverless offline runs the bundles made here (serverless-plugins/prebuilt-bundles.js)
      // instead of having serverless-esbuild build and watch them.
      env.SPAWN_QUEUE_BUNDLER = './serverless-plugins/prebuilt-bundles.js';
      env.SPAWN_QUEUE_BUNDLES_DIR = bundlesDir;
    }
    const printing = printServerlessConfig(options.projectDir, env);
    printing.catch(() => undefined);
    const queueServer = await startQueueServer(options, parts, {
      port: elasticMqPort,
      sqsEndpoint,
      say,
      failed,
    });
    const { consumer, deliverer, bundles } = await queueFunctions(
      options.projectDir,
      await printing,
      bundlesDir,
    );
    // What the functions get: the stack's environment under serverless.yml's.
    const config = loadConfig({ ...env, ...consumer.environment });
    const queues = await checkBackends(config, sqsEndpoint, { consumer, deliverer });
    // The stack's own services (one composition root, lib/services.ts), its queues' URLs known.
    const services = createServices({
      ...config,
      jobsQueueUrl: queues.jobs.url,
      callbacksQueueUrl: queues.callbacks.url,
    });
    parts.services = services;
    if (parts.elasticMq && queueServer) {
      parts.queueSupervisor = await repairAndKeepQueue(services, parts.elasticMq, queueServer, { say, keep });
    }
    parts.taskWorkDir = config.taskWorkDir;
    await endLeftovers(config.taskWorkDir, say);
    say(`starting serverless offline on http://localhost:${httpPort}`);
    const startOffline = () =>
      startServerlessOffline({
        projectDir: options.projectDir,
        httpPort,
        env,
        output: options.offlineOutput,
      });
    // A restarted serverless offline loses nothing: jobs live in the store and the queue.
    parts.offline = keep(await startOffline(), {
      name: 'serverless offline',
      start: startOffline,
      meanwhile: 'the HTTP API is down until it is back (the consumer keeps running jobs)',
    });
    const startConsumer = consumerLauncher(options, { config, env, deliverer, bundles, queues, failed });
    parts.consumerProcess = await startConsumer(consumer);
    parts.maintenance = startMaintenance({
      config,
      store: services.store,
      queue: services.queue,
      schedules: { store: services.schedules, catalogue: services.catalogue, log: options.logger },
      say,
      reconcileIntervalMs: options.reconcileIntervalMs,
      reconcileGraceMs: options.reconcileGraceMs,
    });
    say(
      `event source: ${config.jobsQueueName} -> ${consumer.functionName} in its own process (batchSize ${consumer.batchSize}, at most ${consumer.concurrency} at once); ${config.callbacksQueueName} -> ${deliverer.functionName} beside it`,
    );
    if (madeSecret) {
      say(
        `completion callbacks are signed with a secret made for this run: CALLBACK_SECRET=${env.CALLBACK_SECRET} (set CALLBACK_SECRET to keep one)`,
      );
    }
    return stackHandle(parts, {
      ports: { httpPort, lambdaPort },
      sqsEndpoint,
      config,
      consumer,
      callbackSecret: env.CALLBACK_SECRET ?? '',
      startConsumer,
      stop: stopAll,
    });
  } catch (error) {
    await stopAll();
    throw error;
  }
}
