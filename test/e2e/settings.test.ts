import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { hashApiToken, newApiToken } from '../../lib/auth/api-tokens';
import { loadConfig } from '../../lib/config';
import { answers, freePort, isPortFree } from '../../lib/local/ports';
import { createDynamoDbClient } from '../../lib/store/create-job-store';
import { npmStart, stopNpmStart } from '../helpers/npm-start';
import type { NpmStart } from '../helpers/npm-start';
import { tempDir } from '../helpers/temp-dir';
import { checkedFetch } from '../helpers/openapi-check';
import { createTestQueues, testEndpoint, testSqs } from '../helpers/elasticmq';
import type { TestQueues } from '../helpers/elasticmq';

/**
 * The documented variables that change a local stack, all set at once on one `npm start` (its own
 * script, from the environment, as a user sets them), each checked for its effect.
 */
describe('npm start honours the documented variables', () => {
  const token = newApiToken();
  let stack: NpmStart;
  let dir: string;
  let cleanup: () => Promise<void>;
  const ports = { http: 0, lambda: 0, elasticMq: 0, dynamoDb: 0 };
  const base = () => `http://127.0.0.1:${ports.http}`;
  const call = async (method: string, route: string, body?: string, bearer: string | null = token) => {
    const response = await checkedFetch(`${base()}${route}`, {
      method,
      headers: {
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('spawn-queue-settings-'));
    for (const name of Object.keys(ports) as Array<keyof typeof ports>) ports[name] = await freePort();
    stack = await npmStart({
      HTTP_PORT: String(ports.http),
      LAMBDA_PORT: String(ports.lambda),
      ELASTICMQ_PORT: String(ports.elasticMq),
      DYNAMODB_PORT: String(ports.dynamoDb),
      JOB_STORE: 'dynamodb',
      JOB_STORE_DIR: dir,
      JOB_RETENTION_DAYS: '7',
      MAX_BODY_BYTES: '2048',
      MAX_QUEUED_JOBS: '2',
      API_TOKEN_HASHES: hashApiToken(token),
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    });
  }, 180_000);

  afterAll(async () => {
    await stopNpmStart(stack);
    await cleanup?.();
  }, 60_000);

  it('listens on HTTP_PORT (on HTTP_HOST), LAMBDA_PORT, ELASTICMQ_PORT and DYNAMODB_PORT', async () => {
    await expect(answers(`${base()}/api/health`)).resolves.toBe(true);
    for (const port of [ports.lambda, ports.elasticMq, ports.dynamoDb])
      await expect(isPortFree(port)).resolves.toBe(false);
    await expect(answers(`http://127.0.0.1:${ports.elasticMq}/health`)).resolves.toBe(true);
    expect(stack.output()).toContain(`starting dynalite (the local DynamoDB) on port ${ports.dynamoDb}`);
  });

  it('JOB_STORE=dynamodb with JOB_STORE_DIR: dynalite keeps its data under that directory', async () => {
    expect(await readdir(path.join(dir, 'dynamodb'))).toEqual(expect.arrayContaining(['CURRENT']));
  });

  it('API_TOKEN_HASHES: no token, 401; its token, 200', async () => {
    await expect(call('GET', '/api/tasks', undefined, null)).resolves.toMatchObject({ status: 401 });
    await expect(call('GET', '/api/tasks')).resolves.toMatchObject({ status: 200 });
  });

  it('MAX_BODY_BYTES: a larger body is 413', async () => {
    const body = JSON.stringify({ input: { text: 'x'.repeat(3000) } });
    await expect(call('POST', '/api/tasks/echo', body)).resolves.toMatchObject({
      status: 413,
      body: { error: { code: 'payload_too_large' } },
    });
  });

  it('JOB_RETENTION_DAYS: a finished job expires that many days later', async () => {
    const job = await call('POST', '/api/tasks/echo?wait=20', JSON.stringify({ input: { text: 'kept' } }));
    expect(job.body.status).toBe('succeeded');
    const client = createDynamoDbClient(
      loadConfig({ JOB_STORE: 'dynamodb', DYNAMODB_ENDPOINT: `http://127.0.0.1:${ports.dynamoDb}` }),
    );
    const { Item } = await client.send(
      new GetCommand({ TableName: 'spawn-queue-dev-jobs', Key: { pk: `job#${job.body.jobId}`, sk: 'job' } }),
    );
    client.destroy();
    expect(((Item!.expiresAt as number) - Date.now() / 1000) / 86_400).toBeCloseTo(7, 1);
  });

  it('MAX_QUEUED_JOBS: beyond it a submit is 429 queue_full', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12 && !statuses.includes(429); i += 1) {
      statuses.push(
        (await call('POST', '/api/tasks/sleep', JSON.stringify({ input: { seconds: 5 } }))).status,
      );
      await sleep(300); // the depth is read at most once a second
    }
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s !== 202 && s !== 429)).toEqual([]);
  }, 30_000);

  it('LOG_LEVEL=warn: no info lines from the handlers', () => {
    expect(stack.output()).not.toContain('"event":"submit"');
  });
});

