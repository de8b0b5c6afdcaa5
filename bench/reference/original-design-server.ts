/**
 * The reference the benchmark compares against: the original Express design after its fix, as one
 * Node process — an HTTP server with async I/O and an in-process queue of 4 slots (p-queue) that
 * spawns the same catalogue tasks with the same process runner. Jobs live in memory (a restart loses
 * them; that is the design's trade-off, not something this file adds).
 *
 *   node --import tsx bench/reference/original-design-server.ts <port>
 *
 * Routes: POST /api/tasks/{task} (202 { jobId }), GET /api/jobs/{id} (?wait=N), GET /api/queue-stats.
 * Plain node:http rather than Express: same design, one dependency less, and no slower.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import PQueue from 'p-queue';
import { runProcess } from '../../lib/process/run-process';
import { createCatalogue } from '../../lib/tasks/catalogue';
import { readBody, send } from '../lib/plain-http';

interface Job {
  jobId: string;
  task: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'timed_out';
  exitCode?: number | null;
  stdout?: string;
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
}

const catalogue = createCatalogue();
const pool = new PQueue({ concurrency: 4 });
const jobs = new Map<string, Job>();
const waiters = new Map<string, Array<() => void>>();
let totalProcessed = 0;
let peakQueueSize = 0;

function finish(job: Job): void {
  totalProcessed += 1;
  for (const wake of waiters.get(job.jobId) ?? []) wake();
  waiters.delete(job.jobId);
}

async function submit(req: http.IncomingMessage, res: http.ServerResponse, task: string) {
  let input: Record<string, unknown>;
  try {
    input = (JSON.parse(await readBody(req)) as { input?: Record<string, unknown> }).input ?? {};
  } catch {
    return send(res, 400, { error: { code: 'invalid_json', message: 'body is not JSON' } });
  }
  let invocation;
  try {
    invocation = catalogue.prepare(task, input);
  } catch (error) {
    return send(res, 400, { error: { code: 'invalid_input', message: (error as Error).message } });
  }
  const job: Job = { jobId: randomUUID(), task, status: 'queued', queuedAt: new Date().toISOString() };
  jobs.set(job.jobId, job);
  void pool.add(async () => {
    job.status = 'running';
    job.startedAt = new Date().toISOString();
    try {
      const result = await runProcess({ ...invocation, workRoot: os.tmpdir() });
      job.status = result.timedOut ? 'timed_out' : result.exitCode === 0 ? 'succeeded' : 'failed';
      job.exitCode = result.exitCode;
      job.stdout = result.stdout;
    } catch {
      job.status = 'failed';
    }
    job.finishedAt = new Date().toISOString();
    finish(job);
  });
  peakQueueSize = Math.max(peakQueueSize, pool.size);
  send(res, 202, { jobId: job.jobId, status: job.status });
}

async function getJob(res: http.ServerResponse, id: string, waitSeconds: number) {
  const job = jobs.get(id);
  if (!job) return send(res, 404, { error: { code: 'job_not_found', message: 'no such job' } });
  if (waitSeconds > 0 && !job.finishedAt) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, waitSeconds * 1000);
      const list = waiters.get(id) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve();
      });
      waiters.set(id, list);
    });
  }
  send(res, 200, job);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const task = /^\/api\/tasks\/([\w-]+)$/.exec(url.pathname)?.[1];
  const jobId = /^\/api\/jobs\/([\w-]+)$/.exec(url.pathname)?.[1];
  const handle = async () => {
    if (req.method === 'POST' && task) return submit(req, res, task);
    if (req.method === 'GET' && jobId) return getJob(res, jobId, Number(url.searchParams.get('wait') ?? 0));
    if (req.method === 'GET' && url.pathname === '/api/queue-stats') {
      return send(res, 200, {
        processPool: {
          activeProcesses: pool.pending,
          queuedTasks: pool.size,
          totalProcessed,
          peakQueueSize,
          utilizationPercent: Math.round((pool.pending / 4) * 100),
        },
      });
    }
    send(res, 404, { error: { code: 'not_found', message: 'no such route' } });
  };
  handle().catch(() => send(res, 500, { error: { code: 'internal_error', message: 'internal error' } }));
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.argv[2] ?? 5100), '127.0.0.1', () => {
  process.stdout.write(`listening on ${(server.address() as { port: number }).port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
