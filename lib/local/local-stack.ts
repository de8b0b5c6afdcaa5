import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig } from '../config';
import type { Config } from '../config';
import { parseFlag } from '../env-values';
import { createJobStore } from '../store/create-job-store';
import { killTaskProcesses } from '../process/task-processes';
import { createCallbackQueue } from '../queue/callback-queue';
import { createJobQueue } from '../queue/job-queue';
import type { Logger } from '../logger';
import { createSqsClient } from '../queue/sqs-client';
import { createCatalogue } from '../tasks/catalogue';
import { readCatalogueFile } from '../tasks/catalogue-file';
import { describeContainment } from '../process/containment';
import { CatalogueError } from '../tasks/task-errors';
import { ConfigError } from '../config-errors';
import { routeOutput, spawnTethered, stdioFor, stopProcessGroup } from './child-processes';
import type { ChildOutput } from './child-processes';
import { ensureJobTable, localDynamoDbClient, startDynalite } from './dynalite';
import type { Dynalite } from './dynalite';
import { healthUrl, startElasticMq } from './elasticmq';
import type { ElasticMq } from './elasticmq';
import { supervise } from './supervisor';
import type { Part, Supervised } from './supervisor';
import { bundleFunctions } from './bundles';
import { startConsumerProcess } from './consumer-process';
import type { ConsumerProcess } from './consumer-process';
import type { EventSourceSettings } from './event-source-mapping';
import { resendPendingCallbacks, resendUnfinished } from '../jobs/job-lifecycle';
import { answers, isPortFree, waitUntil } from './ports';
import {
  checkVisibilityTimeout,
  consumerSettings,
  printServerlessConfig,
  serverlessLogLevel,
} from './serverless-settings';
import type { ConsumerSettings } from './serverless-settings';
import { StackError } from './stack-errors';
import { startMaintenance } from './maintenance';
import type { JobStore } from '../jobs/job-store';

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

const LOCAL_QUEUES = {
  JOBS_QUEUE_NAME: 'jobs',
  DEAD_LETTER_QUEUE_NAME: 'jobs-dead-letters',
  CALLBACKS_QUEUE_NAME: 'callbacks',
};

