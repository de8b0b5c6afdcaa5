import { createDeliverCallbacksHandler } from '../../lib/callbacks/deliver-callbacks-handler';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/callbacks/deliver-callbacks-handler.ts). */
const services = getServices();
export const handler = createDeliverCallbacksHandler({
  store: services.store,
  queue: services.callbacks,
  // Submits are refused without it, so no job of this stack asks for a callback then.
  secret: services.config.callbackSecret ?? '',
  allowInternal: services.config.callbackAllowInternal,
  logger: services.logger,
});
