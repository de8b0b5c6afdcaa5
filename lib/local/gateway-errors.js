/**
 * Preloaded into serverless offline's process by the local stack (`node --require`), local only.
 *
 * When a function fails instead of answering (it throws while its module loads, or returns no valid
 * response), API Gateway answers `500 {"message":"Internal Server Error"}` and keeps the error in the
 * function's log. serverless offline answers 502 with the error's message, type and stack trace: the
 * machine's paths and the code's insides, to any client. This answers those in the API's error shape
 * instead, as 500 `internal_error`, without them; serverless offline still prints the error to the
 * stack's log. The API's own handlers never answer 502 (lib/http/error-map.ts), so a 502 from this
 * process is always the emulator's.
 */
'use strict';
const { Buffer } = require('node:buffer');
const http = require('node:http');

const BODY = JSON.stringify({
  error: {
    code: 'internal_error',
    message: 'the function failed before it could answer; its error is in the local stack’s log',
  },
});

const { writeHead, write, end } = http.ServerResponse.prototype;

http.ServerResponse.prototype.writeHead = function writeHeadInErrorShape(statusCode, ...rest) {
  if (statusCode !== 502) return writeHead.call(this, statusCode, ...rest);
  this.replacedByGateway = true;
  for (const name of this.getHeaderNames()) this.removeHeader(name);
  return writeHead.call(this, 500, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(BODY),
    'cache-control': 'no-store',
  });
};

http.ServerResponse.prototype.write = function writeUnlessReplaced(chunk, ...rest) {
  if (!this.replacedByGateway) return write.call(this, chunk, ...rest);
  const callback = rest.find((arg) => typeof arg === 'function');
  if (callback) process.nextTick(callback);
  return true;
};

http.ServerResponse.prototype.end = function endInErrorShape(...args) {
  if (!this.replacedByGateway) return end.apply(this, args);
  const callback = args.find((arg) => typeof arg === 'function');
  return end.call(this, BODY, callback);
};
