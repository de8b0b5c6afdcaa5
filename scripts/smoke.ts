/**
 * A short black-box check of any running spawn-queue (local or deployed), through its HTTP API only:
 *
 *   npm run smoke -- --url <base> [--token <t>] [--queue-url <jobs queue URL> [--sqs-endpoint <url>]]
 *
 * One line per check; exit code 1 when any failed. It submits a few small jobs (echo, fail, sleep).
 */
import { parseArgs } from 'node:util';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

interface Options {
  url: string;
  token?: string;
  queueUrl?: string;
  sqsEndpoint?: string;
  region: string;
}

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

class CheckFailed extends Error {}

function expectThat(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

function client({ url, token }: Options) {
  return async (method: string, route: string, options: { body?: unknown; token?: string | null } = {}) => {
    const bearer = options.token === undefined ? token : options.token;
    const response = await fetch(`${url.replace(/\/+$/, '')}${route}`, {
      method,
      headers: {
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) as Body };
    } catch {
      return { status: response.status, body: { text: text.slice(0, 200) } as Body };
    }
  };
}

type Call = ReturnType<typeof client>;

function summary(response: { status: number; body: Body }): string {
  return `${response.status} ${JSON.stringify(response.body).slice(0, 160)}`;
}

async function waitForStatus(call: Call, id: string, wanted: (status: string) => boolean, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const job = await call('GET', `/api/jobs/${id}`);
    if (wanted(String(job.body.status)) || Date.now() > deadline) return job;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface CheckResult {
  name: string;
  outcome: 'pass' | 'fail' | 'skip';
  detail: string;
  ms: number;
}

export async function runSmoke(options: Options): Promise<CheckResult[]> {
  const call = client(options);
  const checks: Array<[string, () => Promise<string | { skip: string }>]> = [
    [
      'health answers 200 without a token',
      async () => {
        const health = await call('GET', '/api/health', { token: null });
        expectThat(health.status === 200, summary(health));
        return `sqs ${health.body.sqs}, store ${health.body.store}`;
      },
    ],
    [
      'no token: 401 in the error shape',
      async () => {
        if (!options.token) return { skip: 'no --token given (auth off?)' };
        const denied = await call('GET', '/api/jobs', { token: null });
        expectThat(denied.status === 401 && denied.body.error?.code === 'unauthorized', summary(denied));
        const wrong = await call('GET', '/api/jobs', { token: 'not-the-token' });
        expectThat(wrong.status === 401, summary(wrong));
        return 'without and with a wrong token';
      },
    ],
    [
      'tasks are listed and available',
      async () => {
        const tasks = await call('GET', '/api/tasks');
        expectThat(tasks.status === 200, summary(tasks));
        const names = (tasks.body.tasks as Body[]).filter((t) => t.available !== false).map((t) => t.name);
        for (const name of ['echo', 'fail', 'sleep'])
          expectThat(names.includes(name), `${name} missing: ${names}`);
        const echo = (tasks.body.tasks as Body[]).find((t) => t.name === 'echo');
        const held = echo?.limitsHeld as Body | undefined;
        expectThat(
          held !== undefined && typeof held.memoryMb === 'string',
          `limitsHeld ${JSON.stringify(held)}`,
        );
        return `${names.length} available; memory limits held: ${String(held!.memoryMb)}`;
      },
    ],
    [
      'the OpenAPI document describes every task',
      async () => {
        const document = await call('GET', '/api/openapi.json');
        expectThat(document.status === 200 && document.body.openapi === '3.1.0', summary(document));
        const tasks = await call('GET', '/api/tasks');
        const paths = Object.keys((document.body.paths ?? {}) as Body);
        for (const task of tasks.body.tasks as Body[]) {
          expectThat(
            paths.includes(`/api/tasks/${String(task.name)}`),
            `no submit operation for ${String(task.name)}`,
          );
        }
        return `${paths.length} paths`;
      },
    ],
    [
      'metrics are in the Prometheus text format',
      async () => {
        const metrics = await call('GET', '/api/metrics');
        const text = String(metrics.body.text ?? '');
        expectThat(metrics.status === 200 && text.startsWith('# HELP spawn_queue_jobs '), summary(metrics));
        return 'spawn_queue_* families';
      },
    ],
    [
      'submit with ?wait runs a job',
      async () => {
        const text = `smoke ${Date.now()}`;
        const job = await call('POST', '/api/tasks/echo?wait=20', { body: { input: { text } } });
        expectThat(job.status === 200 && job.body.status === 'succeeded', summary(job));
        expectThat(job.body.stdout === `${text}\n`, `stdout ${JSON.stringify(job.body.stdout)}`);
        const usage = job.body.usage as Body | null;
        expectThat(
          usage !== null &&
            typeof usage.cpuMs === 'number' &&
            ['job', 'process'].includes(String(usage.scope)),
          `usage ${JSON.stringify(usage)}`,
        );
        return `${job.body.jobId} in ${job.body.waitMs} ms queued + ${job.body.runMs} ms run, ${usage!.cpuMs} ms CPU (${usage!.scope})`;
      },
    ],
    [
      'a running job’s output is readable while it runs',
      async () => {
        const submitted = await call('POST', '/api/tasks/ticker', {
          body: { input: { lines: 3, intervalMs: 700 } },
        });
        expectThat(submitted.status === 202, summary(submitted));
        const id = String(submitted.body.jobId);
        const first = await call('GET', `/api/jobs/${id}/output?offset=0&wait=20`);
        expectThat(first.status === 200 && String(first.body.data).startsWith('tick 1\n'), summary(first));
        expectThat(first.body.complete === false, `complete after the first line: ${summary(first)}`);
        let offset = Number(first.body.nextOffset);
        let text = String(first.body.data);
        for (let read = 0; read < 10; read += 1) {
          const next = await call('GET', `/api/jobs/${id}/output?offset=${offset}&wait=20`);
          expectThat(next.status === 200, summary(next));
          text += String(next.body.data);
          offset = Number(next.body.nextOffset);
          if (next.body.complete) break;
        }
        expectThat(text === 'tick 1\ntick 2\ntick 3\n', `output ${JSON.stringify(text)}`);
        return `${id}: the first line while it ran, all three by the end`;
      },
    ],
    [
      'a job keeps its concurrency key, and is listed by it',
      async () => {
        const key = `smoke-${Date.now()}`;
        const job = await call('POST', '/api/tasks/echo?wait=20', {
          body: { input: { text: 'keyed' }, concurrencyKey: key },
        });
        expectThat(job.status === 200 && job.body.concurrencyKey === key, summary(job));
        const listed = await call('GET', `/api/jobs?concurrencyKey=${encodeURIComponent(key)}`);
        const ids = ((listed.body.jobs ?? []) as Body[]).map((j) => j.jobId);
        expectThat(listed.status === 200 && ids.length === 1 && ids[0] === job.body.jobId, summary(listed));
        const stats = await call('GET', '/api/queue-stats');
        expectThat(Array.isArray(stats.body.concurrencyKeys), `queue-stats ${summary(stats)}`);
        return `${String(job.body.jobId)} under ${key}`;
      },
    ],
    [
      'a schedule is made with its next fire time, read, paused and deleted',
      async () => {
        const made = await call('POST', '/api/schedules', {
          body: { task: 'echo', input: { text: 'smoke schedule' }, cron: '0 0 1 1 *', paused: true },
        });
        expectThat(
          made.status === 201 && made.body.paused === true && made.body.nextRunAt === null,
          summary(made),
        );
        const id = String(made.body.id);
        const resumed = await call('PATCH', `/api/schedules/${id}`, { body: { paused: false } });
        expectThat(resumed.status === 200 && typeof resumed.body.nextRunAt === 'string', summary(resumed));
        const deleted = await call('DELETE', `/api/schedules/${id}`);
        expectThat(deleted.status === 204, summary(deleted));
        const gone = await call('GET', `/api/schedules/${id}`);
        expectThat(gone.status === 404 && gone.body.error?.code === 'schedule_not_found', summary(gone));
        return `${id}: next ${String(resumed.body.nextRunAt)} once resumed`;
      },
    ],
    [
      'a delayed job is scheduled, then runs at its time',
      async () => {
        const submitted = await call('POST', '/api/tasks/echo', {
          body: { input: { text: 'later' }, delaySeconds: 2 },
        });
        expectThat(submitted.status === 202 && submitted.body.status === 'scheduled', summary(submitted));
        const id = String(submitted.body.jobId);
        const done = await call('GET', `/api/jobs/${id}?wait=20`);
        expectThat(done.status === 200 && done.body.status === 'succeeded', summary(done));
        const late = Date.parse(String(done.body.startedAt)) - Date.parse(String(done.body.runAt));
        expectThat(late >= 0, `started ${-late} ms before its time`);
        return `${id} started ${late} ms after its time`;
      },
    ],
    [
      'a submit promises an ETA; a deadline it cannot meet is refused with it, and nothing queued',
      async () => {
        const submitted = await call('POST', '/api/tasks/echo', { body: { input: { text: 'eta' } } });
        const eta = submitted.body.eta as { startAt?: string; finishAt?: string } | undefined;
        expectThat(submitted.status === 202 && Boolean(eta?.startAt && eta.finishAt), summary(submitted));
        // A sleep of 1 s first, so the task's mean run time is known: 1 s at least.
        const known = await call('POST', '/api/tasks/sleep?wait=20', { body: { input: { seconds: 1 } } });
        expectThat(known.status === 200, summary(known));
        const refused = await call('POST', '/api/tasks/sleep', {
          body: { input: { seconds: 1 }, deadline: new Date(Date.now() + 500).toISOString() },
        });
        expectThat(
          refused.status === 422 && refused.body.error?.code === 'deadline_unreachable',
          summary(refused),
        );
        return `eta ${String(eta?.startAt)} → ${String(eta?.finishAt)}; a 0.5 s deadline for a 1 s task refused`;
      },
    ],
    [
      'a callback that is not an http(s) URL is refused',
      async () => {
        const refused = await call('POST', '/api/tasks/echo', {
          body: { input: { text: 'a' }, callback: { url: 'file:///etc/passwd' } },
        });
        const code = String(refused.body.error?.code);
        expectThat(
          refused.status === 400 && ['invalid_callback', 'callbacks_unavailable'].includes(code),
          summary(refused),
        );
        return code;
      },
    ],
    [
      'a failing task reports its exit code',
      async () => {
        const job = await call('POST', '/api/tasks/fail?wait=20', { body: { input: { code: 3 } } });
        expectThat(
          job.status === 200 && job.body.status === 'failed' && job.body.exitCode === 3,
          summary(job),
        );
        return 'failed, exit 3';
      },
    ],
    [
      'input no process can take is refused (400 invalid_input)',
      async () => {
        const refused = await call('POST', '/api/tasks/echo', { body: { input: { text: 'x\u0000y' } } });
        expectThat(refused.status === 400 && refused.body.error?.code === 'invalid_input', summary(refused));
        return String(refused.body.error?.message);
      },
    ],
    [
      'a failed job is retried on demand as its next attempt',
      async () => {
        const failed = await call('POST', '/api/tasks/fail?wait=20', { body: { input: { code: 5 } } });
        expectThat(failed.body.status === 'failed', summary(failed));
        const id = String(failed.body.jobId);
        const retried = await call('POST', `/api/jobs/${id}/retry`);
        expectThat(retried.status === 202 && retried.body.status === 'queued', summary(retried));
        const final = await call('GET', `/api/jobs/${id}?wait=20`);
        expectThat(
          final.body.status === 'failed' &&
            final.body.attempts === 2 &&
            final.body.attemptHistory?.length === 2,
          summary(final),
        );
        return 'attempt 2 ran, both attempts on the record';
      },
    ],
    [
      'the dead-letter queue can be redriven',
      async () => {
        const redrive = await call('POST', '/api/dead-letters/redrive');
        expectThat(redrive.status === 200 && typeof redrive.body.moved === 'number', summary(redrive));
        return `${redrive.body.moved} message(s) moved back`;
      },
    ],
    [
      'a running job is cancelled',
      async () => {
        const submitted = await call('POST', '/api/tasks/sleep', { body: { input: { seconds: 60 } } });
        expectThat(submitted.status === 202, summary(submitted));
        const id = String(submitted.body.jobId);
        const running = await waitForStatus(call, id, (s) => s !== 'queued', 30_000);
        expectThat(running.body.status === 'running', `never ran: ${summary(running)}`);
        const cancelled = await call('DELETE', `/api/jobs/${id}`);
        expectThat([200, 202].includes(cancelled.status), summary(cancelled));
        const final = await call('GET', `/api/jobs/${id}?wait=20`);
        expectThat(final.body.status === 'cancelled', summary(final));
        return `cancelled after ${final.body.runMs} ms`;
      },
    ],
    [
      'queue-stats has its fields',
      async () => {
        const stats = await call('GET', '/api/queue-stats');
        expectThat(stats.status === 200, summary(stats));
        const pool = stats.body.processPool ?? {};
        for (const field of [
          'activeProcesses',
          'queuedTasks',
          'totalProcessed',
          'peakQueueSize',
          'utilizationPercent',
        ]) {
          expectThat(typeof pool[field] === 'number', `processPool.${field} missing`);
        }
        for (const field of ['queue', 'retrying', 'throughput', 'waitMs', 'runMs', 'jobs']) {
          expectThat(stats.body[field] !== undefined, `${field} missing`);
        }
        return `${pool.totalProcessed} processed, max ${stats.body.maxConcurrency} at once`;
      },
    ],
    [
      'a message sent straight to SQS runs',
      async () => {
        if (!options.queueUrl) return { skip: 'no --queue-url given' };
        const sqs = new SQSClient({
          region: options.region,
          endpoint: options.sqsEndpoint,
          ...(options.sqsEndpoint ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
        });
        try {
          const text = `straight to SQS ${Date.now()}`;
          const sent = await sqs.send(
            new SendMessageCommand({
              QueueUrl: options.queueUrl,
              MessageBody: JSON.stringify({ task: 'echo', input: { text } }),
            }),
          );
          expectThat(sent.MessageId, 'SQS gave no message id');
          // The consumer makes a job of a message it has no record for; its id comes from the message,
          // so find it by its (unique) input among the newest jobs.
          const deadline = Date.now() + 30_000;
          for (;;) {
            const page = await call('GET', '/api/jobs?limit=50');
            const job = (page.body.jobs as Body[] | undefined)?.find((j) => j.input?.text === text);
            if (job && (job.status === 'succeeded' || Date.now() > deadline)) {
              expectThat(
                job.status === 'succeeded' && job.stdout === `${text}\n`,
                JSON.stringify(job).slice(0, 200),
              );
              return `job ${job.jobId}`;
            }
            expectThat(Date.now() < deadline, 'no job appeared for the message within 30 s');
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
        } finally {
          sqs.destroy();
        }
      },
    ],
  ];

  const results: CheckResult[] = [];
  for (const [name, check] of checks) {
    const started = Date.now();
    try {
      const detail = await check();
      results.push(
        typeof detail === 'string'
          ? { name, outcome: 'pass', detail, ms: Date.now() - started }
          : { name, outcome: 'skip', detail: detail.skip, ms: 0 },
      );
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      results.push({ name, outcome: 'fail', detail: detail.split('\n')[0]!, ms: Date.now() - started });
    }
  }
  return results;
}

const MARK = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      'queue-url': { type: 'string' },
      'sqs-endpoint': { type: 'string' },
      region: { type: 'string' },
    },
  });
  if (!values.url) {
    console.error(
      'usage: npm run smoke -- --url <base> [--token <t>] [--queue-url <url> [--sqs-endpoint <url>]]',
    );
    process.exit(2);
  }
  const results = await runSmoke({
    url: values.url,
    token: values.token ?? process.env.SPAWN_QUEUE_TOKEN,
    queueUrl: values['queue-url'],
    sqsEndpoint: values['sqs-endpoint'],
    region: values.region ?? process.env.AWS_REGION ?? 'us-east-1',
  });
  for (const result of results) {
    process.stdout.write(
      `${MARK[result.outcome]}  ${result.name}: ${result.detail}${result.ms ? ` (${result.ms} ms)` : ''}\n`,
    );
  }
  const failed = results.filter((r) => r.outcome === 'fail').length;
  process.stdout.write(
    `${results.length - failed} of ${results.length} checks passed or skipped, ${failed} failed\n`,
  );
  process.exitCode = failed > 0 ? 1 : 0;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`smoke: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
