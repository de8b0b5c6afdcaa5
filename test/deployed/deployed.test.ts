import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetFunctionConfigurationCommand,
  GetFunctionConcurrencyCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
} from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { hashApiToken, newApiToken } from '../../lib/auth/api-tokens';
import { runCommand } from '../../lib/local/child-processes';
import { loadConfig } from '../../lib/config';
import { createJobStore } from '../../lib/store/create-job-store';
import { queuedJob } from '../helpers/jobs';
import { verifyCallback } from '../../lib/callbacks/signature';
import jobTable from '../../config/job-table.json';
import { callbackReceiver } from '../helpers/callback-receiver';
import { tempDir } from '../helpers/temp-dir';
import { sqsEvent, sqsRecord } from '../helpers/events';
import { clientOptions } from './harness/moto';
import { SERVICE, STAGE, startDeployedStack } from './harness/deployed-stack';
import type { ApiAnswer, DeployedStack } from './harness/deployed-stack';

/**
 * npm run test:deployed: the packaged artifact, run as Lambda runs it. `serverless package` renders
 * the template; it is deployed into moto server as `serverless deploy` does it; each function runs
 * from the zip in the deployment bucket under AWS's Runtime Interface Emulator and aws-lambda-ric on
 * Node 24 with its deployed environment; HTTP requests become API Gateway v2 events; the queues'
 * messages reach the consumer and the callback deliverer as their event source mappings say.
 * What moto cannot emulate (API Gateway v2 itself, IAM, real concurrency) is the template tests' part
 * (test/deploy/template.test.ts): docs/DEPLOY.md says which check covers what.
 */
const projectDir = path.resolve(__dirname, '..', '..');
const token = newApiToken();
const callbackSecret = 'deployed-test-callback-secret-0123456789';
const fn = (name: string) => `${SERVICE}-${STAGE}-${name}`;

let stack: DeployedStack;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir('spawn-queue-deployed-');
  cleanup = temp.cleanup;
  stack = await startDeployedStack({
    projectDir,
    workDir: temp.dir,
    tokenHash: hashApiToken(token),
    callbackSecret,
  });
}, 900_000);

afterAll(async () => {
  await stack?.stop();
  await cleanup?.();
}, 60_000);

const auth = { authorization: `Bearer ${token}` };
const json = { ...auth, 'content-type': 'application/json' };

function submit(task: string, body: unknown, query = ''): Promise<ApiAnswer> {
  return stack.api('POST', `/api/tasks/${task}${query}`, { headers: json, body: JSON.stringify(body) });
}

type Job = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Reads the job until `done` says so (or `timeoutMs` passes); returns the last read. */
async function jobUntil(jobId: string, done: (job: Job) => boolean, timeoutMs = 30_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  let job = (await stack.api('GET', `/api/jobs/${jobId}`, { headers: auth })).body;
  while (!done(job) && Date.now() < deadline) {
    await sleep(250);
    job = (await stack.api('GET', `/api/jobs/${jobId}`, { headers: auth })).body;
  }
  return job;
}
/** An `echo` job's message sent straight to one of the stack's queues (`jobs`, `jobs-dead-letters`). */
async function sendEcho(queue: string, text: string, jobId?: string): Promise<void> {
  const sqs = new SQSClient(clientOptions(stack.target));
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: await stack.queueUrl(`${SERVICE}-${STAGE}-${queue}`),
      MessageBody: JSON.stringify({ task: 'echo', input: { text }, jobId }),
    }),
  );
  sqs.destroy();
}

/** The newest job whose input is `text`, once it succeeded (or as it is after 20 s). */
async function echoJob(text: string): Promise<Job | undefined> {
  const deadline = Date.now() + 20_000;
  let found: Job | undefined;
  while (found?.status !== 'succeeded' && Date.now() < deadline) {
    const { body } = await stack.api('GET', '/api/jobs?limit=20', { headers: auth });
    found = (body.jobs as Job[]).find((j) => j.input.text === text);
    await sleep(250);
  }
  return found;
}

const final = (job: { status?: string }) =>
  ['succeeded', 'failed', 'timed_out', 'cancelled'].includes(job.status ?? '');

