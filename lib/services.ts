import { createAuthenticator } from './auth/authenticator';
import type { Authenticator } from './auth/authenticator';
import { ssmTokenSource, staticTokenSource } from './auth/token-source';
import { createSsmClient } from './ssm-parameter';
import { getConfig } from './config';
import type { Config } from './config';
import { createStores } from './store/create-job-store';
import type { ScheduleStore } from './schedules/schedule-store';
import type { JobStore } from './jobs/job-store';
import { createLogger } from './logger';
import type { Logger } from './logger';
import { createBacklogLimit } from './queue/backlog-limit';
import type { BacklogLimit } from './queue/backlog-limit';
import { createCallbackQueue } from './queue/callback-queue';
import type { CallbackQueue } from './queue/callback-queue';
import { createJobQueue } from './queue/job-queue';
import type { JobQueue } from './queue/job-queue';
import { createSqsClient } from './queue/sqs-client';
import { createCatalogue } from './tasks/catalogue';
import { readCatalogueFile } from './tasks/catalogue-file';
import type { Catalogue } from './tasks/catalogue';

/** What the handlers depend on; tests build their own, handlers use `getServices()`. */
export interface Services {
  config: Config;
  logger: Logger;
  store: JobStore;
  /** The schedules (lib/schedules), beside the jobs in the same database or table. */
  schedules: ScheduleStore;
  queue: JobQueue;
  /** Where a final job that asked for a completion callback is announced. */
  callbacks: CallbackQueue;
  catalogue: Catalogue;
  /** MAX_QUEUED_JOBS, checked against a cached queue depth. */
  backlog: BacklogLimit;
  /** The API token check every non-public route runs first. */
  auth: Authenticator;
}

function tokenSourceFor(config: Config) {
  if (config.apiTokenHashes.length > 0) return staticTokenSource(config.apiTokenHashes);
  if (config.apiTokenParameter) {
    return ssmTokenSource({ ssm: createSsmClient(config.region), parameterName: config.apiTokenParameter });
  }
  return undefined;
}

export function createServices(config: Config): Services {
  const sqs = createSqsClient(config);
  const queue = createJobQueue({
    sqs,
    queueUrl: config.jobsQueueUrl,
    queueName: config.jobsQueueName,
    deadLetterQueueUrl: config.deadLetterQueueUrl,
    deadLetterQueueName: config.deadLetterQueueName,
  });
  return {
    config,
    logger: createLogger({ level: config.logLevel }),
    ...createStores(config),
    queue,
    callbacks: createCallbackQueue({
      sqs,
      queueUrl: config.callbacksQueueUrl,
      queueName: config.callbacksQueueName,
    }),
    catalogue: createCatalogue(
      config.taskCatalogueFile ? readCatalogueFile(config.taskCatalogueFile) : undefined,
    ),
    backlog: createBacklogLimit({ depth: () => queue.depth(), maxQueuedJobs: config.maxQueuedJobs }),
    auth: createAuthenticator(tokenSourceFor(config)),
  };
}

let services: Services | undefined;

/** The services of this process, built once (per Lambda container) on first use. */
export function getServices(): Services {
  services ??= createServices(getConfig());
  return services;
}
