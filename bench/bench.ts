/**
 * `npm run bench`: spawn-queue against the physical ceiling, in one run, on a private stack.
 *
 *  1. Throughput: the same jobs through spawn-queue (HTTP submit → SQS → consumer) and through a raw
 *     4-slot pool, for ~0 ms (`echo`), 100 ms and 1 s jobs; median of BENCH_RUNS runs and the ratio.
 *  2. Submit latency p50/p99 at 100 and 1,000 concurrent connections (autocannon).
 *  3. HTTP-side RSS idle vs with 10,000 jobs queued (the consumer paused).
 *  4. GET /api/queue-stats p95 with 10,000 jobs stored.
 *  5. The ETA of a submit against the job's actual start: median and p90 of the error (part `eta`).
 *  6. Concurrency keys under a backlog of one key (part `keys`, below).
 *
 *  0. Side by side (part `side-by-side`): spawn-queue as `npm start`, the reference of the original
 *     Express design (bench/reference) and BullMQ + Redis (bench/peers, when redis-server is on the
 *     PATH), under the same clients: memory of every process idle and after the loads, bursts over
 *     10 … 1,000 connections, a client polling every job, clients that wait. Parts `bursts`,
 *     `polled` and `starvation` (1 s jobs while 200 connections hammer the API) run against the
 *     reference on a private in-process stack; `history`: spawn-queue's bursts, polled loads and
 *     the latency of each endpoint (submit, get, list, queue-stats, metrics) with BENCH_HISTORY
 *     (10,000 then 1,000,000) finished jobs in the store, median of BENCH_HISTORY_RUNS (3) runs each.
 *
 *   - keys: what concurrency keys cost under a backlog of one key (BENCH_KEY_BACKLOG jobs, 1,000): no
 *     key, one key (the fair share's check), one key of a perKey-1 task, with deliveries and holds
 *     per job and how long jobs of other keys submitted behind it wait.
 *
 * BENCH_PARTS=side-by-side,history,throughput,latency,memory,eta,keys,stats picks parts (`bursts`, `polled`
 * or `starvation` runs one part of side-by-side alone); BENCH_RUNS=3 sets
 * the runs per mix; BENCH_MIX=echo only the throughput mixes named so; BENCH_URL measures a stack
 * already running there instead of a private one.
 * Loopback only; every loop is bounded. Writes bench/results/bench-<time>.json.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { createCatalogue } from '../lib/tasks/catalogue';
import { runCeiling } from './lib/ceiling';
import { seedFinishedJobs, seedFinishedJobsApart } from './lib/seed-store';
import { etaAccuracy } from './lib/eta-accuracy';
import { burst, timedAutocannon } from './lib/hostile-clients';
import {
  burstRows,
  flushDisk,
  hasRedis,
  loopDelayDuring,
  memoryRow,
  onEach,
  pollingRows,
  spawnQueueServer,
  startBullMq,
  startReference,
  starvationRows,
  waitingRows,
} from './lib/side-by-side';
import type { Row, Server } from './lib/side-by-side';
import { rssMb } from './lib/proc';
import { keyBacklogCost } from './lib/key-backlog';
import { median, percentile, printTable } from './lib/stats';
import { projectDir, startNpmStart, useOrStartStack } from './lib/target';
import type { Target } from './lib/target';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const HISTORY = (process.env.BENCH_HISTORY ?? '10000,1000000').split(',').map(Number);
const HISTORY_RUNS = Number(process.env.BENCH_HISTORY_RUNS ?? 3);
const KEY_BACKLOG = Number(process.env.BENCH_KEY_BACKLOG ?? 1000);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_SECONDS ?? 60) * 1000;
/**
 * Idle means at rest: a process just started still holds the garbage of its start (serverless
 * offline's framework loads and resolves the whole service: 185-268 MB when it answers, ~160 MB ten
 * seconds later, when V8's memory reducer has run). Every system gets the same time.
 */
const IDLE_SETTLE_MS = Number(process.env.BENCH_IDLE_SETTLE_SECONDS ?? 15) * 1000;

