/**
 * `npm run load`: the original Express design's load table, measured. Drives the local stack over HTTP with 10, 50, 100 and
 * 1,000 concurrent users. Each user submits jobs (autocannon: one connection per user), then polls
 * each of its jobs until it finishes, as a client would (backing off from 250 ms to 4 s). One row per level; rows also go to
 * bench/results/load-<time>.json. Loopback only; every loop is bounded in count and time.
 *
 *   LOAD_URL=http://localhost:5000  use that stack if it answers (default), else start a private one
 *   LOAD_LEVELS=10,50,100,1000      users per level
 *   LOAD_JOBS_PER_USER=2            alternately `sleep 0.1 s` and `echo`
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type autocannon from 'autocannon';
import { timedAutocannon } from './lib/hostile-clients';
import { sampleTaskProcesses } from '../lib/process/task-processes';
import { rssMb } from './lib/proc';
import { printTable } from './lib/stats';
import { projectDir, useOrStartStack } from './lib/target';
import type { Target } from './lib/target';

const LEVELS = (process.env.LOAD_LEVELS ?? '10,50,100,1000').split(',').map(Number);
const JOBS_PER_USER = Number(process.env.LOAD_JOBS_PER_USER ?? 2);
const LEVEL_DEADLINE_MS = 240_000;
/** Clients poll like good clients do: soon at first, then backing off, so 1,000 of them don't storm. */
const POLL_FIRST_MS = 250;
const POLL_MAX_MS = 4000;
const FINAL = new Set(['succeeded', 'failed', 'timed_out', 'cancelled']);

interface Row {
  users: number;
  jobs: number;
  errors: number;
  submitP50Ms: number;
  submitP99Ms: number;
  requestsPerSec: number;
  allFinished: 'yes' | 'no';
  mostProcesses: number;
  peakQueue: number;
  httpRssMb: string;
  elasticMqRssMb: string;
  seconds: number;
}

async function getJson(url: string): Promise<Record<string, unknown> | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return response.ok ? ((await response.json()) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Samples the queue's visible depth through the API until stopped. */
function sampleQueue(httpUrl: string) {
  let most = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const stats = await getJson(`${httpUrl}/api/queue-stats`);
      const visible = (stats?.processPool as { queuedTasks?: number } | undefined)?.queuedTasks ?? 0;
      most = Math.max(most, visible);
      await sleep(500);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return most;
    },
  };
}

async function level(target: Target, users: number): Promise<Row> {
  const started = Date.now();
  const rssStart = { http: await rssMb(target.httpPid), elasticMq: await rssMb(target.elasticMqPid) };
  const processes = sampleTaskProcesses(25);
  const queue = sampleQueue(target.httpUrl);

  const jobIds: string[] = [];
  const statuses: Record<number, number> = {};
  let firstError = '';
  const submit = (task: string, input: unknown): autocannon.Request => ({
    method: 'POST',
    path: `/api/tasks/${task}`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input }),
    onResponse: (status: number, body: string) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === 202) jobIds.push((JSON.parse(body) as { jobId: string }).jobId);
      else if (!firstError) firstError = `${status} ${body.slice(0, 200)}`;
    },
  });
  const { result, seconds } = await timedAutocannon({
    url: target.httpUrl,
    connections: users,
    amount: users * JOBS_PER_USER,
    timeout: 30,
    requests: [submit('sleep', { seconds: 0.1 }), submit('echo', { text: 'load test' })],
  });

  // Each user polls its own jobs until they finish.
  const deadline = Date.now() + LEVEL_DEADLINE_MS;
  const outcomes = new Map<string, string>();
  let pollErrors = 0;
  await Promise.all(
    Array.from({ length: users }, async (_, user) => {
      const mine = jobIds.filter((_, i) => i % users === user);
      for (const id of mine) {
        let wait = POLL_FIRST_MS;
        while (Date.now() < deadline) {
          const job = await getJson(`${target.httpUrl}/api/jobs/${id}`);
          if (!job) pollErrors += 1;
          else if (FINAL.has(String(job.status))) {
            outcomes.set(id, String(job.status));
            break;
          }
          await sleep(wait);
          wait = Math.min(POLL_MAX_MS, wait * 2);
        }
      }
    }),
  );
  const { most } = await processes.stop();
  const peakQueue = await queue.stop();
  const rssEnd = { http: await rssMb(target.httpPid), elasticMq: await rssMb(target.elasticMqPid) };
  const notSucceeded = jobIds.length - [...outcomes.values()].filter((s) => s === 'succeeded').length;
  const submitErrors = result.non2xx + result.errors + result.timeouts;
  if (submitErrors + pollErrors + notSucceeded > 0) {
    console.log(
      `  errors: ${submitErrors} submits (statuses ${JSON.stringify(statuses)}, ${result.errors} connection errors, ${result.timeouts} timeouts${firstError ? `, first: ${firstError}` : ''}), ${pollErrors} failed polls, ${notSucceeded} jobs not succeeded`,
    );
  }
  return {
    users,
    jobs: users * JOBS_PER_USER,
    errors: submitErrors + pollErrors + notSucceeded,
    submitP50Ms: result.latency.p50,
    submitP99Ms: result.latency.p99,
    requestsPerSec: Math.round(result.requests.total / seconds),
    allFinished: outcomes.size === users * JOBS_PER_USER ? 'yes' : 'no',
    mostProcesses: most,
    peakQueue,
    httpRssMb: `${rssStart.http ?? '?'} → ${rssEnd.http ?? '?'}`,
    elasticMqRssMb: `${rssStart.elasticMq ?? '?'} → ${rssEnd.elasticMq ?? '?'}`,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}

async function main(): Promise<void> {
  const target = await useOrStartStack({ url: process.env.LOAD_URL });
  const rows: Row[] = [];
  try {
    for (const users of LEVELS) {
      console.log(`\n${users} concurrent users, ${users * JOBS_PER_USER} jobs ...`);
      rows.push(await level(target, users));
      printTable(rows.slice(-1) as unknown as Array<Record<string, unknown>>);
    }
  } finally {
    await target.stop();
  }
  console.log('\nspawn-queue load test');
  printTable(rows as unknown as Array<Record<string, unknown>>);
  const most = Math.max(...rows.map((r) => r.mostProcesses));
  console.log(
    `\nmost task processes at once over all levels: ${most} (limit 4) — ${most <= 4 ? 'held' : 'BROKEN'}`,
  );
  console.log(`errors over all levels: ${rows.reduce((n, r) => n + r.errors, 0)}`);
  const dir = path.join(projectDir, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `load-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify({ machine: machine(), rows }, null, 2));
  console.log(`rows written to ${path.relative(projectDir, file)}`);
  if (most > 4) process.exitCode = 1;
}

function machine() {
  return {
    cores: os.availableParallelism(),
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
