import { spawn } from 'node:child_process';
import path from 'node:path';
import { kernelBacklogLimit, listenBacklog } from '../../helpers/listen-backlog';

const preload = path.resolve(__dirname, '..', '..', '..', 'lib', 'local', 'listen-backlog.js');

/** Servers listening the ways Node and hapi call `listen`, in a process with the preload. */
const PROGRAM = `
const http = require('node:http');
const forms = [
  (s, cb) => s.listen(0, '127.0.0.1', cb),
  (s, cb) => s.listen({ port: 0, host: '127.0.0.1' }, cb),
  (s, cb) => s.listen({ port: 0, host: '127.0.0.1', backlog: 64 }, cb),
  (s, cb) => s.listen(0, '127.0.0.1', 100, cb),
];
Promise.all(forms.map((listen) => new Promise((resolve) => {
  const server = http.createServer();
  listen(server, () => resolve(server.address().port));
}))).then((ports) => console.log(JSON.stringify(ports)));
process.stdin.on('end', () => process.exit(0)).resume();
`;

describe('listen backlog preload (serverless offline, local stack)', () => {
  it('gives servers a 4,096-long accept queue (capped by the kernel) unless a listen call sets one', async () => {
    const limit = Math.min(4096, await kernelBacklogLimit());
    const child = spawn(process.execPath, ['--require', preload, '-e', PROGRAM], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
        child.once('exit', (code) => reject(new Error(`the server process exited (${code})`)));
      });
      const ports = JSON.parse(line) as number[];
      const backlogs = await Promise.all(ports.map(listenBacklog));
      expect(backlogs).toEqual([limit, limit, 64, 100]);
    } finally {
      child.stdin.end();
      child.kill();
    }
  });
});
