import { createCancelJobHandler } from '../../lib/http/handlers/cancel-job';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/http/handlers/cancel-job.ts). */
const services = getServices();
const { config } = services;
// Powertools Metrics is loaded only where its lines are wanted (deployed), as in the consumer.
const metrics = config.cloudWatchMetrics
  ? import('../../lib/jobs/job-metrics')
      .then(({ cloudWatchJobMetrics }) =>
        cloudWatchJobMetrics({ serviceName: `spawn-queue-${config.stage}` }),
      )
      .catch((error: unknown) => {
        services.logger.warn({ event: 'metrics-failed', err: error }, 'job metrics could not be loaded');
        return undefined;
      })
  : Promise.resolve(undefined);

export const handler = createCancelJobHandler({ ...services, metrics });
