/**
 * spawn-queue and the reference (the original Express design: one Node process, HTTP and an
 * in-process 4-slot queue) under the same hostile loads, in one run: every row prints both and
 * spawn-queue / reference as a ratio.
 */
import { execFile, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { freePort } from '../../lib/local/ports';
import { burst, pollingClient, waitingClient } from './hostile-clients';
import { childPids, commandOf, cpuDuring, processTree, treeMemoryMb } from './proc';
import { projectDir } from './target';
import type { Target } from './target';

export interface Server {
  name: string;
  /** The prefix of this server's columns in a row (`ref`, `bullmq`); the first server has none. */
  key: string;
  url: string;
  /** Resolves once nothing is queued or running. */
  idle(): Promise<void>;
  /** The server's processes, by role, for CPU accounting (read when a row starts). */
  pids(): Promise<Record<string, (number | undefined)[]>>;
  /** RSS of every process of the server, in MB, and by part. */
  memory(): Promise<{ totalMb: number; pssMb: number; parts: Record<string, number> }>;
}

/**
 * One of the benchmark's plain servers (bench/reference, bench/peers) in a process of its own on a
 * free port, under the TypeScript loader; resolves once it prints that it listens. `stderr`: where
 * its errors go (a file descriptor), the terminal by default.
 */
async function startPlainServer(
  name: string,
  file: string,
  args: string[] = [],
  stderr: 'inherit' | number = 'inherit',
) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(projectDir, file), String(port), ...args],
    {
      cwd: projectDir,
      stdio: ['ignore', 'pipe', stderr],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the ${name} exited (code ${code})`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

/** Resolves once a plain server's 4-slot pool has nothing running and nothing waiting. */
function poolIdle(url: string): Promise<void> {
  return waitFor(async () => {
    const stats = (await (await fetch(`${url}/api/queue-stats`)).json()) as {
      processPool: { activeProcesses: number; queuedTasks: number };
    };
    return stats.processPool.activeProcesses === 0 && stats.processPool.queuedTasks === 0;
  });
}

/** Starts the reference server in its own process on a free port. */
export async function startReference(): Promise<Server & { stop(): Promise<void> }> {
  const { child, url } = await startPlainServer(
    'reference server',
    'bench/reference/original-design-server.ts',
  );
  return {
    name: 'reference',
    key: 'ref',
    url,
    pids: async () => ({ server: [child.pid] }),
    memory: () => treeMemoryMb(child.pid, () => 'server'),
    idle: () => poolIdle(url),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** Whether a BullMQ peer can run here: Debian's `redis-server` on the PATH. */
export async function hasRedis(): Promise<boolean> {
  return new Promise((resolve) => execFile('redis-server', ['--version'], (error) => resolve(!error)));
}

/**
 * BullMQ + Redis, the peer users pick today: a private redis-server (no persistence) and the peer's
 * HTTP server (bench/peers/bullmq-server.ts) on free ports, each a process of its own.
 */
export async function startBullMq(): Promise<Server & { stop(): Promise<void> }> {
  const redisPort = await freePort();
  const redis = spawn('redis-server', ['--port', String(redisPort), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  await waitFor(
    () =>
      new Promise<boolean>((resolve) =>
        execFile('redis-cli', ['-p', String(redisPort), 'ping'], (error, out) =>
          resolve(!error && /PONG/.test(out)),
        ),
      ),
    20_000,
  );
  // Its errors go to a file: a peer that cannot reach Redis retries and logs without end.
  const { child, url } = await startPlainServer(
    'BullMQ peer',
    'bench/peers/bullmq-server.ts',
    [String(redisPort)],
    openSync(path.join(projectDir, '.cache', 'bullmq-peer.log'), 'w'),
  );
  return {
    name: 'BullMQ',
    key: 'bullmq',
    url,
    pids: async () => ({ worker: [child.pid, ...(await childPids(child.pid))], redis: [redis.pid] }),
    memory: async () => {
      const [worker, server] = await Promise.all([
        treeMemoryMb(child.pid, (command) =>
          command.includes('run-jobs') || command.includes('spawner') ? 'spawner' : 'worker',
        ),
        treeMemoryMb(redis.pid, () => 'redis'),
      ]);
      return {
        totalMb: worker.totalMb + server.totalMb,
        pssMb: worker.pssMb + server.pssMb,
        parts: { ...worker.parts, ...server.parts },
      };
    },
    idle: () => poolIdle(url),
    async stop() {
      child.kill('SIGTERM');
      redis.kill('SIGTERM');
      await Promise.all([child, redis].map((p) => new Promise((resolve) => p.once('exit', resolve))));
    },
  };
}

/** Which part of the local stack a process of `npm start`'s tree is, by its command line. */
export function partOfStack(command: string): string {
  if (command.startsWith('npm')) return 'npm';
  if (command.includes('scripts/start.ts')) return 'start script';
  if (command.includes('java')) return 'ElasticMQ (JVM)';
  if (/serverless(\.js)? offline/.test(command)) return 'serverless offline';
  if (command.includes('consumer-host')) return 'consumer';
  if (command.includes('run-jobs')) return 'process spawner';
  if (command.includes('dynalite')) return 'dynalite';
  return 'other';
}

async function consumerPid(root: number | undefined): Promise<number | undefined> {
  for (const pid of await processTree(root)) if ((await commandOf(pid)).includes('consumer-host')) return pid;
  return undefined;
}

/**
 * The event-loop delay of serverless offline and the consumer's process during `load`
 * (lib/local/loop-delay.js writes it every second; SIGUSR2 starts a new measurement).
 */
export async function loopDelayDuring<T>(
  dir: string | undefined,
  load: () => Promise<T>,
): Promise<{ result: T; delay: Row }> {
  const read = async () => {
    const files = dir ? (await readdir(dir)).filter((f) => f.endsWith('.json')) : [];
    return Promise.all(
      files.map(
        async (f) =>
          JSON.parse(await readFile(path.join(dir!, f), 'utf8')) as Record<string, number | string>,
      ),
    );
  };
  for (const figures of await read()) {
    try {
      process.kill(Number(figures.pid), 'SIGUSR2');
    } catch {
      // gone
    }
  }
  const result = await load();
  await sleep(1500);
  const delay: Row = {};
  for (const figures of await read()) {
    delay[`${String(figures.role)} p99 / max ms`] = `${figures.p99Ms} / ${figures.maxMs}`;
  }
  return { result, delay };
}

/** Idle and after the loads: every process of each server, summed (the ratio against the first). */
export async function memoryRow(servers: Server[], phase: string): Promise<Row> {
  const [ours, ...peers] = await Promise.all(servers.map((server) => server.memory()));
  const row: Row = {
    load: `memory, ${phase}`,
    totalMb: ours!.totalMb,
    pssMb: ours!.pssMb,
    parts: Object.entries(ours!.parts)
      .map(([name, mb]) => `${name} ${Math.round(mb)}`)
      .join(', '),
  };
  peers.forEach((peer, i) => {
    const server = servers[i + 1]!;
    row[`${server.key}TotalMb`] = peer.totalMb;
    row[`${server.key}PssMb`] = peer.pssMb;
    row[`${server.key}Parts`] = Object.entries(peer.parts)
      .map(([name, mb]) => `${name} ${Math.round(mb)}`)
      .join(', ');
    row[`vs${server.name}`] = ratio(ours!.totalMb, peer.totalMb);
    row[`pssVs${server.name}`] = ratio(ours!.pssMb, peer.pssMb);
  });
  console.log(' ', JSON.stringify(row));
  return row;
}

export function spawnQueueServer(target: Target): Server {
  return {
    name: 'spawn-queue',
    key: '',
    url: target.httpUrl,
    memory: () => treeMemoryMb(target.rootPid, partOfStack),
    pids: async () => {
      // The consumer's process and its process spawner (started with the first job, so present
      // after the warm-up); task processes count in the spawner once they have ended.
      const consumer = target.stack?.consumerProcess.process.pid ?? (await consumerPid(target.rootPid));
      return {
        http: [target.httpPid],
        consumer: [consumer, ...(await childPids(consumer))],
        elasticMq: [target.elasticMqPid],
      };
    },
    idle: () =>
      waitFor(async () => {
        const stats = (await (await fetch(`${target.httpUrl}/api/queue-stats`)).json()) as {
          queue: { visible: number; inFlight: number };
          jobs: { queued: number; running: number };
        };
        return (
          stats.queue.visible === 0 &&
          stats.queue.inFlight === 0 &&
          stats.jobs.queued === 0 &&
          stats.jobs.running === 0
        );
      }),
  };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(500);
  }
  throw new Error('the server did not become idle in time');
}

/**
 * Flushes written files to disk. The file store writes several small files per job and the kernel
 * writes them back ~30 s later: without a flush, that write-back landed in whichever row ran then
 * (a `sleep 0.1` row right after the `echo` row measured 0.50-0.66 of ideal instead of ~0.81).
 */
export async function flushDisk(): Promise<void> {
  await new Promise<void>((resolve) => execFile('sync', () => resolve()));
}

/**
 * Runs the same load on each server in turn, letting each drain and flushing the disk before the
 * next load, so every row measures its own work.
 */
export async function onEach<T>(servers: Server[], load: (server: Server) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (const server of servers) {
    await flushDisk();
    results.push(await load(server));
    await server.idle();
  }
  return results;
}

export const BURSTS = [
  { connections: 10, perConnection: 100 },
  { connections: 100, perConnection: 10 },
  { connections: 300, perConnection: 3 },
  { connections: 1000, perConnection: 3 },
];

export const POLLED = [
  { name: 'echo', task: 'echo', input: { text: 'polled' }, jobs: 1000, ideal: undefined },
  { name: 'sleep 0.1', task: 'sleep', input: { seconds: 0.1 }, jobs: 200, ideal: 40 },
  { name: 'sleep 1', task: 'sleep', input: { seconds: 1 }, jobs: 40, ideal: 4 },
];

export type Row = Record<string, string | number>;

const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : 'n/a');

/** The columns a peer adds to a row: its figures under its prefix, and spawn-queue / it. */
function peerColumns(server: Server, figures: Row, headline: string, ours: number): Row {
  const row: Row = {};
  for (const [name, value] of Object.entries(figures))
    row[`${server.key}${name[0]!.toUpperCase()}${name.slice(1)}`] = value;
  row[server.key === 'ref' ? 'ratio' : `vs${server.name}`] = ratio(ours, Number(figures[headline]));
  return row;
}

/** Bursts of submits over 10 … 1,000 connections. */
export async function burstRows(servers: Server[], label = ''): Promise<Row[]> {
  const rows: Row[] = [];
  for (const shape of BURSTS) {
    const [ours, ...peers] = await onEach(servers, (server) => burst(server.url, shape));
    const row: Row = {
      load: `burst ${shape.connections * shape.perConnection} over ${shape.connections} conn${label}`,
      errors: ours!.errors,
      timeouts: ours!.timeouts,
      p50Ms: ours!.p50Ms,
      p99Ms: ours!.p99Ms,
      submitsPerSec: ours!.submitsPerSec,
    };
    peers.forEach((peer, i) =>
      Object.assign(
        row,
        peerColumns(
          servers[i + 1]!,
          { errors: peer.errors + peer.timeouts, p99Ms: peer.p99Ms, submitsPerSec: peer.submitsPerSec },
          'submitsPerSec',
          ours!.submitsPerSec,
        ),
        { [`${servers[i + 1]!.key}P99Ratio`]: ratio(ours!.p99Ms, peer.p99Ms) },
      ),
    );
    console.log(' ', JSON.stringify(row));
    rows.push(row);
  }
  return rows;
}

/** 1,000 `echo` jobs by 50 clients that wait (`POST ...?wait=25`, then `GET ...?wait=25`). */
export async function waitingRows(servers: Server[]): Promise<Row[]> {
  const [ours, ...peers] = await onEach(servers, (server) =>
    waitingClient(server.url, { task: 'echo', input: { text: 'waited' }, jobs: 1000, clients: 50 }),
  );
  const row: Row = {
    load: '1000 x echo, 50 clients that wait',
    finished: `${ours!.finished}/${ours!.jobs}`,
    failedRequests: ours!.failedRequests,
    jobsPerSec: ours!.jobsPerSec,
  };
  peers.forEach((peer, i) =>
    Object.assign(
      row,
      peerColumns(servers[i + 1]!, { jobsPerSec: peer.jobsPerSec }, 'jobsPerSec', ours!.jobsPerSec),
    ),
  );
  console.log(' ', JSON.stringify(row));
  return [row];
}

/** The client that polls every job it submitted (50 submitters, 64 polls in flight, 25 ms pause). */
export async function pollingRows(servers: Server[], label = ''): Promise<Row[]> {
  const rows: Row[] = [];
  for (const mix of POLLED) {
    const [ours, ...peers] = await onEach(servers, (server) =>
      server.pids().then((pids) =>
        cpuDuring(pids, () => pollingClient(server.url, mix)).then(({ result, cpuMs }) => ({
          ...result,
          cpuMsPerJob: Object.entries(cpuMs)
            .map(([name, ms]) => `${name} ${(ms / mix.jobs).toFixed(1)}`)
            .join(', '),
        })),
      ),
    );
    const row: Row = {
      load: `polled ${mix.jobs} x ${mix.name}${label}`,
      finished: `${ours!.finished}/${mix.jobs}`,
      failedRequests: ours!.failedRequests,
      jobsPerSec: ours!.jobsPerSec,
      ofIdeal: mix.ideal ? (ours!.jobsPerSec / mix.ideal).toFixed(3) : '',
      pollP99Ms: ours!.pollP99Ms,
      pollsPerJob: (ours!.polls / mix.jobs).toFixed(1),
      cpuMsPerJob: ours!.cpuMsPerJob,
    };
    peers.forEach((peer, i) =>
      Object.assign(
        row,
        peerColumns(
          servers[i + 1]!,
          {
            jobsPerSec: peer.jobsPerSec,
            ofIdeal: mix.ideal ? (peer.jobsPerSec / mix.ideal).toFixed(3) : '',
            cpuMsPerJob: peer.cpuMsPerJob,
          },
          'jobsPerSec',
          ours!.jobsPerSec,
        ),
      ),
    );
    console.log(' ', JSON.stringify(row));
    rows.push(row);
  }
  return rows;
}

/**
 * Can HTTP traffic starve the slots? 40 one-second jobs, polled, while 200 more connections hammer
 * GET /api/jobs/{id} and GET /api/tasks as fast as they can.
 */
export async function starvationRows(servers: Server[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const server of servers) {
    const probe = (await (
      await fetch(`${server.url}/api/tasks/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"input":{"text":"probe"}}',
      })
    ).json()) as { jobId: string };
    let hammer: autocannon.Instance | undefined;
    const hammering = new Promise<autocannon.Result>((resolve, reject) => {
      hammer = autocannon(
        {
          url: server.url,
          connections: 200,
          duration: 120,
          requests: [{ method: 'GET', path: `/api/jobs/${probe.jobId}` }],
        },
        (error, result) => (error ? reject(error) : resolve(result)),
      );
    });
    const result = await pollingClient(server.url, POLLED[2]!);
    hammer?.stop();
    const hammered = await hammering;
    await server.idle();
    // What the slots did, from the jobs' own times: first start to last finish, against 40 x 1 s / 4.
    const jobs = await Promise.all(
      result.ids.map(
        async (id) =>
          (await (await fetch(`${server.url}/api/jobs/${id}`)).json()) as {
            startedAt: string;
            finishedAt: string;
          },
      ),
    );
    const span =
      (Math.max(...jobs.map((j) => Date.parse(j.finishedAt))) -
        Math.min(...jobs.map((j) => Date.parse(j.startedAt)))) /
      1000;
    rows.push({
      load: `polled 40 x sleep 1 under 200 hammering connections (${server.name})`,
      slotsOfIdeal: (10 / span).toFixed(3),
      clientJobsPerSec: result.jobsPerSec,
      clientOfIdeal: (result.jobsPerSec / 4).toFixed(3),
      hammerRequestsPerSec: Math.round(hammered.requests.average),
    });
    console.log(' ', JSON.stringify(rows.at(-1)));
  }
  return rows;
}
