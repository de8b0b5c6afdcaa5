import { createDeliverCallbacksHandler } from '../../lib/callbacks/deliver-callbacks-handler';
import { CallbackSecretError, callbackSecretSource } from '../../lib/callbacks/callback-secret';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/callbacks/deliver-callbacks-handler.ts). */
const services = getServices();
export const handler = createDeliverCallbacksHandler({
  store: services.store,
  queue: services.callbacks,
  // Submits that ask for a callback are refused without one, so no job then needs it.
  secret:
    callbackSecretSource(services.config) ??
    (() => Promise.reject(new CallbackSecretError('no CALLBACK_SECRET or CALLBACK_SECRET_PARAMETER is set'))),
  allowInternal: services.config.callbackAllowInternal,
  logger: services.logger,
});
