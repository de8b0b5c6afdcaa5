import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Authenticator } from '../auth/authenticator';
import type { Logger } from '../logger';
import { authenticate } from './authenticate';
import { errorResponse } from './error-response';
import { jsonBody } from './json-body';
import type { HttpResult } from './json-response';

export type HttpEvent = APIGatewayProxyEventV2 & { parsedBody?: unknown };
export type HttpFunction = (event: HttpEvent, context: Context) => Promise<HttpResult>;

export interface HttpHandlerOptions {
  logger: Logger;
  /** Who may call: the API's token check, or 'public' (health, the dashboard's page). */
  auth: Authenticator | 'public';
  /** Parse a JSON body of at most this many bytes. */
  body?: { maxBytes: number };
}

/**
 * The middleware stack every HTTP handler shares: the handler holds the logic and throws; this
 * stack answers (like the Serverless TypeScript template's `middyfy`).
 */
export function httpHandler(fn: HttpFunction, options: HttpHandlerOptions) {
  const handler = middy<HttpEvent, HttpResult>(fn).use(errorResponse({ logger: options.logger }));
  if (options.auth !== 'public') handler.use(authenticate(options.auth));
  if (options.body) handler.use(jsonBody({ maxBytes: options.body.maxBytes }));
  return handler;
}
