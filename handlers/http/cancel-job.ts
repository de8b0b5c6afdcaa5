import { createCancelJobHandler } from '../../lib/http/handlers/cancel-job';
import { loadJobMetrics } from '../../lib/jobs/job-metrics';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/http/handlers/cancel-job.ts). */
const services = getServices();
const metrics = loadJobMetrics(services.config).catch((error: unknown) => {
  services.logger.warn({ event: 'metrics-failed', err: error }, 'job metrics could not be loaded');
  return undefined;
});

export const handler = createCancelJobHandler({ ...services, metrics });
