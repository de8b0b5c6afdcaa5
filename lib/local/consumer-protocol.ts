import type { SQSEvent } from 'aws-lambda';
import type { EventSourceSettings } from './event-source-mapping';

/** What the consumer host needs to know, passed as its one argument (JSON). */
export interface ConsumerHostSettings {
  projectDir: string;
  /** As serverless.yml names it: `handlers/sqs/run-jobs.handler`. */
  handler: string;
  /** The handler's module, bundled (consumer-bundle.ts). */
  handlerFile: string;
  /** The program of one execution environment, bundled (lambda-environment.ts). */
  environmentFile: string;
  functionName: string;
  timeoutSeconds: number;
  memorySize: number;
  region: string;
  queueUrl: string;
  queueArn: string;
  eventSource: EventSourceSettings;
}

/** Host → parent. */
export type HostMessage = { type: 'ready' } | { type: 'failed'; message: string };

/** Parent → host. */
export type ParentMessage = { type: 'stop'; drain: boolean; graceful: boolean };

/** What an execution environment is started with (its one argument, JSON). */
export type EnvironmentSettings = Pick<
  ConsumerHostSettings,
  'handler' | 'handlerFile' | 'functionName' | 'timeoutSeconds' | 'memorySize' | 'region'
>;

/** Host → execution environment: one invocation, and when it must be done by (ms since the epoch). */
export type InvokeMessage = { type: 'invoke'; id: number; event: SQSEvent; deadline: number };

/** Execution environment → host. */
export type EnvironmentMessage =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; message: string };
