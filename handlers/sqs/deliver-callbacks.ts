import { createDeliverCallbacksHandler } from '../../lib/callbacks/deliver-callbacks-handler';
import { callbackSecretSource } from '../../lib/callbacks/callback-secret';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/callbacks/deliver-callbacks-handler.ts). */
const services = getServices();
export const handler = createDeliverCallbacksHandler({
  store: services.store,
  queue: services.callbacks,
  secret: callbackSecretSource(services.config),
  allowInternal: services.config.callbackAllowInternal,
  logger: services.logger,
});