describe('npm start on an SQS and a DynamoDB it did not start (SQS_ENDPOINT, queue names, DYNAMODB_ENDPOINT)', () => {
  let stack: NpmStart;
  let queues: TestQueues;
  let cleanup: () => Promise<void>;
  let httpPort: number;
  let elasticMqPort: number;
  let dynamoDbPort: number;
  let callbackQueues: Awaited<ReturnType<typeof createTestQueues>>;

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = await tempDir('spawn-queue-settings-'));
    queues = await createTestQueues(testSqs(), { visibilityTimeout: 3960 });
    // The callback deliverer's queue, named as well (a shared SQS has no "callbacks" of its own).
    callbackQueues = await createTestQueues(testSqs(), { visibilityTimeout: 180 });
    [httpPort, elasticMqPort, dynamoDbPort] = [await freePort(), await freePort(), await freePort()];
    stack = await npmStart({
      HTTP_PORT: String(httpPort),
      LAMBDA_PORT: String(await freePort()),
      ELASTICMQ_PORT: String(elasticMqPort),
      DYNAMODB_PORT: String(dynamoDbPort),
      SQS_ENDPOINT: testEndpoint(),
      JOBS_QUEUE_NAME: queues.name,
      DEAD_LETTER_QUEUE_NAME: queues.deadLetterName,
      CALLBACKS_QUEUE_NAME: callbackQueues.name,
      JOB_STORE: 'dynamodb',
      DYNAMODB_ENDPOINT: process.env.TEST_DYNAMODB_ENDPOINT!,
      JOB_STORE_DIR: dir,
      LOG_LEVEL: 'warn',
    });
  }, 180_000);

  afterAll(async () => {
    await stopNpmStart(stack);
    await cleanup?.();
  }, 60_000);

  it('starts neither ElasticMQ nor dynalite, and runs jobs through the named queue and the given DynamoDB', async () => {
    expect(stack.output()).toContain(`using the SQS at ${testEndpoint()}`);
    expect(stack.output()).not.toContain('starting dynalite');
    await expect(isPortFree(elasticMqPort)).resolves.toBe(true);
    await expect(isPortFree(dynamoDbPort)).resolves.toBe(true);

    const response = await checkedFetch(`http://127.0.0.1:${httpPort}/api/tasks/echo?wait=20`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: { text: 'elsewhere' } }),
    });
    const job = (await response.json()) as { jobId: string; status: string };
    expect(job.status).toBe('succeeded');
    // The record is in the table on the given DynamoDB.
    const client = createDynamoDbClient(
      loadConfig({ JOB_STORE: 'dynamodb', DYNAMODB_ENDPOINT: process.env.TEST_DYNAMODB_ENDPOINT }),
    );
    const { Item } = await client.send(
      new GetCommand({ TableName: 'spawn-queue-dev-jobs', Key: { pk: `job#${job.jobId}`, sk: 'job' } }),
    );
    client.destroy();
    expect(Item).toMatchObject({ jobStatus: 'succeeded' });
    // The consumer reads the named queue: a message sent straight to it runs.
    const text = `straight to ${queues.name}`;
    await testSqs().send(
      new SendMessageCommand({
        QueueUrl: queues.url,
        MessageBody: JSON.stringify({ task: 'echo', input: { text } }),
      }),
    );
    const deadline = Date.now() + 20_000;
    let found: { status?: string } | undefined;
    while (found?.status !== 'succeeded' && Date.now() < deadline) {
      const page = (await (await checkedFetch(`http://127.0.0.1:${httpPort}/api/jobs?limit=20`)).json()) as {
        jobs: Array<{ status: string; input: { text?: string } }>;
      };
      found = page.jobs.find((j) => j.input.text === text);
      await sleep(200);
    }
    expect(found).toMatchObject({ status: 'succeeded' });
  });
});
