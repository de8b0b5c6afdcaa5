import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config';
import type { Config } from '../config';
import { ConfigError } from '../config-errors';
import { parseFlag } from '../env-values';
import { describeContainment } from '../process/containment';
import { createCatalogue } from '../tasks/catalogue';
import { readCatalogueFile } from '../tasks/catalogue-file';
import { CatalogueError } from '../tasks/task-errors';
import { serverlessLogLevel } from './serverless-settings';
import { StackError } from './stack-errors';

const LOCAL_QUEUES = {
  JOBS_QUEUE_NAME: 'jobs',
  DEAD_LETTER_QUEUE_NAME: 'jobs-dead-letters',
  CALLBACKS_QUEUE_NAME: 'callbacks',
};

/**
 * The settings as given (the environment and the stack's options), read once and checked before
 * anything starts: a bad setting or catalogue is a StackError naming where it came from, and an
 * unavailable task is said.
 */
export function readGivenSettings(env: NodeJS.ProcessEnv, say: (line: string) => void): Config {
  let given: Config | undefined;
  try {
    given = loadConfig(env);
    const catalogue = createCatalogue(
      given.taskCatalogueFile ? readCatalogueFile(given.taskCatalogueFile) : undefined,
    );
    for (const task of catalogue.tasks().filter((t) => !t.available)) {
      say(`task "${task.name}" is unavailable: ${task.unavailableReason} (it answers 503 task_unavailable)`);
    }
    return given;
  } catch (error) {
    if (error instanceof CatalogueError || error instanceof ConfigError) {
      const source =
        error instanceof CatalogueError ? (given?.taskCatalogueFile ?? 'config/tasks.json') : 'configuration';
      throw new StackError(`${source}: ${error.message}`);
    }
    throw error;
  }
}

/**
 * The stack's environment policy: what every part of the local stack runs with (its ports, its
 * store, its queues), and the rules that follow from whether API tokens are set. Without any, the
 * API is open and listens on loopback only; with them it is meant to be reached from the network:
 * only the API's port leaves loopback, and it follows a deployed stack's rules. Says what is in force.
 */
export function stackEnvironment(
  options: {
    projectDir: string;
    httpPort: number;
    lambdaPort: number;
    sqsEndpoint: string;
    /** The SQS was given (SQS_ENDPOINT): its queue names are the caller's. */
    ownQueues: boolean;
    jobStoreDir?: string;
    env?: NodeJS.ProcessEnv;
  },
  given: Config,
  say: (line: string) => void,
): { env: NodeJS.ProcessEnv; madeSecret: boolean } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(options.ownQueues ? LOCAL_QUEUES : {}),
    ...options.env,
    // Locally the handlers may run on Node 20 (AWS runs them on nodejs24.x): the SDK's notice is noise here.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    SQS_ENDPOINT: options.sqsEndpoint,
    HTTP_PORT: String(options.httpPort),
    LAMBDA_PORT: String(options.lambdaPort),
    JOB_STORE_DIR: path.resolve(
      options.projectDir,
      options.jobStoreDir ?? options.env?.JOB_STORE_DIR ?? process.env.JOB_STORE_DIR ?? '.data',
    ),
    // Task work directories of this stack only, so stopping it stops its tasks and nobody else's.
    TASK_WORK_DIR: path.join(os.tmpdir(), `spawn-queue-${options.httpPort}`),
  };
  env.JOB_STORE = env.JOB_STORE?.trim() || 'sqlite';
  // Tokens come from API_TOKEN_HASHES here, never from a deployed stack's SSM parameter.
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
  env.SLS_LOG_LEVEL ||= serverlessLogLevel(given.logLevel);
  const callbackAllowInternal = parseFlag(env.CALLBACK_ALLOW_INTERNAL) === true;
  say(
    authOn
      ? `API tokens: on (API_TOKEN_HASHES); the API listens on ${env.HTTP_HOST}, every other port on 127.0.0.1; callbacks to internal addresses ${callbackAllowInternal ? 'allowed (CALLBACK_ALLOW_INTERNAL)' : 'refused'}`
      : 'API tokens: off (no API_TOKEN_HASHES set), so the API listens on 127.0.0.1 only and answers only requests addressed to localhost',
  );
  if (given.corsOrigins.length > 0) {
    say(`browsers may call the API from ${given.corsOrigins.join(', ')} (CORS_ORIGINS)`);
  }
  if (given.taskCatalogueFile) say(`tasks from ${given.taskCatalogueFile} (TASK_CATALOGUE)`);
  say(`containment: ${describeContainment(given.containment)}`);
  return { env, madeSecret };
}