/** The headline figure of a row: submits/s of a burst, jobs/s of a polled load. */
const figureOf = (row: Row) => Number(row.submitsPerSec ?? row.jobsPerSec);

/** Runs `rows` `runs` times; each row keeps the run with the median headline figure. */
async function medianRows(runs: number, rows: () => Promise<Row[]>): Promise<Row[]> {
  const all: Row[][] = [];
  for (let i = 0; i < runs; i += 1) all.push(await rows());
  return all[0]!.map((_, i) => {
    const runsOfRow = all.map((run) => run[i]!).sort((a, b) => figureOf(a) - figureOf(b));
    return runsOfRow[Math.floor((runsOfRow.length - 1) / 2)]!;
  });
}

async function storedJobs(target: Target): Promise<number> {
  const stats = await json<{ jobs: Record<string, number> }>(`${target.httpUrl}/api/queue-stats`);
  return Object.values(stats.jobs).reduce((a, b) => a + b, 0);
}

/** The latency of each endpoint a client calls, median and p95 of 200 calls in a row. */
async function endpointLatencies(url: string, ids: string[]): Promise<Record<string, string>> {
  const calls = 200;
  const post = { method: 'POST', headers: { 'content-type': 'application/json' } };
  const endpoints: Record<string, (i: number) => Promise<Response>> = {
    submit: () => fetch(`${url}/api/tasks/echo`, { ...post, body: '{"input":{"text":"history"}}' }),
    get: (i) => fetch(`${url}/api/jobs/${ids[i % ids.length]}`),
    list: () => fetch(`${url}/api/jobs?limit=20`),
    queueStats: () => fetch(`${url}/api/queue-stats`),
    metrics: () => fetch(`${url}/api/metrics`),
  };
  const row: Record<string, string> = {};
  for (const [name, call] of Object.entries(endpoints)) {
    const times: number[] = [];
    for (let i = 0; i < calls; i += 1) {
      const started = performance.now();
      const answer = await call(i);
      await answer.arrayBuffer();
      if (answer.status >= 300) throw new Error(`${name}: ${answer.status}`);
      times.push(performance.now() - started);
    }
    row[name] = `${median(times).toFixed(2)} / ${percentile(times, 95).toFixed(2)}`;
  }
  return row;
}

/**
 * The history part: the store grown to each size of BENCH_HISTORY in turn (finished jobs written
 * straight into it, bench/lib/seed-history.ts), then flushed and let settle, then the loads and the
 * endpoints measured; the last size against the first, as ratios.
 */
async function historyRows(target: Target, ours: Server) {
  const measured: Array<{ stored: number; loads: Row[]; endpoints: Record<string, string>; dbMb: number }> =
    [];
  const ids: string[] = [];
  for (const size of HISTORY) {
    const stored = await storedJobs(target);
    if (size > stored) {
      console.log(`writing ${(size - stored).toLocaleString('en')} finished jobs into the store...`);
      const seeded = await seedFinishedJobsApart(
        target.jobStoreDir!,
        { count: size - stored, firstAtMs: Date.now() - 2 * 86_400_000, stepMs: 100 },
        'rows',
      );
      ids.push(...seeded);
      // "Already stored" means at rest: flush the seeded files and let the disk settle, then
      // warm up again, so the rows measure the store's size, not its write-back.
      await flushDisk();
      await sleep(10_000);
      await burst(ours.url, { connections: 100, perConnection: 20 });
      await ours.idle();
    }
    const loads = await medianRows(HISTORY_RUNS, async () => [
      ...(await burstRows([ours])),
      ...(await pollingRows([ours])),
    ]);
    const endpoints = await endpointLatencies(ours.url, ids);
    const dbMb = (await stat(path.join(target.jobStoreDir!, 'jobs.db'))).size / 2 ** 20;
    measured.push({ stored: await storedJobs(target), loads, endpoints, dbMb });
  }
  const [first, last] = [measured[0]!, measured.at(-1)!];
  const loadRows = compareHistory(first.loads, last.loads, first.stored, last.stored);
  const p50 = (figure: string) => Number(figure.split(' / ')[0]);
  const endpointRows = Object.keys(first.endpoints).map((name) => ({
    load: `${name} p50 / p95 ms`,
    [`${first.stored} stored`]: first.endpoints[name]!,
    [`${last.stored} stored`]: last.endpoints[name]!,
    ratio: (p50(last.endpoints[name]!) / p50(first.endpoints[name]!)).toFixed(2),
  }));
  const sizeRow = {
    load: 'jobs.db MB',
    [`${first.stored} stored`]: first.dbMb.toFixed(0),
    [`${last.stored} stored`]: last.dbMb.toFixed(0),
    ratio: (last.dbMb / first.dbMb).toFixed(2),
  };
  const rows = [...loadRows, ...endpointRows, sizeRow];
  printTable(rows);
  return rows;
}