describe('the deployed template, as moto holds it', () => {
  it('has the job table with the keys and indexes the code uses', async () => {
    const dynamodb = new DynamoDBClient(clientOptions(stack.target));
    const { Table } = await dynamodb.send(
      new DescribeTableCommand({ TableName: `${SERVICE}-${STAGE}-jobs` }),
    );
    dynamodb.destroy();
    expect(Table!.KeySchema).toEqual(jobTable.KeySchema);
    expect(Table!.GlobalSecondaryIndexes!.map((i) => i.IndexName).sort()).toEqual(
      jobTable.GlobalSecondaryIndexes.map((i) => i.IndexName).sort(),
    );
  });

  it('has the queues with their visibility, retention and redrive', async () => {
    const sqs = new SQSClient(clientOptions(stack.target));
    const attributes = async (name: string) =>
      (
        await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: await stack.queueUrl(name), AttributeNames: ['All'] }),
        )
      ).Attributes!;
    const jobs = await attributes(`${SERVICE}-${STAGE}-jobs`);
    const callbacks = await attributes(`${SERVICE}-${STAGE}-callbacks`);
    sqs.destroy();
    expect(jobs.VisibilityTimeout).toBe('3960');
    // 14 days: a backlog must not expire before it runs.
    expect(jobs.MessageRetentionPeriod).toBe('1209600');
    expect(JSON.parse(jobs.RedrivePolicy!)).toMatchObject({ maxReceiveCount: 10 });
    expect(JSON.parse(jobs.RedrivePolicy!).deadLetterTargetArn).toMatch(/jobs-dead-letters$/);
    expect(callbacks.VisibilityTimeout).toBe('180');
    expect(JSON.parse(callbacks.RedrivePolicy!)).toMatchObject({ maxReceiveCount: 100 });
  });

  it('has the event source mappings as written: the consumer 1 at a time, at most 4, partial batch failures', async () => {
    const lambda = new LambdaClient(clientOptions(stack.target));
    const { EventSourceMappings = [] } = await lambda.send(new ListEventSourceMappingsCommand({}));
    lambda.destroy();
    const of = (name: string) => EventSourceMappings.find((m) => m.FunctionArn?.endsWith(`:${fn(name)}`));
    expect(of('runJobs')).toMatchObject({
      BatchSize: 1,
      EventSourceArn: expect.stringMatching(/:spawn-queue-deployedtest-jobs$/),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(of('deliverCallbacks')).toMatchObject({
      BatchSize: 10,
      EventSourceArn: expect.stringMatching(/:spawn-queue-deployedtest-callbacks$/),
    });
    // Moto drops ScalingConfig; the template carries it (and the poller here honours it).
    const declared = Object.values(stack.template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::EventSourceMapping',
    );
    expect(declared.map((m) => m.Properties.ScalingConfig)).toEqual(
      expect.arrayContaining([{ MaximumConcurrency: 4 }, { MaximumConcurrency: 2 }]),
    );
  });

  it('has each function on nodejs24.x with its timeout, reserved concurrency and environment', async () => {
    const lambda = new LambdaClient(clientOptions(stack.target));
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn('runJobs') }));
    const concurrency = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: fn('runJobs') }));
    const health = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn('health') }));
    lambda.destroy();
    expect(config).toMatchObject({ Runtime: 'nodejs24.x', Timeout: 660, MemorySize: 512 });
    expect(concurrency.ReservedConcurrentExecutions).toBe(4);
    expect(health).toMatchObject({ Runtime: 'nodejs24.x', Timeout: 28 });
    expect(config.Environment!.Variables).toMatchObject({
      JOB_STORE: 'dynamodb',
      SQS_ENDPOINT: '',
      CONSUMER_CONCURRENCY: '4',
      JOB_TABLE_NAME: `${SERVICE}-${STAGE}-jobs`,
    });
    // arm64 as the template says (moto reports x86_64 for it: the template tests check the architecture).
    const declared = Object.values(stack.template.Resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === fn('runJobs'),
    )!;
    expect(declared.Properties.Architectures).toEqual(['arm64']);
  });
});

