import { createListTasksHandler } from '../../lib/http/handlers/list-tasks';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/http/handlers/list-tasks.ts). */
export const handler = createListTasksHandler(getServices());
