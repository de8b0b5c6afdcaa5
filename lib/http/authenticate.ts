import type middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Authenticator } from '../auth/authenticator';

/** Runs first in the stack: nothing of a request (not even its body) is read before it is let in. */
export function authenticate(authenticator: Authenticator): middy.MiddlewareObj<APIGatewayProxyEventV2> {
  const authenticateBefore: middy.MiddlewareFn<APIGatewayProxyEventV2> = async (request) => {
    await authenticator.authenticate(
      request.event.headers?.authorization ?? request.event.headers?.Authorization,
    );
  };
  return { before: authenticateBefore };
}
