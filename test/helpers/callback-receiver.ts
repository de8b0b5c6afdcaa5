import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCallback {
  body: string;
  headers: http.IncomingHttpHeaders;
  at: number;
}

/**
 * A receiver of completion callbacks on loopback: records what it gets and answers `status()` (500
 * while "down"); `stop` closes it, `start` opens it again on the same port.
 */
export async function callbackReceiver(options: { status?: () => number } = {}) {
  const received: ReceivedCallback[] = [];
  let status = options.status ?? (() => 200);
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        body: Buffer.concat(chunks).toString('utf8'),
        headers: request.headers,
        at: Date.now(),
      });
      response.writeHead(status(), { 'content-type': 'text/plain' }).end('ok');
    });
  });
  const listen = (port = 0) =>
    new Promise<number>((resolve) =>
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
    );
  const port = await listen();
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    answer(next: () => number) {
      status = next;
    },
    /** Stops listening: a delivery meanwhile meets a refused connection. */
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    start: () => listen(port).then(() => undefined),
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
