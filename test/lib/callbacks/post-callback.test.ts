import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { postCallback } from '../../../lib/callbacks/post-callback';

/** A raw TCP receiver on loopback that answers each connection with `answer(socket)`. */
async function rawReceiver(answer: (socket: net.Socket) => void) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => answer(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/hook`),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Writes `text` one byte every `everyMs`, and never ends unless it runs out. */
function trickle(socket: net.Socket, text: string, everyMs: number) {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i]!);
    i += 1;
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

const post = (url: URL, timeoutMs = 600) =>
  postCallback({
    url,
    body: '{}',
    headers: { 'content-type': 'application/json' },
    timeoutMs,
    allowInternal: true,
  });

describe('postCallback against hostile receivers', () => {
  it('gives up at its deadline on a receiver that trickles its status line, however steadily', async () => {
    const receiver = await rawReceiver((socket) => trickle(socket, 'HTTP/1.1 200 OK\r\n'.repeat(100), 100));
    try {
      const started = Date.now();
      await expect(post(receiver.url)).rejects.toThrow('no answer within 600 ms');
      expect(Date.now() - started).toBeLessThan(600 + 1000);
    } finally {
      await receiver.close();
    }
  });

  it('answers with the status as soon as it comes, without reading a body that never ends', async () => {
    const receiver = await rawReceiver((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n');
      trickle(socket, '1\r\nx\r\n'.repeat(2_000), 5);
    });
    try {
      await expect(post(receiver.url, 5000)).resolves.toBe(200);
    } finally {
      await receiver.close();
    }
  });

  it('gives up on a receiver that takes the connection and says nothing', async () => {
    const receiver = await rawReceiver(() => undefined);
    try {
      await expect(post(receiver.url, 300)).rejects.toThrow('no answer within 300 ms');
    } finally {
      await receiver.close();
    }
  });
});
