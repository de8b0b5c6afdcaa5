import type { EventSourceSettings } from './event-source-mapping';

/** One SQS-triggered function the host runs: its handler and the queue that feeds it. */
export interface HostedFunction {
  /** As serverless.yml names it: `handlers/sqs/run-jobs.handler`. */
  handler: string;
  /** The handler's module, bundled (bundles.ts). */
  handlerFile: string;
  functionName: string;
  timeoutSeconds: number;
  memorySize: number;
  region: string;
  queueUrl: string;
  queueArn: string;
  eventSource: EventSourceSettings;
}

/** What the consumer host needs to know, passed as its one argument (JSON). */
export interface ConsumerHostSettings extends HostedFunction {
  projectDir: string;
  /**
   * Other SQS-triggered functions the host runs beside the consumer, each fed by its own queue (the
   * callback deliverer): on AWS each has execution environments of its own, never a task slot.
   */
  companions?: HostedFunction[];
}

/** Host → parent. */
export type HostMessage = { type: 'ready' } | { type: 'failed'; message: string };

/** Parent → host. */
export type ParentMessage = { type: 'stop'; drain: boolean; graceful: boolean };
