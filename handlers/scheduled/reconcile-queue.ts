import { createReconcileQueueHandler } from '../../lib/jobs/reconcile-queue-handler';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/jobs/reconcile-queue-handler.ts). */
export const handler = createReconcileQueueHandler(getServices());
