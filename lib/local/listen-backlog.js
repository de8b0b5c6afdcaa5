/**
 * Preloaded into serverless offline's process by the local stack (`node --require`), local only.
 *
 * API Gateway takes any number of connections at once. A Node server listens with a queue of 511
 * connections waiting to be accepted: when 1,000 clients connect together, the kernel drops the
 * handshakes beyond it, and each of those clients waits for a retransmission (1 s, then 3 s, 7 s)
 * before its first request even reaches the server. This gives every server in the process a
 * longer queue (LISTEN_BACKLOG, default 4,096: Linux' default limit, net.core.somaxconn, since
 * 5.4; the kernel caps it there). An explicit backlog in a listen call is kept.
 */
'use strict';
const net = require('node:net');

const backlog = Number(process.env.LISTEN_BACKLOG) || 4096;
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenWithBacklog(...args) {
  const [first] = args;
  if (typeof first === 'object' && first !== null && !Array.isArray(first) && 'port' in first) {
    args[0] = { ...first, backlog: first.backlog ?? backlog };
    return listen.apply(this, args);
  }
  const port = typeof first === 'string' && /^\d+$/.test(first) ? Number(first) : first;
  if (typeof port !== 'number') return listen.apply(this, args); // a pipe or a handle
  // listen(port[, host][, backlog][, callback])
  const callback = typeof args.at(-1) === 'function' ? args.pop() : undefined;
  const host = typeof args[1] === 'string' ? args[1] : undefined;
  const given = args.slice(1).find((arg) => typeof arg === 'number');
  return listen.call(this, { port, host, backlog: given ?? backlog }, callback);
};
