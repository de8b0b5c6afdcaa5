import path from 'node:path';
import { runCommand } from './child-processes';
import type { BundleSettings } from './bundles';
import type { EventSourceSettings } from './event-source-mapping';
import { StackError } from './stack-errors';

/** The consumer as serverless.yml defines it, with its variables resolved. */
export interface ConsumerSettings extends EventSourceSettings {
  /** The deployed function name, e.g. spawn-queue-dev-runJobs (what the Invoke API takes). */
  functionName: string;
  /** The handler as serverless.yml names it, e.g. handlers/sqs/run-jobs.handler. */
  handler: string;
  timeoutSeconds: number;
  memorySize: number;
  /** The function's environment: the provider's, then the function's own. */
  environment: Record<string, string>;
  reservedConcurrency?: number;
  maximumConcurrency?: number;
}

interface PrintedFunction {
  name?: string;
  handler?: string;
  timeout?: number;
  memorySize?: number;
  environment?: Record<string, unknown>;
  reservedConcurrency?: number;
  events?: Array<{ sqs?: Record<string, unknown> }>;
}

export interface PrintedConfig {
  provider?: { timeout?: number; memorySize?: number; environment?: Record<string, unknown> };
  custom?: { esbuild?: BundleSettings };
  functions?: Record<string, PrintedFunction>;
}

/** AWS asks for a visibility timeout of at least 6 x the function timeout. */
export const VISIBILITY_FACTOR = 6;

function positive(value: unknown, fallback: number | undefined, what: string): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new StackError(
      `serverless.yml: ${what} must be a non-negative integer, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * Reads an SQS-triggered function of a resolved serverless config (`key`; without it, the only one):
 * batch size, batching window, concurrency and response type, as Lambda's event source mapping
 * would apply them.
 */
export function consumerSettings(config: PrintedConfig, only?: string): ConsumerSettings {
  const entries = Object.entries(config.functions ?? {}).filter(
    ([name, fn]) => fn.events?.some((e) => e.sqs) && (only === undefined || name === only),
  );
  if (entries.length !== 1) {
    throw new StackError(
      only === undefined
        ? `serverless.yml must define exactly one function with an sqs event, found ${entries.length}`
        : `serverless.yml has no function ${only} with an sqs event`,
    );
  }
  const [key, fn] = entries[0]!;
  const sqs = fn.events!.find((e) => e.sqs)!.sqs!;
  const batchSize = positive(sqs.batchSize, 10, `${key}.sqs.batchSize`)!;
  const reserved = positive(fn.reservedConcurrency, undefined, `${key}.reservedConcurrency`);
  const maximum = positive(sqs.maximumConcurrency, undefined, `${key}.sqs.maximumConcurrency`);
  if (maximum !== undefined && reserved !== undefined && maximum > reserved) {
    // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
    throw new StackError(
      `serverless.yml: ${key}.sqs.maximumConcurrency (${maximum}) is above reservedConcurrency (${reserved}); invocations would be throttled and messages could reach the DLQ`,
    );
  }
  const concurrency = Math.min(maximum ?? Infinity, reserved ?? Infinity);
  if (!Number.isFinite(concurrency) || concurrency < 1) {
    throw new StackError(
      `serverless.yml: ${key} needs reservedConcurrency or sqs.maximumConcurrency of at least 1`,
    );
  }
  if (!fn.handler) throw new StackError(`serverless.yml: ${key} has no handler`);
  const environment = Object.fromEntries(
    Object.entries({ ...config.provider?.environment, ...fn.environment }).map(([k, v]) => [k, String(v)]),
  );
  return {
    functionName: fn.name ?? key,
    handler: fn.handler,
    timeoutSeconds: positive(fn.timeout, config.provider?.timeout ?? 6, `${key}.timeout`)!,
    memorySize: positive(fn.memorySize, config.provider?.memorySize ?? 1024, `${key}.memorySize`)!,
    environment,
    batchSize,
    maximumBatchingWindow: positive(sqs.maximumBatchingWindow, 0, `${key}.sqs.maximumBatchingWindow`)!,
    reservedConcurrency: reserved,
    maximumConcurrency: maximum,
    concurrency,
    reportBatchItemFailures: sqs.functionResponseType === 'ReportBatchItemFailures',
  };
}

/** Refuses a queue whose visibility timeout is shorter than 6 x its function's timeout. */
export function checkVisibilityTimeout(
  visibilityTimeoutSeconds: number,
  functionTimeoutSeconds: number,
  queueName = 'jobs',
): void {
  const needed = VISIBILITY_FACTOR * functionTimeoutSeconds;
  if (visibilityTimeoutSeconds < needed) {
    throw new StackError(
      `the ${queueName} queue's visibility timeout is ${visibilityTimeoutSeconds} s but must be at least ${VISIBILITY_FACTOR} x its function's timeout (${functionTimeoutSeconds} s) = ${needed} s, or a message still being handled would be delivered again`,
    );
  }
}

/**
 * serverless' own log level (SLS_LOG_LEVEL, in the `log` package's names) for the stack's LOG_LEVEL
 * (pino's names): at `warn` and above, serverless offline stops writing its lines for every request
 * (four per request at its default `notice`, a noticeable share of its CPU under load).
 */
export function serverlessLogLevel(logLevel: string): 'debug' | 'notice' | 'warning' | 'error' {
  if (logLevel === 'debug' || logLevel === 'trace') return 'debug';
  if (logLevel === 'warn') return 'warning';
  if (logLevel === 'info') return 'notice';
  return 'error';
}

/** Runs `serverless print` and returns the resolved configuration. */
export async function printServerlessConfig(
  projectDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PrintedConfig> {
  const bin = path.join(projectDir, 'node_modules', '.bin', 'serverless');
  let result;
  try {
    result = await runCommand(bin, ['print', '--format', 'json'], { cwd: projectDir, env });
  } catch (cause) {
    throw new StackError(`cannot run serverless (did npm install run?): ${(cause as Error).message}`, {
      cause,
    });
  }
  if (result.code !== 0) {
    const reason =
      result.output.trim().split('\n').filter(Boolean).slice(-1)[0] ?? `exit code ${result.code}`;
    throw new StackError(`serverless.yml could not be read: ${reason.slice(0, 300)}`);
  }
  try {
    return JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as PrintedConfig;
  } catch (cause) {
    throw new StackError('serverless print did not return JSON', { cause });
  }
}
