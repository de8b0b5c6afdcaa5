import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium as playwright } from 'playwright-core';
import { hashApiToken, newApiToken } from '../../lib/auth/api-tokens';
import type { LocalStack } from '../../lib/local/local-stack';
import { freePort } from '../../lib/local/ports';
import { sampleTaskProcesses } from '../../lib/process/task-processes';
import { sqsEvent, sqsRecord } from '../helpers/events';
import { isLoopback, listeningSockets } from '../helpers/listening-sockets';
import { npmStart, stopNpmStart } from '../helpers/npm-start';
import type { NpmStart } from '../helpers/npm-start';
import { startPrivateStack } from '../helpers/private-stack';
import { tempDir } from '../helpers/services';

/**
 * The local stack's doors, end to end: only the API's own routes, with its own rules, start a task
 * or read a job. A web page on another origin, a request addressed to a foreign host name (DNS
 * rebinding) and direct calls of the Lambda invoke port are refused, and change nothing.
 */
const chromium = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'].find(
  (p): p is string => !!p && existsSync(p),
);
const itWithBrowser = chromium ? it : it.skip;
const LISTED_ORIGIN = 'http://app.example.test:8080';

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with the headers exactly as given (Host and Origin included), which fetch forbids. */
function rawRequest(
  url: string,
  {
    method = 'GET',
    headers = {},
    body,
  }: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode!, headers: response.headers, body: text }),
      );
    });
    request.on('error', reject);
    request.end(body);
  });
}

