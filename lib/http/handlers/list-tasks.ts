import type { HttpEvent } from '../http-handler';
import { httpHandler } from '../http-handler';
import { json } from '../json-response';
import type { Services } from '../../services';
import { limitScopesHere } from '../../process/containment';

/** GET /api/tasks: the catalogue, so clients can see what may run, what input it takes and what this runtime lacks. */
export function createListTasksHandler({
  catalogue,
  logger,
  auth,
  config,
}: Pick<Services, 'catalogue' | 'logger' | 'auth'> & { config?: Pick<Services['config'], 'containment'> }) {
  const held = limitScopesHere(config?.containment);
  const tasks = catalogue.tasks().map((task) => ({
    name: task.name,
    description: task.description,
    input: task.inputSchema,
    timeoutSeconds: task.timeoutMs / 1000,
    maxOutputBytes: task.maxOutputBytes,
    limits: task.limits,
    limitsHeld: held,
    concurrency: task.concurrency,
    available: task.available,
    ...(task.available ? {} : { unavailableReason: task.unavailableReason }),
    links: { submit: `/api/tasks/${task.name}` },
  }));
  return httpHandler(async (_event: HttpEvent) => json(200, { tasks }), { logger, auth });
}
