/**
 * Preloaded into serverless offline's process by the local stack (`node --require`), local only.
 *
 * The local stack's doors, checked before serverless offline sees a request:
 * - **CORS**: a browser request from any origin but the API's own (the page it served, as the
 *   dashboard is) or one of CORS_ORIGINS is refused with 403 `origin_not_allowed`, and its handler
 *   never runs: a page the developer visits can neither read the jobs nor submit, cancel or retry
 *   (a "simple" cross-origin POST needs no preflight, so withholding the CORS headers alone would
 *   still let it write). serverless offline's own CORS answers (every origin echoed back) are
 *   replaced by these rules; only a CORS_ORIGINS origin is ever granted.
 * - **DNS rebinding**: without API tokens the API listens on loopback and has no other guard, so a
 *   request must be addressed to a loopback name (`localhost`, `127.0.0.1`, `[::1]`): a page whose
 *   own host name was made to resolve to 127.0.0.1 gets 403 `host_not_allowed`.
 * - **The Lambda invoke port** listens on loopback in every mode, and takes no browser request nor
 *   any request addressed to another name. It hosts the HTTP functions only: the queue-triggered
 *   ones run in the consumer's process, behind the event source mapping
 *   (serverless-plugins/offline-background-functions.js).
 * Refusals have the API's error shape.
 */
'use strict';
const { Buffer } = require('node:buffer');
const http = require('node:http');
const net = require('node:net');
const { parseOrigins } = require('../env-values');

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);
const PREFLIGHT_METHODS = 'GET, POST, PATCH, DELETE';
const PREFLIGHT_HEADERS = 'Authorization, Content-Type, Idempotency-Key';

/** The host name of a Host header, without its port (`[::1]:5000` → `[::1]`). */
function hostName(host) {
  const value = String(host ?? '')
    .trim()
    .toLowerCase();
  const match = /^(\[[^\]]*\]|[^:]*)(?::\d+)?$/.exec(value);
  return match ? match[1] : value;
}

function refusal(status, code, message) {
  return { refuse: { status, code, message } };
}

/**
 * What the door does with a request: `{ refuse }`, or `{ grant }` naming the cross-origin origin to
 * answer with CORS headers (undefined for a same-origin or non-browser request) and whether it is a
 * preflight to answer here.
 *
 * door: 'api' | 'invoke'; loopbackOnly: API tokens are off; corsOrigins: CORS_ORIGINS, parsed.
 */
function frontDoor(request, { door, loopbackOnly, corsOrigins }) {
  const host = request.headers.host;
  const origin = request.headers.origin;
  if ((door === 'invoke' || loopbackOnly) && !LOOPBACK_NAMES.has(hostName(host))) {
    return refusal(
      403,
      'host_not_allowed',
      door === 'invoke'
        ? 'the local Lambda invoke API answers requests to localhost only'
        : 'without API tokens this API answers requests addressed to localhost, 127.0.0.1 or [::1] only (set API_TOKEN_HASHES to reach it by another name)',
    );
  }
  if (door === 'invoke') {
    if (origin !== undefined)
      return refusal(403, 'origin_not_allowed', 'the local Lambda invoke API takes no browser request');
    return { grant: undefined, preflight: false };
  }
  const preflight =
    request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
  if (origin === undefined) return { grant: undefined, preflight: false };
  const from = String(origin).toLowerCase();
  const to = String(host ?? '').toLowerCase();
  const own = to !== '' && (from === `http://${to}` || from === `https://${to}`);
  const listed = corsOrigins.includes(from);
  if (!own && !listed) {
    return refusal(
      403,
      'origin_not_allowed',
      `requests from ${String(origin).slice(0, 100)} are not allowed: only the API's own pages and CORS_ORIGINS may call it from a browser`,
    );
  }
  return { grant: own ? undefined : from, preflight };
}

function answer(response, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, {
    ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

/** Whatever CORS headers serverless offline set give way to this door's (none, or the granted origin's). */
function replaceCorsHeaders(response, grant) {
  const writeHead = response.writeHead;
  response.writeHead = function writeHeadWithOwnCors(statusCode, ...rest) {
    for (const name of this.getHeaderNames()) if (name.startsWith('access-control-')) this.removeHeader(name);
    const headers = rest.find((arg) => typeof arg === 'object' && arg !== null);
    if (headers && !Array.isArray(headers)) {
      for (const name of Object.keys(headers)) if (/^access-control-/i.test(name)) delete headers[name];
    }
    this.setHeader('vary', 'Origin');
    if (grant) {
      this.setHeader('access-control-allow-origin', grant);
      this.setHeader('access-control-expose-headers', 'Retry-After, Location, Idempotent-Replayed');
    }
    return writeHead.call(this, statusCode, ...rest);
  };
}

function install(env = process.env) {
  const apiPort = Number(env.HTTP_PORT);
  const invokePort = Number(env.LAMBDA_PORT);
  const settings = {
    loopbackOnly: !String(env.API_TOKEN_HASHES ?? '').trim(),
    corsOrigins: parseOrigins(env.CORS_ORIGINS),
  };

  // The invoke port on loopback, whatever HTTP_HOST the API listens on (serverless offline uses one
  // host for both). listen(port[, host], ...) as hapi calls it, or listen({ port, host }).
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function listenInvokeOnLoopback(...args) {
    const [first] = args;
    if (typeof first === 'object' && first !== null && Number(first.port) === invokePort) {
      args[0] = { ...first, host: '127.0.0.1' };
    } else if (Number(first) === invokePort) {
      if (typeof args[1] === 'string') args[1] = '127.0.0.1';
      else args.splice(1, 0, '127.0.0.1');
    }
    return listen.apply(this, args);
  };

  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function emitThroughTheDoor(event, request, response) {
    if (event !== 'request') return emit.apply(this, arguments);
    const port = this.address()?.port;
    const door = port === apiPort ? 'api' : port === invokePort ? 'invoke' : undefined;
    if (door === undefined) return emit.apply(this, arguments);
    const decision = frontDoor(request, { door, ...settings });
    if (decision.refuse) {
      const { status, code, message } = decision.refuse;
      request.resume();
      answer(response, status, { error: { code, message } }, { vary: 'Origin' });
      return true;
    }
    if (decision.preflight) {
      request.resume();
      answer(response, 204, undefined, {
        vary: 'Origin',
        ...(decision.grant
          ? {
              'access-control-allow-origin': decision.grant,
              'access-control-allow-methods': PREFLIGHT_METHODS,
              'access-control-allow-headers': PREFLIGHT_HEADERS,
              'access-control-max-age': '600',
            }
          : {}),
      });
      return true;
    }
    replaceCorsHeaders(response, decision.grant);
    return emit.apply(this, arguments);
  };
}

if (require.main !== module && process.env.SPAWN_QUEUE_FRONT_DOOR === 'on') install();

module.exports = { frontDoor, hostName };
