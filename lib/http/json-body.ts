import type middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ApiError } from './api-error';

interface JsonBodyOptions {
  /** Largest body accepted, in bytes (after base64 decoding). */
  maxBytes?: number;
}

const defaults: Required<JsonBodyOptions> = { maxBytes: 64 * 1024 };

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Parses a JSON request body into `event.parsedBody`: 415 for another content type, 413 above
 * `maxBytes`, 400 for text that is not JSON. An empty body parses as `{}`.
 */
export function jsonBody(
  opts: JsonBodyOptions = {},
): middy.MiddlewareObj<APIGatewayProxyEventV2 & { parsedBody?: unknown }> {
  const options = { ...defaults, ...opts };

  const jsonBodyBefore: middy.MiddlewareFn<APIGatewayProxyEventV2 & { parsedBody?: unknown }> = async (
    request,
  ) => {
    const { event } = request;
    // API Gateway hands over the body as text. serverless offline hands over what it parsed when
    // that is falsy (a body of `false` or `0`): back to its text, so it is read like any other.
    const body: unknown = event.body;
    const raw =
      typeof body === 'string' ? body : body === undefined || body === null ? '' : JSON.stringify(body);
    const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
    if (bytes.length > options.maxBytes) {
      throw new ApiError(413, 'payload_too_large', `request body is larger than ${options.maxBytes} bytes`);
    }
    if (bytes.length === 0) {
      event.parsedBody = {};
      return;
    }
    const type = event.headers?.['content-type'] ?? '';
    if (!JSON_TYPE.test(type)) {
      throw new ApiError(415, 'unsupported_media_type', 'send the body as Content-Type: application/json');
    }
    try {
      event.parsedBody = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new ApiError(400, 'invalid_json', 'request body is not valid JSON');
    }
  };

  return { before: jsonBodyBefore };
}