describe('the artifact', () => {
  it('renders a template cfn-lint finds nothing wrong with', async () => {
    const { code, output } = await runCommand(
      stack.tools.cfnLint,
      // W3005: a DependsOn the framework writes beside a reference that already implies it.
      [
        '--ignore-checks',
        'W3005',
        '--',
        path.join(stack.packageDir, 'cloudformation-template-update-stack.json'),
      ],
      { cwd: stack.packageDir },
    );
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it('ships no native module and no source map: nothing in it depends on the architecture', async () => {
    const files = (await readdir(stack.codeDir, { recursive: true })).map(String);
    expect(
      files.filter((f) => f.endsWith('.node') || f.endsWith('.map') || f.includes('node_modules')),
    ).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining(['handlers/sqs/run-jobs.js', 'handlers/http/submit-job.js']),
    );
  });
});

describe('the packaged functions, run as Lambda runs them', () => {
  it('health: 200 with SQS and the store answering, without a token', async () => {
    await expect(stack.api('GET', '/api/health')).resolves.toMatchObject({
      status: 200,
      body: { sqs: 'ok', store: 'ok' },
    });
  });

  it('every HTTP function initialises: each route answers in the error shape or with its data', async () => {
    const answers = await Promise.all([
      stack.api('GET', '/api/tasks', { headers: auth }),
      stack.api('GET', '/api/openapi.json', { headers: auth }),
      stack.api('GET', '/api/system-info', { headers: auth }),
      stack.api('GET', '/dashboard'),
      stack.api('GET', '/api/nowhere', { headers: auth }),
      stack.api('GET', '/api/jobs', {}),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 404, 401]);
    expect(answers[4]!.body).toMatchObject({ error: { code: 'route_not_found' } });
    expect(answers[5]!.body).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('bad input gets the error shape and writes nothing', async () => {
    const bad = await stack.api('POST', '/api/tasks/echo', { headers: json, body: '{"input":' });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
    const invalid = await submit('sleep', { input: { seconds: 9999 } });
    expect(invalid).toMatchObject({ status: 400, body: { error: { code: 'invalid_input' } } });
  });

  it('submit, then the consumer runs it from the queue: get, list and output say succeeded', async () => {
    const submitted = await submit('echo', { input: { text: 'deployed hello' } });
    expect(submitted).toMatchObject({
      status: 202,
      body: { status: 'queued', eta: { startAt: expect.any(String), finishAt: expect.any(String) } },
    });
    const job = await jobUntil(submitted.body.jobId, final);
    expect(job).toMatchObject({
      status: 'succeeded',
      exitCode: 0,
      stdout: 'deployed hello\n',
      attempts: 1,
      // Without cgroup rights (Lambda): measured from the task's first process, limits per process.
      usage: { scope: 'process' },
      limits: { memoryMb: 64, held: { memoryMb: 'sampled', cpuSeconds: 'process', processes: 'none' } },
    });
    const list = await stack.api('GET', '/api/jobs?limit=10', { headers: auth });
    expect(list.body.jobs.map((j: { jobId: string }) => j.jobId)).toContain(submitted.body.jobId);
    const output = await stack.api('GET', `/api/jobs/${submitted.body.jobId}/output?offset=0`, {
      headers: auth,
    });
    expect(output).toMatchObject({ status: 200, body: { data: 'deployed hello\n' } });
  });

  it('?wait answers with the finished job', async () => {
    const answer = await submit('sha256', { input: { text: 'abc' } }, '?wait=20');
    expect(answer).toMatchObject({ status: 200, body: { status: 'succeeded' } });
  });

  it('cancels a running job: its process is killed and the job ends cancelled', async () => {
    const { body } = await submit('sleep', { input: { seconds: 60 } });
    await jobUntil(body.jobId, (j) => j.status === 'running');
    const cancel = await stack.api('DELETE', `/api/jobs/${body.jobId}`, { headers: auth });
    expect(cancel.status).toBeLessThan(300);
    const job = await jobUntil(body.jobId, final, 20_000);
    expect(job.status).toBe('cancelled');
  });

  it('ends a failing task as its retry policy says (an exit code it does not name: final), then retries it on demand', async () => {
    const { body } = await submit('fail', { input: { code: 3 } });
    expect(await jobUntil(body.jobId, final)).toMatchObject({
      status: 'failed',
      exitCode: 3,
      attempts: 1,
      stderr: 'failing on purpose\n',
    });
    const retry = await stack.api('POST', `/api/jobs/${body.jobId}/retry`, { headers: auth });
    expect(retry.status).toBe(202);
    expect(await jobUntil(body.jobId, (j) => final(j) && j.attempts === 2)).toMatchObject({
      status: 'failed',
      attempts: 2,
    });
  });

  it('runs a delayed job at its time, not before', async () => {
    const submittedAt = Date.now();
    const { body } = await submit('echo', { input: { text: 'later' }, delaySeconds: 3 });
    expect(body.status).toBe('scheduled');
    const job = await jobUntil(body.jobId, final, 30_000);
    expect(job.status).toBe('succeeded');
    expect(Date.parse(job.startedAt)).toBeGreaterThanOrEqual(Date.parse(job.runAt));
    expect(Date.parse(job.runAt) - submittedAt).toBeGreaterThanOrEqual(2000);
  });

  it("runs a concurrency key's tickers one at a time (the ticker's perKey: key slots in the table), listed by key", async () => {
    const input = { lines: 2, intervalMs: 300 };
    const answers = await Promise.all(
      [0, 1].map(() => submit('ticker', { input, concurrencyKey: 'deployed-user' })),
    );
    expect(answers.map((answer) => answer.status)).toEqual([202, 202]);
    const jobs = await Promise.all(answers.map((answer) => jobUntil(answer.body.jobId, final, 60_000)));
    expect(jobs.map((job) => job.status)).toEqual(['succeeded', 'succeeded']);
    const [first, second] = jobs.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    expect(Date.parse(second!.startedAt)).toBeGreaterThanOrEqual(Date.parse(first!.finishedAt));
    const listed = await stack.api('GET', '/api/jobs?concurrencyKey=deployed-user', { headers: auth });
    expect(listed.body.jobs.map((job: Job) => job.concurrencyKey)).toEqual([
      'deployed-user',
      'deployed-user',
    ]);
  });

  it('delivers a signed completion callback, the secret read from SSM', async () => {
    const receiver = await callbackReceiver();
    try {
      const { body } = await submit('echo', { input: { text: 'call me' }, callback: { url: receiver.url } });
      const deadline = Date.now() + 30_000;
      while (receiver.received.length === 0 && Date.now() < deadline) await sleep(200);
      expect(receiver.received).toHaveLength(1);
      const [call] = receiver.received;
      expect(JSON.parse(call!.body)).toMatchObject({ jobId: body.jobId, status: 'succeeded' });
      expect(verifyCallback(callbackSecret, call!.body, String(call!.headers['spawn-queue-signature']))).toBe(
        true,
      );
      expect(await jobUntil(body.jobId, (j) => j.callback?.status === 'delivered')).toMatchObject({
        callback: { status: 'delivered' },
      });
    } finally {
      await receiver.close();
    }
  });

  it('records a message sent straight to the queue, as any producer may', async () => {
    await sendEcho('jobs', 'straight in');
    await expect(echoJob('straight in')).resolves.toMatchObject({ status: 'succeeded' });
  });

  it('the consumer answers a batch as its mapping expects (no batch item failure for a done job)', async () => {
    const invocation = await stack.invoke(fn('runJobs'), sqsEvent(sqsRecord({ body: '{not json' })));
    expect(invocation).toMatchObject({ ok: true });
  });

  it('queue-stats and metrics read the deployed store and queues', async () => {
    const stats = await stack.api('GET', '/api/queue-stats', { headers: auth });
    expect(stats.status).toBe(200);
    expect(stats.body.processPool.totalProcessed).toBeGreaterThanOrEqual(5);
    expect(stats.body.maxConcurrency).toBe(4);
    const metrics = await stack.api('GET', '/api/metrics', { headers: auth });
    expect(metrics.status).toBe(200);
    expect(String(metrics.body)).toContain('spawn_queue_jobs_finished_total');
  });

  it('sends a job whose message the queue lost again, and fails one whose message is in the dead-letter queue: the scheduled reconciler, then the consumer', async () => {
    // A job left queued with no message (as a purge leaves one), written straight into the table.
    const store = createJobStore(
      loadConfig({
        JOB_STORE: 'dynamodb',
        DYNAMODB_ENDPOINT: stack.target.endpoint,
        JOB_TABLE_NAME: `${SERVICE}-${STAGE}-jobs`,
      }),
    );
    const stranded = queuedJob({
      input: { text: 'stranded' },
      queuedAt: new Date(Date.now() - 120_000).toISOString(),
    });
    // One whose last delivery gave up while the table was unreachable: its message in the DLQ.
    const deadLettered = queuedJob({
      input: { text: 'dead-lettered' },
      queuedAt: new Date(Date.now() - 120_000).toISOString(),
    });
    await store.create(stranded);
    await store.create(deadLettered);
    await store.close();
    await sendEcho('jobs-dead-letters', 'dead-lettered', deadLettered.id);
    const invocation = await stack.invoke(fn('reconcileQueue'), {
      source: 'aws.events',
      'detail-type': 'Scheduled Event',
    });
    expect(invocation).toMatchObject({ ok: true, payload: { sent: 1, deadLettered: 1, counted: 0 } });
    expect(await jobUntil(stranded.id, final)).toMatchObject({ status: 'succeeded', stdout: 'stranded\n' });
    expect(await jobUntil(deadLettered.id, final)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('dead-letter queue'),
    });
  });

  it('makes a schedule over HTTP, and the scheduled fireSchedules function makes its job once per fire time', async () => {
    const made = await stack.api('POST', '/api/schedules', {
      headers: json,
      body: JSON.stringify({ task: 'echo', input: { text: 'scheduled' }, cron: '* * * * *' }),
    });
    expect(made).toMatchObject({ status: 201, body: { runs: 0 } });
    const id = made.body.id as string;
    // Its first fire time must have come: the next minute, as the scheduler sees it.
    await sleep(Math.max(0, Date.parse(made.body.nextRunAt) - Date.now() + 200));
    const event = { source: 'aws.events', 'detail-type': 'Scheduled Event' };
    const [first, second] = await Promise.all([
      stack.invoke(fn('fireSchedules'), event),
      stack.invoke(fn('fireSchedules'), event),
    ]);
    expect(first).toMatchObject({ ok: true });
    expect(second).toMatchObject({ ok: true });
    const schedule = (await stack.api('GET', `/api/schedules/${id}`, { headers: auth })).body;
    expect(schedule).toMatchObject({ runs: 1, lastJobId: expect.any(String) });
    expect(await jobUntil(schedule.lastJobId, final)).toMatchObject({
      status: 'succeeded',
      stdout: 'scheduled\n',
      scheduleId: id,
      scheduledFor: schedule.lastRunAt,
    });
    const listed = await stack.api('GET', '/api/jobs?limit=50', { headers: auth });
    expect(listed.body.jobs.filter((job: Job) => job.scheduleId === id)).toHaveLength(1);
    const deleted = await stack.api('DELETE', `/api/schedules/${id}`, { headers: auth });
    expect(deleted.status).toBe(204);
  }, 90_000);

  it('moves the dead-letter queue back to the jobs queue (redrive), and its job runs', async () => {
    await sendEcho('jobs-dead-letters', 'redriven');
    // The reconciler's test left a failed job's message there too: redriven, it is dropped.
    const stats = await stack.api('GET', '/api/queue-stats', { headers: auth });
    expect(stats.body.queue.deadLetter).toBeGreaterThanOrEqual(1);
    const redrive = await stack.api('POST', '/api/dead-letters/redrive', { headers: auth });
    expect(redrive).toMatchObject({ status: 200, body: { moved: stats.body.queue.deadLetter } });
    await expect(echoJob('redriven')).resolves.toMatchObject({ status: 'succeeded' });
  });
});
