import { spawn } from 'node:child_process';
import path from 'node:path';

const preload = path.resolve(__dirname, '..', '..', '..', 'lib', 'local', 'gateway-errors.js');

/**
 * A server answering the way serverless offline answers a function that failed (502, the error with
 * its stack trace), one more answering 200, both through hapi (serverless offline's server) and
 * through node:http; it prints its ports.
 */
const PROGRAM = `
const http = require('node:http');
const Hapi = require('@hapi/hapi');
const failure = JSON.stringify({ errorMessage: 'Cannot find module', errorType: 'Error',
  stackTrace: ['Error: Cannot find module /home/someone/project/.esbuild/handler.js'] });
async function main() {
  const hapi = Hapi.server({ port: 0, host: '127.0.0.1' });
  hapi.route({ method: 'GET', path: '/failed', handler: (_, h) => h.response(failure).code(502).type('application/json') });
  hapi.route({ method: 'GET', path: '/ok', handler: (_, h) => h.response('{"ok":true}').code(200).type('application/json') });
  await hapi.start();
  const plain = http.createServer((req, res) => {
    if (req.url === '/failed') {
      res.setHeader('x-trace', 'inside');
      res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(failure) });
      res.write(failure.slice(0, 10));
      res.end(failure.slice(10));
    } else res.end('{"ok":true}');
  });
  await new Promise((resolve) => plain.listen(0, '127.0.0.1', resolve));
  console.log(JSON.stringify([hapi.info.port, plain.address().port]));
}
main();
process.stdin.on('end', () => process.exit(0)).resume();
`;

describe('gateway errors preload (serverless offline, local stack)', () => {
  it('answers a failed function as 500 in the error shape, without its stack trace; other answers pass', async () => {
    const child = spawn(process.execPath, ['--require', preload, '-e', PROGRAM], {
      cwd: path.resolve(__dirname, '..', '..', '..'),
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
        child.once('exit', (code) => reject(new Error(`the server process exited (${code})`)));
      });
      for (const port of JSON.parse(line) as number[]) {
        const failed = await fetch(`http://127.0.0.1:${port}/failed`);
        const text = await failed.text();
        expect(failed.status).toBe(500);
        expect(failed.headers.get('content-type')).toMatch(/^application\/json/);
        expect(failed.headers.get('x-trace')).toBeNull();
        expect(JSON.parse(text)).toEqual({
          error: { code: 'internal_error', message: expect.stringContaining('log') as unknown },
        });
        expect(text).not.toMatch(/stackTrace|errorType|\/home\/|esbuild|\s{4}at /);

        const ok = await fetch(`http://127.0.0.1:${port}/ok`);
        expect(ok.status).toBe(200);
        await expect(ok.json()).resolves.toEqual({ ok: true });
      }
    } finally {
      child.stdin.end();
      child.kill();
    }
  });
});