function compareHistory(before: Row[], after: Row[], storedBefore: number, storedAfter: number): Row[] {
  return before.map((row, i) => {
    const later = after[i]!;
    const p99 = (r: Row) => (r.p99Ms === undefined ? '' : `, p99 ${r.p99Ms} ms`);
    const unit = row.submitsPerSec === undefined ? 'jobs/s' : 'submits/s';
    return {
      load: String(row.load),
      [`${storedBefore} stored`]: `${figureOf(row)} ${unit}${p99(row)}`,
      [`${storedAfter} stored`]: `${figureOf(later)} ${unit}${p99(later)}`,
      ratio: (figureOf(later) / figureOf(row)).toFixed(2),
    };
  });
}
interface Mix {
  name: string;
  task: string;
  input: Record<string, unknown>;
  jobs: number;
  target: number;
  /** Event source overrides for this row (the shipped serverless.yml settings otherwise). */
  batchSize?: number;
}

const MIXES: Mix[] = [
  { name: '~0 ms (echo)', task: 'echo', input: { text: 'bench' }, jobs: 200, target: 0.3 },
  { name: '100 ms (sleep 0.1)', task: 'sleep', input: { seconds: 0.1 }, jobs: 80, target: 0.9 },
  { name: '1 s (sleep 1)', task: 'sleep', input: { seconds: 1 }, jobs: 40, target: 0.97 },
  // Not the shipped setting: what a larger batch would buy for short jobs.
  {
    name: '~0 ms (echo), batchSize 10',
    task: 'echo',
    input: { text: 'bench' },
    jobs: 200,
    target: 0.3,
    batchSize: 10,
  },
];

interface JobView {
  jobId: string;
  status: string;
  queuedAt: string;
  finishedAt: string | null;
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  return (await response.json()) as T;
}

async function finishedCount(target: Target): Promise<number> {
  const stats = await json<{ processPool: { totalProcessed: number } }>(`${target.httpUrl}/api/queue-stats`);
  return stats.processPool.totalProcessed;
}

