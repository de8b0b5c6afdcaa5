import os from 'node:os';
import path from 'node:path';
import { isTokenHash } from './auth/api-tokens';
import { ConfigError } from './config-errors';
import { parseFlag, parseOrigins } from './env-values';

/**
 * Every setting the handlers read from the environment, read once and validated here.
 * Nothing else in lib/ or handlers/ touches process.env.
 */
export interface Config {
  /** Region for the AWS clients. */
  region: string;
  /** SQS endpoint override (ElasticMQ locally); undefined means the AWS default endpoint. */
  sqsEndpoint: string | undefined;
  /** Placeholder credentials for an endpoint that ignores them (ElasticMQ) when none are set. */
  useLocalCredentials: boolean;
  /** Queue URL if known (on AWS it is injected); otherwise resolved from the name. */
  jobsQueueUrl: string | undefined;
  jobsQueueName: string;
  deadLetterQueueUrl: string | undefined;
  deadLetterQueueName: string;
  /** The queue of completion callbacks to deliver (one message per final job that asked for one). */
  callbacksQueueUrl: string | undefined;
  callbacksQueueName: string;
  /** Signs completion callbacks (HMAC-SHA256), given directly (the local stack). */
  callbackSecret: string | undefined;
  /**
   * SSM parameter (a SecureString) that holds the callback secret (deployed stacks), read by the
   * deliverer at most every 5 minutes. Callbacks are on when either is set; a submit that asks for
   * one is refused otherwise.
   */
  callbackSecretParameter: string | undefined;
  /** Lets callbacks reach loopback and private addresses: the local stack only, never deployed. */
  callbackAllowInternal: boolean;
  /**
   * Web origins other than the API's own that browsers may call it from (CORS_ORIGINS). Empty: none,
   * the dashboard being same-origin. Deployed it is the HTTP API's CORS configuration.
   */
  corsOrigins: string[];
  /** The consumer writes CloudWatch metrics (embedded metric format) of each finished job: deployed. */
  cloudWatchMetrics: boolean;
  /** Receives after which SQS moves a message to the dead-letter queue (the queue's redrive policy). */
  maxReceiveCount: number;
  /** Which adapter holds the job store: SQLite (local default) or a DynamoDB table (deployed). */
  jobStore: 'sqlite' | 'dynamodb';
  /** Directory of the SQLite job store's database file. */
  jobStoreDir: string;
  /** Table of the DynamoDB job store. */
  jobTableName: string;
  /** DynamoDB endpoint override (dynalite locally); undefined means the AWS default endpoint. */
  dynamodbEndpoint: string | undefined;
  /** Days a finished job is kept before it expires (DynamoDB TTL). */
  jobRetentionDays: number;
  /** Where each task gets its fresh working directory (local disk, not the shared store). */
  taskWorkDir: string;
  /** A catalogue file of the operator's (TASK_CATALOGUE) instead of the shipped config/tasks.json. */
  taskCatalogueFile: string | undefined;
  /** How jobs are contained (CONTAINMENT): the strongest available, or the process group always. */
  containment: 'auto' | 'process-group';
  /** Consumer slots: the function's reserved concurrency and the event source's maximumConcurrency. */
  consumerConcurrency: number;
  /** Jobs waiting in the queue beyond which a submit is refused with 429. */
  maxQueuedJobs: number;
  /** Largest request body accepted by the HTTP API. */
  maxBodyBytes: number;
  logLevel: string;
  stage: string;
  /** SHA-256 hashes of the accepted API tokens, given directly (the local stack). */
  apiTokenHashes: string[];
  /** SSM parameter that holds the hashes (deployed stacks). Auth is on when either is set. */
  apiTokenParameter: string | undefined;
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function text(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

function optionalUrl(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new ConfigError(`${name} must be a URL such as http://localhost:9324, got "${value}"`, name, {
      cause,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an http(s) URL, got "${value}"`, name);
  }
  return value.replace(/\/+$/, '');
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`, name);
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`, name);
  }
  return raw as T;
}

/** The deploy check reads these with the same parser, so no spelling of "true" slips past it. */
function flag(env: Env, name: string): boolean {
  const value = parseFlag(env[name]);
  if (value === undefined) {
    throw new ConfigError(`${name} must be true or false (or 1 or 0), got "${env[name]?.trim()}"`, name);
  }
  return value;
}

function origins(env: Env, name: string): string[] {
  try {
    return parseOrigins(env[name]);
  } catch (cause) {
    throw new ConfigError(`${name}: ${(cause as Error).message}`, name, { cause });
  }
}

/** The shortest callback secret accepted, given (CALLBACK_SECRET) or read from SSM. */
export const MIN_CALLBACK_SECRET_LENGTH = 16;

function secret(env: Env, name: string, minLength: number): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (raw.length < minLength) {
    throw new ConfigError(`${name} must be at least ${minLength} characters (got ${raw.length})`, name);
  }
  return raw;
}

/** An SSM parameter's name, as IAM names it in an ARN: a path from the root ("/a/b"). */
function parameterName(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!/^(\/[\w.-]+)+$/.test(raw)) {
    throw new ConfigError(
      `${name} must be an SSM parameter path such as /spawn-queue/prod/name (got "${raw}")`,
      name,
    );
  }
  return raw;
}

function tokenHashes(env: Env, name: string): string[] {
  const raw = env[name]?.trim();
  if (!raw) return [];
  const parts = raw.split(/[\s,]+/).filter(Boolean);
  const bad = parts.find((part) => !isTokenHash(part.toLowerCase()));
  if (bad !== undefined) {
    throw new ConfigError(
      `${name} must list SHA-256 hashes of tokens (64 hex digits each; "npm run token" makes one), got "${bad.slice(0, 12)}..."`,
      name,
    );
  }
  return parts.map((part) => part.toLowerCase());
}

/** Reads and validates the settings; throws a ConfigError naming the variable and the bad value. */
export function loadConfig(env: Env = process.env): Config {
  const sqsEndpoint = optionalUrl(env, 'SQS_ENDPOINT');
  const dynamodbEndpoint = optionalUrl(env, 'DYNAMODB_ENDPOINT');
  return Object.freeze({
    region: text(env, 'AWS_REGION', 'us-east-1'),
    sqsEndpoint,
    useLocalCredentials:
      (sqsEndpoint !== undefined || dynamodbEndpoint !== undefined) &&
      !env.AWS_ACCESS_KEY_ID &&
      !env.AWS_PROFILE,
    jobsQueueUrl: optionalUrl(env, 'JOBS_QUEUE_URL'),
    jobsQueueName: text(env, 'JOBS_QUEUE_NAME', 'jobs'),
    deadLetterQueueUrl: optionalUrl(env, 'DEAD_LETTER_QUEUE_URL'),
    deadLetterQueueName: text(env, 'DEAD_LETTER_QUEUE_NAME', 'jobs-dead-letters'),
    callbacksQueueUrl: optionalUrl(env, 'CALLBACKS_QUEUE_URL'),
    callbacksQueueName: text(env, 'CALLBACKS_QUEUE_NAME', 'callbacks'),
    callbackSecret: secret(env, 'CALLBACK_SECRET', MIN_CALLBACK_SECRET_LENGTH),
    callbackSecretParameter: parameterName(env, 'CALLBACK_SECRET_PARAMETER'),
    callbackAllowInternal: flag(env, 'CALLBACK_ALLOW_INTERNAL'),
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    cloudWatchMetrics: flag(env, 'CLOUDWATCH_METRICS'),
    maxReceiveCount: integer(env, 'MAX_RECEIVE_COUNT', 10, 1, 1000),
    jobStore: oneOf(env, 'JOB_STORE', ['sqlite', 'dynamodb'] as const, 'sqlite'),
    jobStoreDir: path.resolve(text(env, 'JOB_STORE_DIR', '.data')),
    jobTableName: text(env, 'JOB_TABLE_NAME', 'jobs'),
    dynamodbEndpoint,
    jobRetentionDays: integer(env, 'JOB_RETENTION_DAYS', 30, 1, 3650),
    taskWorkDir: path.resolve(text(env, 'TASK_WORK_DIR', os.tmpdir())),
    taskCatalogueFile: env.TASK_CATALOGUE?.trim() ? path.resolve(env.TASK_CATALOGUE.trim()) : undefined,
    containment: oneOf(env, 'CONTAINMENT', ['auto', 'process-group'] as const, 'auto'),
    consumerConcurrency: integer(env, 'CONSUMER_CONCURRENCY', 4, 1, 1000),
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 64 * 1024, 1024, 6 * 1024 * 1024),
    maxQueuedJobs: integer(env, 'MAX_QUEUED_JOBS', 10_000, 1, 100_000_000),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    stage: text(env, 'STAGE', 'dev'),
    apiTokenHashes: tokenHashes(env, 'API_TOKEN_HASHES'),
    apiTokenParameter: env.API_TOKEN_PARAMETER?.trim() || undefined,
  });
}

let cached: Config | undefined;

/** The process-wide configuration, loaded on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}

/** Whether completion callbacks can be signed: a secret given, or the parameter that holds one. */
export function callbacksEnabled(
  config: Pick<Config, 'callbackSecret' | 'callbackSecretParameter'>,
): boolean {
  return config.callbackSecret !== undefined || config.callbackSecretParameter !== undefined;
}
