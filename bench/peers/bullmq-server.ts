/**
 * BullMQ as a peer for the benchmark: the same two routes the clients use, over a BullMQ queue on
 * Redis, with 4 workers (one Worker, concurrency 4) that run the same catalogue tasks with the same
 * process runner (tasks start from a process spawner, as spawn-queue's consumer starts them).
 * `?wait=N` waits with `job.waitUntilFinished`, BullMQ's own way to wait for a job.
 *
 *   node --import tsx bench/peers/bullmq-server.ts <http port> <redis port>
 *
 * Routes: POST /api/tasks/{task} (202 { jobId }, or 200 with the job for ?wait), GET /api/jobs/{id}
 * (?wait=N), GET /api/queue-stats (the processPool fields the benchmark reads).
 */
import http from 'node:http';
import os from 'node:os';
import { Job, Queue, QueueEvents, Worker } from 'bullmq';
import { createProcessSpawner } from '../../lib/process/process-spawner';
import { createCatalogue } from '../../lib/tasks/catalogue';
import type { Invocation } from '../../lib/tasks/catalogue';
import { readBody, send } from '../lib/plain-http';

const [httpPort, redisPort] = process.argv.slice(2).map(Number);
const connection = { host: '127.0.0.1', port: redisPort ?? 6379, maxRetriesPerRequest: null };
const NAME = 'jobs';
const catalogue = createCatalogue();
const spawner = createProcessSpawner();
const queue = new Queue(NAME, { connection });
const events = new QueueEvents(NAME, { connection });

interface Result {
  status: 'succeeded' | 'failed' | 'timed_out';
  exitCode: number | null;
  stdout: string;
  startedAt: string;
  finishedAt: string;
}

const worker = new Worker<Invocation, Result>(
  NAME,
  async (job) => {
    const startedAt = new Date().toISOString();
    const result = await spawner.run({ ...job.data, workRoot: os.tmpdir() });
    return {
      status: result.timedOut ? 'timed_out' : result.exitCode === 0 ? 'succeeded' : 'failed',
      exitCode: result.exitCode,
      stdout: result.stdout,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
  },
  { connection, concurrency: 4 },
);

async function view(job: Job<Invocation, Result>) {
  const state = await job.getState();
  const result = job.returnvalue;
  const status =
    result?.status ?? (state === 'active' ? 'running' : state === 'failed' ? 'failed' : 'queued');
  return {
    jobId: job.id,
    status,
    exitCode: result?.exitCode ?? null,
    stdout: result?.stdout ?? '',
    queuedAt: new Date(job.timestamp).toISOString(),
    startedAt: result?.startedAt ?? null,
    finishedAt: result?.finishedAt ?? null,
  };
}

async function waitFor(job: Job<Invocation, Result>, seconds: number): Promise<Job<Invocation, Result>> {
  if (seconds <= 0) return job;
  await job.waitUntilFinished(events, seconds * 1000).catch(() => undefined);
  return (await Job.fromId<Invocation, Result>(queue, job.id!)) ?? job;
}

async function submit(req: http.IncomingMessage, res: http.ServerResponse, task: string, wait: number) {
  let input: Record<string, unknown>;
  try {
    input = (JSON.parse(await readBody(req)) as { input?: Record<string, unknown> }).input ?? {};
  } catch {
    return send(res, 400, { error: { code: 'invalid_json', message: 'body is not JSON' } });
  }
  let invocation: Invocation;
  try {
    invocation = catalogue.prepare(task, input);
  } catch (error) {
    return send(res, 400, { error: { code: 'invalid_input', message: (error as Error).message } });
  }
  // Finished jobs are kept (as spawn-queue keeps its records) so a client can read them.
  const job = await queue.add(task, invocation, { removeOnComplete: false, removeOnFail: false });
  if (wait > 0) {
    const finished = await view(await waitFor(job, wait));
    return send(res, finished.finishedAt ? 200 : 202, finished);
  }
  send(res, 202, { jobId: job.id, status: 'queued' });
}

async function getJob(res: http.ServerResponse, id: string, wait: number) {
  const job = await Job.fromId<Invocation, Result>(queue, id);
  if (!job) return send(res, 404, { error: { code: 'job_not_found', message: 'no such job' } });
  send(res, 200, await view(await waitFor(job, (await job.isCompleted()) ? 0 : wait)));
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const task = /^\/api\/tasks\/([\w-]+)$/.exec(url.pathname)?.[1];
  const jobId = /^\/api\/jobs\/([\w-]+)$/.exec(url.pathname)?.[1];
  const wait = Math.min(25, Number(url.searchParams.get('wait') ?? 0) || 0);
  const handle = async () => {
    if (req.method === 'POST' && task) return submit(req, res, task, wait);
    if (req.method === 'GET' && jobId) return getJob(res, jobId, wait);
    if (req.method === 'GET' && url.pathname === '/api/queue-stats') {
      const counts = await queue.getJobCounts('active', 'waiting', 'completed', 'failed');
      return send(res, 200, {
        processPool: {
          activeProcesses: counts.active ?? 0,
          queuedTasks: counts.waiting ?? 0,
          totalProcessed: (counts.completed ?? 0) + (counts.failed ?? 0),
          peakQueueSize: 0,
          utilizationPercent: Math.round(((counts.active ?? 0) / 4) * 100),
        },
      });
    }
    send(res, 404, { error: { code: 'not_found', message: 'no such route' } });
  };
  handle().catch(() => send(res, 500, { error: { code: 'internal_error', message: 'internal error' } }));
});
server.keepAliveTimeout = 30_000;

async function main(): Promise<void> {
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]);
  server.listen(httpPort ?? 5200, '127.0.0.1', () => {
    process.stdout.write(`listening on ${(server.address() as { port: number }).port}\n`);
  });
}

process.on('SIGTERM', () => {
  spawner.close();
  process.exit(0);
});
void main();
