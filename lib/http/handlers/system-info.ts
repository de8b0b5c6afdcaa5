import os from 'node:os';
import { version } from '../../../package.json';
import type { HttpEvent } from '../http-handler';
import { httpHandler } from '../http-handler';
import { json } from '../json-response';
import type { Services } from '../../services';

const MB = 1024 * 1024;

/** GET /api/system-info: runtime, memory, load, uptime, version and the effective settings (no secrets). */
export function createSystemInfoHandler({
  config,
  catalogue,
  logger,
  auth,
}: Pick<Services, 'config' | 'catalogue' | 'logger' | 'auth'>) {
  return httpHandler(
    async (_event: HttpEvent) => {
      const memory = process.memoryUsage();
      return json(200, {
        service: 'spawn-queue',
        version,
        stage: config.stage,
        runtime: { node: process.version, platform: process.platform, arch: process.arch },
        memory: {
          rssMb: Math.round(memory.rss / MB),
          heapUsedMb: Math.round(memory.heapUsed / MB),
          systemTotalMb: Math.round(os.totalmem() / MB),
          systemFreeMb: Math.round(os.freemem() / MB),
        },
        cpu: {
          cores: os.availableParallelism(),
          loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
        },
        uptimeSeconds: { process: Math.round(process.uptime()), system: Math.round(os.uptime()) },
        settings: {
          consumerConcurrency: config.consumerConcurrency,
          maxReceiveCount: config.maxReceiveCount,
          maxBodyBytes: config.maxBodyBytes,
          jobsQueue: config.jobsQueueName,
          deadLetterQueue: config.deadLetterQueueName,
          sqsEndpoint: config.sqsEndpoint ? new URL(config.sqsEndpoint).origin : 'aws',
          region: config.region,
          tasks: catalogue.tasks().length,
        },
      });
    },
    { logger, auth },
  );
}
