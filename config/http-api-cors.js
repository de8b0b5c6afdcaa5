'use strict';

/**
 * The HTTP API's CORS configuration (serverless.yml: `cors: ${file(./config/http-api-cors.js)}`).
 *
 * No origin is granted unless CORS_ORIGINS names it: API Gateway then answers a browser's preflight
 * from another origin without any Access-Control-Allow-* header, so no web page can call the API
 * with a token it got hold of, and the dashboard, served by the API itself, needs no CORS at all.
 * With CORS_ORIGINS (the web apps that call the API from their own origin, with a token they
 * hold), API Gateway answers their preflights itself and adds the headers; never with credentials
 * (the API's token is a header, not a cookie).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
 */
const { parseOrigins } = require('../lib/env-values');

function httpApiCors(env = process.env) {
  let origins;
  try {
    origins = parseOrigins(env.CORS_ORIGINS);
  } catch (error) {
    throw new Error(`CORS_ORIGINS: ${error.message}`, { cause: error });
  }
  if (origins.length === 0) return false;
  return {
    allowedOrigins: origins,
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
    allowedMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
    exposedResponseHeaders: ['Retry-After', 'Location', 'Idempotent-Replayed'],
    maxAge: 600,
  };
}

module.exports = () => httpApiCors();
module.exports.httpApiCors = httpApiCors;
