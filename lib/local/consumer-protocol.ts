import type { EventSourceSettings } from './event-source-mapping';

/** What the consumer host needs to know, passed as its one argument (JSON). */
export interface ConsumerHostSettings {
  projectDir: string;
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

/** Host → parent. */
export type HostMessage = { type: 'ready' } | { type: 'failed'; message: string };

/** Parent → host. */
export type ParentMessage = { type: 'stop'; drain: boolean; graceful: boolean };