const errorCode = (answer: RawAnswer) =>
  (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code;

/** An SQS-shaped event of one `sleep` job, as an attacker would POST it to the invoke port. */
function sleepInvocation(): string {
  return JSON.stringify(sqsEvent(sqsRecord({ body: { task: 'sleep', input: { seconds: 5 } } })));
}

function invocationsUrl(stack: { lambdaUrl: string }, fn: string) {
  return `${stack.lambdaUrl}/2015-03-31/functions/spawn-queue-dev-${fn}/invocations`;
}

describe('the local stack without API tokens (loopback mode)', () => {
  let stack: LocalStack;
  let stop: () => Promise<void>;
  let apiPort: number;

  beforeAll(async () => {
    apiPort = await freePort();
    ({ stack, stop } = await startPrivateStack({
      httpPort: apiPort,
      env: { JOB_STORE: 'sqlite', CORS_ORIGINS: LISTED_ORIGIN },
    }));
  }, 180_000);

  afterAll(async () => {
    await stop?.();
  }, 60_000);

  const jobCount = async () => {
    const answer = await rawRequest(`${stack.httpUrl}/api/jobs?limit=100`, {});
    return (JSON.parse(answer.body) as { jobs: unknown[] }).jobs.length;
  };

  it('refuses a foreign origin with 403 origin_not_allowed, and grants it nothing', async () => {
    const read = await rawRequest(`${stack.httpUrl}/api/jobs`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(read.status).toBe(403);
    expect(errorCode(read)).toBe('origin_not_allowed');
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
    expect(read.body).not.toContain('"jobs"');

    const preflight = await rawRequest(`${stack.httpUrl}/api/tasks/echo`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(403);
    expect(Object.keys(preflight.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it('runs nothing for a foreign origin’s simple POST (no preflight), nor for one whose origin is "null"', async () => {
    const before = await jobCount();
    for (const origin of ['https://evil.example', 'null']) {
      const submit = await rawRequest(`${stack.httpUrl}/api/tasks/echo`, {
        method: 'POST',
        headers: { origin, 'content-type': 'text/plain' },
        body: JSON.stringify({ input: { text: 'csrf' } }),
      });
      expect(submit.status).toBe(403);
      expect(errorCode(submit)).toBe('origin_not_allowed');
    }
    expect(await jobCount()).toBe(before);
  });

  it('answers the API’s own origin (the dashboard) without CORS headers, and grants CORS_ORIGINS', async () => {
    const own = await rawRequest(`${stack.httpUrl}/api/tasks`, {
      headers: { origin: `http://localhost:${apiPort}` },
    });
    expect(own.status).toBe(200);
    expect(own.headers['access-control-allow-origin']).toBeUndefined();

    const preflight = await rawRequest(`${stack.httpUrl}/api/tasks/echo`, {
      method: 'OPTIONS',
      headers: { origin: LISTED_ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': LISTED_ORIGIN,
      'access-control-allow-methods': 'GET, POST, PATCH, DELETE',
      vary: 'Origin',
    });
    const listed = await rawRequest(`${stack.httpUrl}/api/tasks`, { headers: { origin: LISTED_ORIGIN } });
    expect(listed.status).toBe(200);
    expect(listed.headers['access-control-allow-origin']).toBe(LISTED_ORIGIN);
    expect(listed.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('refuses a request addressed to a foreign host name (DNS rebinding) with 403 host_not_allowed', async () => {
    const before = await jobCount();
    for (const host of [`rebind.evil.example:${apiPort}`, 'evil.example', `10.0.0.1:${apiPort}`]) {
      const read = await rawRequest(`${stack.httpUrl}/api/jobs`, { headers: { host } });
      expect(read.status).toBe(403);
      expect(errorCode(read)).toBe('host_not_allowed');
      const submit = await rawRequest(`${stack.httpUrl}/api/tasks/echo`, {
        method: 'POST',
        headers: { host, 'content-type': 'application/json', origin: `http://${host}` },
        body: JSON.stringify({ input: { text: 'rebound' } }),
      });
      expect(submit.status).toBe(403);
    }
    expect(await jobCount()).toBe(before);
    for (const host of [`localhost:${apiPort}`, `127.0.0.1:${apiPort}`, `[::1]:${apiPort}`, 'localhost']) {
      await expect(rawRequest(`${stack.httpUrl}/api/health`, { headers: { host } })).resolves.toMatchObject({
        status: 200,
      });
    }
  });

  it('runs no task for a direct invocation of runJobs or deliverCallbacks on the invoke port', async () => {
    const sampler = sampleTaskProcesses(20, stack.taskWorkDir);
    const before = await jobCount();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        rawRequest(invocationsUrl(stack, 'runJobs'), { method: 'POST', body: sleepInvocation() }),
      ),
    );
    const callbacks = await rawRequest(invocationsUrl(stack, 'deliverCallbacks'), {
      method: 'POST',
      body: JSON.stringify(sqsEvent(sqsRecord({ body: { jobId: '00000000-0000-4000-8000-000000000000' } }))),
    });
    await sleep(1000);
    const { most } = await sampler.stop();
    for (const answer of [...answers, callbacks]) {
      expect(answer.status).toBe(404);
      expect(answer.body).toContain('Function not found');
    }
    expect(most).toBe(0);
    expect(await jobCount()).toBe(before);
    const stats = JSON.parse((await rawRequest(`${stack.httpUrl}/api/queue-stats`, {})).body) as {
      processPool: { activeProcesses: number };
    };
    expect(stats.processPool.activeProcesses).toBe(0);
  });

  it('takes no browser request and no foreign host on the invoke port', async () => {
    const url = invocationsUrl(stack, 'listTasks');
    const fromPage = await rawRequest(url, {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
      body: '{}',
    });
    expect(fromPage.status).toBe(403);
    expect(errorCode(fromPage)).toBe('origin_not_allowed');
    const rebound = await rawRequest(url, {
      method: 'POST',
      headers: { host: 'rebind.evil.example' },
      body: '{}',
    });
    expect(rebound.status).toBe(403);
    expect(errorCode(rebound)).toBe('host_not_allowed');
  });

  it('listens on loopback only, every port of it', async () => {
    const sockets = await listeningSockets(process.pid);
    const stackPorts = new Set([
      apiPort,
      Number(new URL(stack.lambdaUrl).port),
      Number(new URL(stack.sqsEndpoint).port),
    ]);
    const ofStack = sockets.filter((socket) => socket.pid !== process.pid);
    expect(ofStack.map((s) => s.port)).toEqual(expect.arrayContaining([...stackPorts]));
    expect(ofStack.filter((socket) => !isLoopback(socket.address))).toEqual([]);
  });

  itWithBrowser(
    'a hostile neighbour: a web page’s requests and a direct invoke flood read nothing and run no task',
    async () => {
      const before = await jobCount();
      const sampler = sampleTaskProcesses(20, stack.taskWorkDir);
      // The page the developer visits: another origin on this machine (loopback, so the browser's
      // private-network rules do not stop it first), trying every way a page can reach the stack.
      const api = stack.httpUrl;
      const invoke = invocationsUrl(stack, 'runJobs');
      const page = http.createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><script>
          const tries = [
            fetch('${api}/api/jobs').then((r) => r.text()),
            fetch('${api}/api/tasks/echo', { method: 'POST', headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ input: { text: 'from a page' } }) }).then((r) => r.text()),
            fetch('${api}/api/tasks/echo', { method: 'POST', mode: 'no-cors',
              body: JSON.stringify({ input: { text: 'no-cors' } }) }).then((r) => r.type),
            ...Array.from({ length: 8 }, () => fetch('${invoke}', { method: 'POST', mode: 'no-cors',
              body: ${JSON.stringify(sleepInvocation())} }).then((r) => r.type)),
          ];
          Promise.allSettled(tries).then((results) => {
            window.results = results.map((r) => r.status === 'fulfilled' ? String(r.value) : 'blocked');
          });
        </script>`);
      });
      await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
      const browser = await playwright.launch({
        executablePath: chromium,
        headless: true,
        args: ['--no-sandbox'],
      });
      try {
        const tab = await browser.newPage();
        await tab.goto(`http://127.0.0.1:${(page.address() as AddressInfo).port}/`);
        const results = (await tab
          .waitForFunction('window.results', null, {
            timeout: 15_000,
          })
          .then((handle) => handle.jsonValue())) as string[];
        // What the page could read: nothing (blocked, or an opaque answer).
        expect(results.filter((r) => r !== 'blocked' && r !== 'opaque')).toEqual([]);
      } finally {
        await browser.close();
        page.close();
      }
      await sleep(1500);
      expect((await sampler.stop()).most).toBe(0);
      expect(await jobCount()).toBe(before);
    },
    60_000,
  );
});

describe('the local stack with API tokens (reachable from the network)', () => {
  const token = newApiToken();
  let stack: NpmStart;
  let cleanup: () => Promise<void>;
  const ports = { http: 0, lambda: 0, elasticMq: 0, dynamoDb: 0 };
  const url = (route: string) => `http://127.0.0.1:${ports.http}${route}`;

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = await tempDir('spawn-queue-doors-'));
    for (const name of Object.keys(ports) as Array<keyof typeof ports>) ports[name] = await freePort();
    // HTTP_HOST left to its default with tokens (every address), CALLBACK_ALLOW_INTERNAL unset.
    stack = await npmStart({
      HTTP_PORT: String(ports.http),
      LAMBDA_PORT: String(ports.lambda),
      ELASTICMQ_PORT: String(ports.elasticMq),
      DYNAMODB_PORT: String(ports.dynamoDb),
      JOB_STORE: 'dynamodb',
      JOB_STORE_DIR: dir,
      API_TOKEN_HASHES: hashApiToken(token),
      CALLBACK_ALLOW_INTERNAL: '',
      CORS_ORIGINS: '',
    });
  }, 180_000);

  afterAll(async () => {
    await stopNpmStart(stack);
    await cleanup?.();
  }, 60_000);

  it('opens the API’s port to the network and every other port of the stack on loopback only', async () => {
    const sockets = await listeningSockets(stack.start.pid!);
    const byPort = (port: number) => sockets.filter((socket) => socket.port === port);
    expect(byPort(ports.http).map((s) => s.address)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(0\.0\.0\.0|::)$/)]),
    );
    for (const port of [ports.lambda, ports.elasticMq, ports.dynamoDb]) {
      expect(byPort(port).length).toBeGreaterThan(0);
    }
    const others = sockets.filter((socket) => socket.port !== ports.http);
    expect(others.filter((socket) => !isLoopback(socket.address))).toEqual([]);
    expect(stack.output()).toContain('every other port on 127.0.0.1');
  });

  it('refuses a callback to an internal address unless CALLBACK_ALLOW_INTERNAL says so', async () => {
    const submit = await rawRequest(url('/api/tasks/echo'), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ input: { text: 'hi' }, callback: { url: 'http://127.0.0.1:9/' } }),
    });
    expect(submit.status).toBe(400);
    expect(errorCode(submit)).toBe('invalid_callback');
  });

  it('answers any host name with tokens (no loopback rule), and still needs the token', async () => {
    const anonymous = await rawRequest(url('/api/jobs'), { headers: { host: 'spawn-queue.lan' } });
    expect(anonymous.status).toBe(401);
    const signedIn = await rawRequest(url('/api/jobs'), {
      headers: { host: 'spawn-queue.lan', authorization: `Bearer ${token}` },
    });
    expect(signedIn.status).toBe(200);
    const foreign = await rawRequest(url('/api/jobs'), {
      headers: { host: 'spawn-queue.lan', origin: 'https://evil.example', authorization: `Bearer ${token}` },
    });
    expect(foreign.status).toBe(403);
  });

  it('runs no task for a direct invocation of runJobs, and its port answers loopback only', async () => {
    const answer = await rawRequest(
      `http://127.0.0.1:${ports.lambda}/2015-03-31/functions/spawn-queue-dev-runJobs/invocations`,
      {
        method: 'POST',
        body: sleepInvocation(),
      },
    );
    expect(answer.status).toBe(404);
    const stats = JSON.parse(
      (await rawRequest(url('/api/queue-stats'), { headers: { authorization: `Bearer ${token}` } })).body,
    ) as { processPool: { activeProcesses: number }; counts?: Record<string, number> };
    expect(stats.processPool.activeProcesses).toBe(0);
  });
});
