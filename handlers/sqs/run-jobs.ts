/**
 * The consumer's entry, as serverless.yml names it: wiring only (the handler is
 * lib/consumer/run-jobs-handler.ts). Its services are built at cold start, in Lambda's init phase.
 *
 * The same bundle is the process spawner's program: started with PROCESS_SPAWNER_ENV set, it runs
 * the spawner's loop and loads nothing of the consumer (its modules are imported lazily).
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { PROCESS_SPAWNER_ENV } from '../../lib/process/spawner-protocol';

async function wire() {
  const [
    { createRunJobsHandler },
    { createProcessSpawner },
    { getServices },
    { createPeakSampler },
    { loadJobMetrics },
  ] = await Promise.all([
    import('../../lib/consumer/run-jobs-handler'),
    import('../../lib/process/process-spawner'),
    import('../../lib/services'),
    import('../../lib/stats/queue-stats'),
    import('../../lib/jobs/job-metrics'),
  ]);
  const services = getServices();
  const metrics = await loadJobMetrics(services.config);
  return createRunJobsHandler({
    store: services.store,
    catalogue: services.catalogue,
    logger: services.logger,
    maxReceiveCount: services.config.maxReceiveCount,
    queue: services.queue,
    callbacks: services.callbacks,
    metrics,
    workRoot: services.config.taskWorkDir,
    // Tasks start from a small process of its own: a fork from this one costs more, and blocks.
    run: createProcessSpawner({ containment: services.config.containment }).run,
    sampleQueue: createPeakSampler({ store: services.store, queue: services.queue }),
  });
}

const asProcessSpawner = process.env[PROCESS_SPAWNER_ENV] === '1';
if (asProcessSpawner) {
  void import('../../lib/process/spawner-main').then(({ runProcessSpawner }) => runProcessSpawner());
}
const wired = asProcessSpawner ? undefined : wire();

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  if (!wired) throw new Error('this process is the process spawner, not the consumer');
  return (await wired)(event, context);
}