/** Submits `jobs` jobs (50 requests at a time), waits for all, returns seconds from first queued to last finished. */
async function throughSpawnQueue(
  target: Target,
  task: string,
  input: unknown,
  jobs: number,
): Promise<number> {
  const before = await finishedCount(target);
  const ids: string[] = [];
  const submitOne = async () => {
    const body = await json<{ jobId: string }>(`${target.httpUrl}/api/tasks/${task}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input }),
    });
    ids.push(body.jobId);
  };
  const pending = Array.from({ length: jobs }, () => submitOne);
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      for (let next = pending.pop(); next; next = pending.pop()) await next();
    }),
  );
  // Wait on one cheap call (the finished count), not on a poll of every job: polling 200 jobs every
  // 250 ms would itself be the load that slows the consumer down.
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline && (await finishedCount(target)) < before + jobs) await sleep(100);
  const views = await Promise.all(ids.map((id) => json<JobView>(`${target.httpUrl}/api/jobs/${id}`)));
  if (!views.every((v) => v.status === 'succeeded')) throw new Error(`not all ${task} jobs succeeded`);
  const first = Math.min(...views.map((v) => Date.parse(v.queuedAt)));
  const last = Math.max(...views.map((v) => Date.parse(v.finishedAt!)));
  return (last - first) / 1000;
}

async function throughput(target: Target) {
  const catalogue = createCatalogue();
  const rows = [];
  // BENCH_MIX=echo: only the mixes whose name contains it.
  for (const mix of MIXES.filter((m) => m.name.includes(process.env.BENCH_MIX ?? ''))) {
    if (mix.batchSize !== undefined && !target.stack) continue;
    if (mix.batchSize !== undefined) await target.stack?.reconfigureEventSource({ batchSize: mix.batchSize });
    const invocation = catalogue.prepare(mix.task, mix.input);
    const ceiling: number[] = [];
    const queue: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      ceiling.push(mix.jobs / (await runCeiling(invocation.executable, invocation.args, mix.jobs)));
      queue.push(mix.jobs / (await throughSpawnQueue(target, mix.task, mix.input, mix.jobs)));
    }
    const ratio = median(queue) / median(ceiling);
    rows.push({
      jobs: mix.name,
      count: mix.jobs,
      ceilingJobsPerSec: median(ceiling).toFixed(1),
      spawnQueueJobsPerSec: median(queue).toFixed(1),
      ratio: ratio.toFixed(3),
      target: `≥ ${mix.target}`,
      met: ratio >= mix.target ? 'yes' : 'no',
      runs: RUNS,
    });
    console.log(
      `  ${mix.name}: ceiling ${median(ceiling).toFixed(1)}/s, spawn-queue ${median(queue).toFixed(1)}/s, ratio ${ratio.toFixed(3)}`,
    );
    if (mix.batchSize !== undefined) await target.stack?.reconfigureEventSource({});
  }
  return rows;
}

async function submitLatency(target: Target) {
  const rows = [];
  for (const connections of [100, 1000]) {
    const { result, seconds } = await timedAutocannon({
      url: target.httpUrl,
      connections,
      amount: connections * 3,
      timeout: 30,
      requests: [
        {
          method: 'POST',
          path: '/api/tasks/echo',
          headers: { 'content-type': 'application/json' },
          body: '{"input":{"text":"latency"}}',
        },
      ],
    });
    rows.push({
      connections,
      requests: result.requests.total,
      errors: result.non2xx + result.errors + result.timeouts,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      requestsPerSec: Math.round(result.requests.total / seconds),
    });
    console.log(`  ${connections} connections: p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`);
    // Let the consumer drain these before the next measurement.
    await waitForEmptyQueue(target);
  }
  return rows;
}

async function waitForEmptyQueue(target: Target, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const stats = await json<{ queue: { visible: number; inFlight: number } }>(
      `${target.httpUrl}/api/queue-stats`,
    );
    if (stats.queue.visible === 0 && stats.queue.inFlight === 0) return;
    await sleep(500);
  }
}

/**
 * Does a backlog cost memory on the HTTP side? Idle is measured after a warm-up burst (V8 grows its
 * heap to the request rate it has seen and does not give it back, whatever is queued), then 10,000
 * more jobs are queued with the consumer paused.
 */
async function memoryWithBacklog(target: Target) {
  if (!target.stack) throw new Error('the memory benchmark needs a private stack');
  await target.stack.consumerProcess.stop({ drain: true });
  const submit = (amount: number, text: string) =>
    autocannon({
      url: target.httpUrl,
      connections: 100,
      amount,
      timeout: 30,
      requests: [
        {
          method: 'POST',
          path: '/api/tasks/echo',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ input: { text } }),
        },
      ],
    });
  const heap = async () =>
    (await json<{ memory: { heapUsedMb: number } }>(`${target.httpUrl}/api/system-info`)).memory.heapUsedMb;
  const visible = async () =>
    (await json<{ queue: { visible: number } }>(`${target.httpUrl}/api/queue-stats`)).queue.visible;
  await submit(5_000, 'warm-up');
  await sleep(2000);
  const idle = { rss: await rssMb(target.httpPid), heap: await heap(), queued: await visible() };
  const result = await submit(10_000, 'backlog');
  await sleep(2000);
  const after = { rss: await rssMb(target.httpPid), heap: await heap(), queued: await visible() };
  return {
    idleRssMb: idle.rss,
    with10kMoreQueuedRssMb: after.rss,
    ratio: idle.rss && after.rss ? (after.rss / idle.rss).toFixed(2) : 'n/a',
    target: '≤ 1.2',
    heapUsedMb: `${idle.heap} → ${after.heap}`,
    queued: `${idle.queued} → ${after.queued}`,
    submitErrors: result.non2xx + result.errors + result.timeouts,
  };
}

async function statsLatency(target: Target) {
  // 10,000 finished jobs in the last 15 minutes: the worst case for the throughput window.
  if (target.jobStoreDir) {
    await seedFinishedJobs(target.jobStoreDir, {
      count: 10_000,
      firstAtMs: Date.now() - 14 * 60_000,
      stepMs: 60,
    });
  }
  const counts = await json<{ jobs: Record<string, number> }>(`${target.httpUrl}/api/queue-stats`);
  const stored = Object.values(counts.jobs).reduce((a, b) => a + b, 0);
  // Steady state: let the store writes above settle, and warm the handler up, before measuring.
  await sleep(3000);
  for (let i = 0; i < 20; i += 1) await json(`${target.httpUrl}/api/queue-stats`);
  const times: number[] = [];
  for (let i = 0; i < 200; i += 1) {
    const started = performance.now();
    await json(`${target.httpUrl}/api/queue-stats`);
    times.push(performance.now() - started);
  }
  return {
    jobsStored: stored,
    calls: times.length,
    p50Ms: percentile(times, 50).toFixed(1),
    p95Ms: percentile(times, 95).toFixed(1),
    target: '≤ 50',
  };
}

/**
 * Part `side-by-side`: spawn-queue as a user runs it (`npm start`), the reference of the original
 * design and BullMQ + Redis (when `redis-server` is on the PATH), under the same clients in one run:
 * memory of every process of each, idle and after the loads; bursts; a client that polls every job;
 * clients that wait. Every row prints each system's figure and the ratio.
 */
async function sideBySide(report: Record<string, unknown>): Promise<void> {
  const stack = await startNpmStart();
  const ours = spawnQueueServer(stack);
  const reference = await startReference();
  const bullmq = (await hasRedis()) ? await startBullMq() : undefined;
  if (!bullmq) {
    console.log(
      'redis-server is not on the PATH: the BullMQ columns are skipped (apt-get install redis-server)',
    );
  }
  const servers = [ours, reference, ...(bullmq ? [bullmq] : [])];
  try {
    console.log(`\n0. side by side: ${servers.map((s) => s.name).join(', ')}`);
    await sleep(IDLE_SETTLE_MS);
    const idle = await memoryRow(servers, `idle, ${IDLE_SETTLE_MS / 1000} s after the start`);
    // Warm-up: ElasticMQ's JVM compiles its hot paths over the first thousands of messages.
    await onEach(servers, (server) => burst(server.url, { connections: 100, perConnection: 20 }));
    const bursts = await loopDelayDuring(stack.loopDelayDir, () => burstRows(servers));
    const polled = await loopDelayDuring(stack.loopDelayDir, () => pollingRows(servers));
    report.bursts = bursts.result;
    report.polled = polled.result;
    report.waiting = await waitingRows(servers);
    // Target: p99 ≤ 20 ms in both (the store's calls are synchronous).
    report.eventLoopDelay = [
      { load: 'the bursts', ...bursts.delay },
      { load: 'the polled loads', ...polled.delay },
    ];
    const afterLoads = await memoryRow(servers, 'after these loads');
    // V8 gives a heap that grew under load back over the next minute (its memory reducer), the JVM
    // and Redis keep theirs: both moments, for every system.
    await sleep(SETTLE_MS);
    report.memory = [idle, afterLoads, await memoryRow(servers, `${SETTLE_MS / 1000} s after the loads`)];
  } finally {
    await Promise.all([stack.stop(), reference.stop(), bullmq?.stop()]);
  }
}

async function main(): Promise<void> {
  const parts = new Set(
    (process.env.BENCH_PARTS ?? 'side-by-side,history,throughput,latency,memory,eta,keys,stats').split(','),
  );
  const report: Record<string, unknown> = {
    machine: {
      cores: os.availableParallelism(),
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      cpu: os.cpus()[0]?.model,
    },
  };
  if (parts.has('side-by-side')) await sideBySide(report);
  if (![...parts].some((part) => part !== 'side-by-side')) return finish(report);
  // BENCH_URL: a stack already running (another checkout, other settings), measured as it is.
  const target = await useOrStartStack(
    process.env.BENCH_URL ? { url: process.env.BENCH_URL } : { fresh: true },
  );
  try {
    if (['bursts', 'polled', 'starvation', 'history'].some((part) => parts.has(part))) {
      const ours = spawnQueueServer(target);
      const reference = await startReference();
      try {
        // Warm-up: ElasticMQ's JVM compiles its hot paths over the first thousands of messages.
        await onEach([ours, reference], (server) =>
          burst(server.url, { connections: 100, perConnection: 20 }),
        );
        if (parts.has('bursts')) {
          console.log('\n0. bursts of submits, spawn-queue against the reference');
          report.bursts = await burstRows([ours, reference]);
        }
        if (parts.has('polled')) {
          console.log('\n0. clients that poll every job, spawn-queue against the reference');
          report.polled = await pollingRows([ours, reference]);
        }
        if (parts.has('starvation')) {
          console.log('\n0a. can HTTP traffic starve the slots?');
          report.starvation = await starvationRows([ours, reference]);
        }
        if (parts.has('history') && target.jobStoreDir) {
          console.log(
            `\n0b. spawn-queue with ${HISTORY.map((n) => n.toLocaleString('en')).join(', then ')} finished jobs in the store (median of ${HISTORY_RUNS} runs each)`,
          );
          report.withHistory = await historyRows(target, ours);
        }
      } finally {
        await reference.stop();
      }
    }
    if (parts.has('throughput')) {
      console.log('\n1. throughput against the ceiling (a raw 4-slot pool spawning the same command)');
      report.throughput = await throughput(target);
    }
    if (parts.has('latency')) {
      console.log('\n2. submit latency');
      report.submitLatency = await submitLatency(target);
    }
    if (parts.has('memory')) {
      console.log('\n3. HTTP-side memory, idle vs 10,000 more jobs queued');
      report.memory = await memoryWithBacklog(target);
    }
    if (parts.has('eta')) {
      console.log('\n5. how near the ETA of a submit comes to the start');
      report.eta = await etaAccuracy(target.httpUrl);
    }
    if (parts.has('keys') && target.stack) {
      console.log(
        `\n6. what concurrency keys cost under a backlog of one key (${KEY_BACKLOG.toLocaleString('en')} jobs)`,
      );
      report.concurrencyKeys = await keyBacklogCost(target.stack.sqsEndpoint, KEY_BACKLOG);
    }
    if (parts.has('stats')) {
      console.log('\n4. queue-stats latency');
      report.queueStats = await statsLatency(target);
    }
  } finally {
    await target.stop();
  }
  await finish(report);
}

async function finish(report: Record<string, unknown>): Promise<void> {
  console.log('\nspawn-queue benchmarks');
  for (const [name, rows] of Object.entries(report)) {
    console.log(`\n${name}`);
    printTable((Array.isArray(rows) ? rows : [rows]) as Array<Record<string, unknown>>);
  }
  const dir = path.join(projectDir, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify(report, null, 2));
  console.log(`\nwritten to ${path.relative(projectDir, file)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