async function queueCheck(
  sqs: SQSClient,
  endpoint: string,
  queueName: string,
  consumer: Pick<ConsumerSettings, 'timeoutSeconds'>,
) {
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
async function tableCheck(config: ReturnType<typeof loadConfig>): Promise<void> {
  const endpoint = config.dynamodbEndpoint ?? 'the AWS default endpoint';
  const client = localDynamoDbClient(config.dynamodbEndpoint);
  try {
    await ensureJobTable(client, config.jobTableName);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StackError(
      `DynamoDB at ${endpoint} does not answer for table "${config.jobTableName}": ${reason.slice(0, 200)}`,
    );
  } finally {
    client.destroy();
  }
}

/**
 * A V8 setting for serverless offline, which holds every HTTP function: a burst of 1,000 connections
 * and the polled loads left its heap ~200 MB larger until V8's memory reducer ran, a minute or more
 * later (the requests' garbage, promoted to the old generation). With the old generation growing by
 * 20 % per collection instead of V8's up to 4x, the same loads left it at 270-276 MB instead of
 * 377-400, idle and a minute later the same (alternating runs). Also tried: a smaller young
 * generation (less memory, the bursts' p99 a quarter worse) and an earlier memory reducer (it then
 * sometimes gave nothing back). `node` takes V8 flags on its command line only (not in
 * NODE_OPTIONS), so the framework's script runs under this process's Node with it.
 */
export const OFFLINE_NODE_FLAGS = ['--heap-growing-percent=20'];

/**
 * serverless offline's environment, with the preloads that make it answer as API Gateway does: a
 * longer listen queue (listen-backlog.js: a burst of connections is accepted, not dropped until the
 * clients retry), a function's failure in the API's error shape, without its stack trace
 * (gateway-errors.js), and the stack's doors (front-door.js: no foreign origin, no foreign Host
 * without tokens, the invoke port on loopback).
 */
function withGatewayPreloads(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const preloads = ['listen-backlog.js', 'gateway-errors.js', 'front-door.js'].map(
    (file) => `--require ${JSON.stringify(path.join(__dirname, file))}`,
  );
  return withLoopDelay({
    ...env,
    SPAWN_QUEUE_FRONT_DOOR: 'on',
    NODE_OPTIONS: [env.NODE_OPTIONS, ...preloads].filter(Boolean).join(' '),
  });
}

/** With SPAWN_QUEUE_LOOP_DELAY_DIR set (benchmarks): the preload that measures event-loop delay. */
export function withLoopDelay(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (!env.SPAWN_QUEUE_LOOP_DELAY_DIR) return env;
  const preload = `--require ${JSON.stringify(path.join(__dirname, 'loop-delay.js'))}`;
  return { ...env, NODE_OPTIONS: [env.NODE_OPTIONS, preload].filter(Boolean).join(' ') };
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
  const dynamoDbPort = options.dynamoDbPort ?? 8000;
  let elasticMq: ElasticMq | undefined;
  const startQueueServer = () =>
    startElasticMq({
      projectDir: options.projectDir,
      port: elasticMqPort,
      settings: options.elasticMqSettings,
    });
  let supervisor: Supervised<ElasticMq> | undefined;
  let offlineSupervisor: Supervised<Part> | undefined;
  let dynalite: Dynalite | undefined;
  let dynaliteSupervisor: Supervised<Dynalite> | undefined;
  let consumerProcess: ConsumerProcess | undefined;
  let maintenance: { stop(): Promise<void> } | undefined;
  let stackStore: JobStore | undefined;
  let taskWorkDir: string | undefined;
  let stopping: Promise<void> | undefined;
  // Stop in the order that loses nothing: no new invocations, then the handlers, then the task
  // processes they left (each runs in its own process group), then the queue.
  const stopAll = () =>
    (stopping ??= (async () => {
      // An ElasticMQ we started goes away with its messages: no need to hand receives back gracefully.
      await maintenance?.stop();
      await stackStore?.close().catch(() => undefined);
      await consumerProcess?.stop({ drain: false, graceful: !elasticMq }).catch(() => undefined);
      await offlineSupervisor?.stop();
      if (taskWorkDir) await killTaskProcesses(taskWorkDir).catch(() => undefined);
      await Promise.all([
        supervisor ? supervisor.stop() : elasticMq?.stop(),
        dynaliteSupervisor ? dynaliteSupervisor.stop() : dynalite?.stop(),
      ]);
    })());

  try {
    // Fail on a bad catalogue or setting before anything starts.
    let logLevel: string;
    let given: Config | undefined;
    try {
      given = loadConfig({ ...process.env, ...options.env });
      ({ logLevel } = given);
      const catalogue = createCatalogue(
        given.taskCatalogueFile ? readCatalogueFile(given.taskCatalogueFile) : undefined,
      );
      for (const task of catalogue.tasks().filter((t) => !t.available)) {
        say(
          `task "${task.name}" is unavailable: ${task.unavailableReason} (it answers 503 task_unavailable)`,
        );
      }
    } catch (error) {
      if (error instanceof CatalogueError || error instanceof ConfigError) {
        throw new StackError(
          `${error instanceof CatalogueError ? (given?.taskCatalogueFile ?? 'config/tasks.json') : 'configuration'}: ${error.message}`,
        );
      }
      throw error;
    }
    for (const [port, what, variable] of [
      [httpPort, 'the HTTP API', 'HTTP_PORT'],
      [lambdaPort, 'the Lambda invoke API', 'LAMBDA_PORT'],
    ] as const) {
      if (!(await isPortFree(port))) {
        throw new StackError(
          `port ${port} (${what}) is busy: is spawn-queue already running? Stop it, or set ${variable} to another port`,
        );
      }
    }

    const sqsEndpoint = options.sqsEndpoint ?? `http://localhost:${elasticMqPort}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...(options.sqsEndpoint ? {} : LOCAL_QUEUES),
      ...options.env,
      // Locally the handlers may run on Node 20 (AWS runs them on nodejs24.x): the SDK's notice is noise here.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      SQS_ENDPOINT: sqsEndpoint,
      HTTP_PORT: String(httpPort),
      LAMBDA_PORT: String(lambdaPort),
      JOB_STORE_DIR: path.resolve(
        options.projectDir,
        options.jobStoreDir ?? options.env?.JOB_STORE_DIR ?? process.env.JOB_STORE_DIR ?? '.data',
      ),
      // Task work directories of this stack only, so stopping it stops its tasks and nobody else's.
      TASK_WORK_DIR: path.join(os.tmpdir(), `spawn-queue-${httpPort}`),
    };
    env.JOB_STORE = env.JOB_STORE?.trim() || 'sqlite';
    // Tokens come from API_TOKEN_HASHES here, never from a deployed stack's SSM parameter. Without
    // any, the API is open: it listens on loopback only. With them it is meant to be reached from the
    // network: only the API's port is opened beyond loopback, and it follows a deployed stack's rules.
    env.API_TOKEN_PARAMETER = '';
    const authOn = Boolean(env.API_TOKEN_HASHES?.trim());
    env.HTTP_HOST = authOn ? env.HTTP_HOST?.trim() || '0.0.0.0' : '127.0.0.1';
    // Completion callbacks may reach this machine (a receiver on localhost) on a loopback stack; on
    // one reachable from the network, as deployed, only if the operator says so. Always signed with
    // CALLBACK_SECRET, or a secret made for this run.
    env.CALLBACK_ALLOW_INTERNAL = env.CALLBACK_ALLOW_INTERNAL?.trim() || String(!authOn);
    // CloudWatch's embedded metric format is for a deployed stack's logs, not this terminal.
    env.CLOUDWATCH_METRICS = env.CLOUDWATCH_METRICS?.trim() || 'false';
    const madeSecret = !env.CALLBACK_SECRET?.trim();
    if (madeSecret) env.CALLBACK_SECRET = randomBytes(24).toString('hex');
    // serverless' own lines follow LOG_LEVEL too, unless SLS_LOG_LEVEL says otherwise.
    env.SLS_LOG_LEVEL ||= serverlessLogLevel(logLevel);
    const callbackAllowInternal = parseFlag(env.CALLBACK_ALLOW_INTERNAL) === true;
    const { corsOrigins, taskCatalogueFile, containment } = given;
    say(
      authOn
        ? `API tokens: on (API_TOKEN_HASHES); the API listens on ${env.HTTP_HOST}, every other port on 127.0.0.1; callbacks to internal addresses ${callbackAllowInternal ? 'allowed (CALLBACK_ALLOW_INTERNAL)' : 'refused'}`
        : 'API tokens: off (no API_TOKEN_HASHES set), so the API listens on 127.0.0.1 only and answers only requests addressed to localhost',
    );
    if (corsOrigins.length > 0)
      say(`browsers may call the API from ${corsOrigins.join(', ')} (CORS_ORIGINS)`);
    if (taskCatalogueFile) say(`tasks from ${taskCatalogueFile} (TASK_CATALOGUE)`);
    say(`containment: ${describeContainment(containment)}`);
    if (env.JOB_STORE === 'dynamodb' && !env.DYNAMODB_ENDPOINT?.trim()) {
      if (!(await isPortFree(dynamoDbPort))) {
        throw new StackError(
          `port ${dynamoDbPort} (dynalite, the local DynamoDB) is busy: stop what uses it, or set DYNAMODB_PORT to another port`,
        );
      }
      const dataDir = path.join(env.JOB_STORE_DIR!, 'dynamodb');
      say(`starting dynalite (the local DynamoDB) on port ${dynamoDbPort}, data in ${dataDir}`);
      const startStoreServer = () =>
        startDynalite({ projectDir: options.projectDir, port: dynamoDbPort, dataDir, env });
      dynalite = await startStoreServer();
      env.DYNAMODB_ENDPOINT = dynalite.endpoint;
      // Its data lives on disk (dataDir): a restart loses nothing, so nothing needs repairing after it.
      dynaliteSupervisor = supervise(dynalite, {
        name: 'dynalite',
        start: startStoreServer,
        meanwhile: 'submits and reads answer 503 store_unavailable until it is back',
        say,
        onGiveUp: (reason) => {
          if (!stopping) options.onFailure?.(reason);
        },
      });
    }
    // serverless resolves the functions' environment from this same environment.
    const bundlesDir = path.join(options.projectDir, '.cache', 'bundles', String(httpPort));
    if (!options.watch) {
      // serverless offline runs the bundles made below (serverless-plugins/prebuilt-bundles.js)
      // instead of having serverless-esbuild build and watch them.
      env.SPAWN_QUEUE_BUNDLER = './serverless-plugins/prebuilt-bundles.js';
      env.SPAWN_QUEUE_BUNDLES_DIR = bundlesDir;
    }
    const printed = printServerlessConfig(options.projectDir, env);
    printed.catch(() => undefined);

    if (options.sqsEndpoint) {
      say(`using the SQS at ${sqsEndpoint} (SQS_ENDPOINT is set; ElasticMQ is not started)`);
    } else {
      if (await isPortFree(elasticMqPort)) {
        say(`starting ElasticMQ on port ${elasticMqPort} (the first start downloads it with Maven)`);
        elasticMq = await startQueueServer();
        // Until the stack is up an exit is a failed start; then the supervisor restarts it.
        elasticMq.process.once('exit', (code) => {
          if (!stopping && !supervisor) options.onFailure?.(`ElasticMQ exited (code ${code})`);
        });
        say(`ElasticMQ ready at ${sqsEndpoint}`);
      } else if (await answers(healthUrl(sqsEndpoint))) {
        say(`ElasticMQ already answers on port ${elasticMqPort}: using it (it is not stopped on exit)`);
      } else {
        throw new StackError(
          `port ${elasticMqPort} is busy with something that is not ElasticMQ: stop it, or set SQS_ENDPOINT to an SQS to use`,
        );
      }
    }

    const serverlessConfig = await printed;
    const consumer = consumerSettings(serverlessConfig, 'runJobs');
    const deliverer = consumerSettings(serverlessConfig, 'deliverCallbacks');
    const queueHandlers = [consumer.handler, deliverer.handler];
    const bundles = await bundleFunctions({
      projectDir: options.projectDir,
      httpHandlers: Object.values(serverlessConfig.functions ?? {}).flatMap((fn) =>
        fn.handler && !queueHandlers.includes(fn.handler) ? [fn.handler] : [],
      ),
      consumerHandlers: queueHandlers,
      settings: serverlessConfig.custom?.esbuild,
      outDir: bundlesDir,
    });
    // What the functions get: the stack's environment under serverless.yml's.
    const config = loadConfig({ ...env, ...consumer.environment });
    if (config.jobStore === 'dynamodb') await tableCheck(config);
    const sqs = createSqsClient(config, { requestTimeoutMs: 25_000 });
    const queue = await queueCheck(sqs, sqsEndpoint, config.jobsQueueName, consumer);
    const callbackQueue = await queueCheck(sqs, sqsEndpoint, config.callbacksQueueName, deliverer);
    // The stack's own store and jobs queue (their URLs resolved by the checks above): for the repair
    // after a restart and for its maintenance.
    stackStore = createJobStore(config);
    const store = stackStore;
    const jobQueue = createJobQueue({
      sqs,
      queueUrl: queue.url,
      queueName: config.jobsQueueName,
      deadLetterQueueName: config.deadLetterQueueName,
    });
    if (elasticMq) {
      const callbacks = createCallbackQueue({
        sqs,
        queueUrl: callbackQueue.url,
        queueName: config.callbacksQueueName,
      });
      // A fresh in-memory ElasticMQ has lost the messages of the jobs the last run left queued or
      // running: send them again and end the leases of the attempts its stop killed, so nothing stays
      // unfinished forever (a shared queue, given by SQS_ENDPOINT, still has them). The same for the
      // completion callbacks still to deliver: their next tries waited in the lost queue.
      const [requeued, told] = await Promise.all([
        resendUnfinished({ store, queue: jobQueue }),
        resendPendingCallbacks({ store, callbacks }),
      ]);
      if (requeued > 0) say(`sent ${requeued} unfinished job(s) from the last run to the new queue again`);
      if (told > 0)
        say(`sent ${told} pending completion callback(s) from the last run to the new queue again`);
      supervisor = supervise(elasticMq, {
        name: 'ElasticMQ',
        start: startQueueServer,
        // The consumer still runs its jobs: running ones are sent again without taking them over.
        afterRestart: async () => {
          const [sent, resent] = await Promise.all([
            resendUnfinished({ store, queue: jobQueue }, { releaseRunning: false }),
            resendPendingCallbacks({ store, callbacks }),
          ]);
          return `its queues are recreated and ${sent} unfinished job(s) and ${resent} pending callback(s) were sent again`;
        },
        meanwhile: 'submits answer 503 until it is back',
        say,
        onGiveUp: (reason) => {
          if (!stopping) options.onFailure?.(reason);
        },
      });
    }

    say(`starting serverless offline on http://localhost:${httpPort}`);
    taskWorkDir = config.taskWorkDir;
    await mkdir(taskWorkDir, { recursive: true });
    // Task processes an earlier run of this stack left (its consumer was killed with SIGKILL) end
    // before anything runs: a restart never has more than 4 at once.
    const leftovers = await killTaskProcesses(taskWorkDir);
    if (leftovers > 0) say(`ended ${leftovers} task process(es) an earlier run left behind`);
    const httpUrl = `http://localhost:${httpPort}`;
    const startOffline = async (): Promise<Part> => {
      // Tethered: if this process dies without stopping it, serverless offline goes too.
      const child = spawnTethered(
        process.execPath,
        [
          ...OFFLINE_NODE_FLAGS,
          path.join(options.projectDir, 'node_modules', 'serverless', 'bin', 'serverless.js'),
          'offline',
          'start',
        ],
        { cwd: options.projectDir, env: withGatewayPreloads(env), output: stdioFor(options.offlineOutput) },
      );
      routeOutput(child, options.offlineOutput);
      let exited = false;
      child.once('exit', () => (exited = true));
      const up = await waitUntil(
        async () => !exited && (await answers(`${httpUrl}/api/health`, 5000)),
        120_000,
        300,
      );
      const part = { process: child, stop: () => stopProcessGroup(child) };
      if (!up) {
        await part.stop();
        throw new StackError(
          `serverless offline did not come up on port ${httpPort}${exited ? ' (it exited; see its output above)' : ''}`,
        );
      }
      return part;
    };
    const firstOffline = await startOffline();
    // A restarted serverless offline loses nothing: jobs live in the store and the queue.
    offlineSupervisor = supervise(firstOffline, {
      name: 'serverless offline',
      start: startOffline,
      meanwhile: 'the HTTP API is down until it is back (the consumer keeps running jobs)',
      say,
      onGiveUp: (reason) => {
        if (!stopping) options.onFailure?.(reason);
      },
    });

    const startConsumer = (settings: EventSourceSettings) =>
      startConsumerProcess({
        settings: {
          projectDir: options.projectDir,
          handler: consumer.handler,
          functionName: consumer.functionName,
          timeoutSeconds: consumer.timeoutSeconds,
          memorySize: consumer.memorySize,
          region: config.region,
          queueUrl: queue.url,
          queueArn: queue.arn,
          eventSource: {
            batchSize: settings.batchSize,
            maximumBatchingWindow: settings.maximumBatchingWindow,
            concurrency: settings.concurrency,
            reportBatchItemFailures: settings.reportBatchItemFailures,
            // Up to ten jobs held ready (one ReceiveMessage's most): a freed slot starts its next
            // job without a receive, and the look-ahead is refilled five at a time (2,000 `echo`
            // jobs: 0.23 receives per job instead of 0.5 with one held per slot).
            lookAhead: settings.lookAhead ?? 10,
          },
          companions: [
            {
              handler: deliverer.handler,
              functionName: deliverer.functionName,
              timeoutSeconds: deliverer.timeoutSeconds,
              memorySize: deliverer.memorySize,
              region: config.region,
              queueUrl: callbackQueue.url,
              queueArn: callbackQueue.arn,
              eventSource: {
                batchSize: deliverer.batchSize,
                maximumBatchingWindow: deliverer.maximumBatchingWindow,
                concurrency: deliverer.concurrency,
                reportBatchItemFailures: deliverer.reportBatchItemFailures,
              },
            },
          ],
        },
        bundles,
        // What Lambda gives the function: its environment from serverless.yml, over the stack's.
        env: withLoopDelay({ ...env, ...consumer.environment }),
        output: options.offlineOutput,
        onExit: (code) => {
          if (!stopping) options.onFailure?.(`the consumer exited (code ${code})`);
        },
      });
    consumerProcess = await startConsumer(consumer);
    maintenance = startMaintenance({
      config,
      store,
      queue: jobQueue,
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
    return {
      httpUrl,
      callbackSecret: env.CALLBACK_SECRET ?? '',
      taskWorkDir: config.taskWorkDir,
      lambdaUrl: `http://127.0.0.1:${lambdaPort}`,
      sqsEndpoint,
      get offlineProcess() {
        return offlineSupervisor!.current().process;
      },
      get elasticMq() {
        return supervisor?.current() ?? elasticMq;
      },
      get dynalite() {
        return dynaliteSupervisor?.current() ?? dynalite;
      },
      storeEnv: {
        JOB_STORE: config.jobStore,
        JOB_STORE_DIR: config.jobStoreDir,
        JOB_TABLE_NAME: config.jobTableName,
        ...(config.dynamodbEndpoint ? { DYNAMODB_ENDPOINT: config.dynamodbEndpoint } : {}),
      },
      consumer,
      get consumerProcess() {
        return consumerProcess!;
      },
      async reconfigureEventSource(overrides) {
        await consumerProcess?.stop({ drain: true });
        consumerProcess = await startConsumer({ ...consumer, ...overrides });
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
