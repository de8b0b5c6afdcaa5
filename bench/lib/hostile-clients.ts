/**
 * Clients that load a job API the way real users hurt it, not the way a polite benchmark does:
 * bursts over many connections at once, and clients that poll every job they submitted. The same
 * code drives spawn-queue and the reference server, so their figures compare.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { Agent } from 'undici';
import { percentile } from './stats';

const FINAL = new Set(['succeeded', 'failed', 'timed_out', 'cancelled']);

export interface BurstResult {
  connections: number;
  requests: number;
  /** Non-2xx answers and connection errors. */
  errors: number;
  /** Requests the client gave up on (no answer within its timeout). */
  timeouts: number;
  p50Ms: number;
  p99Ms: number;
  submitsPerSec: number;
  seconds: number;
}

/**
 * Runs a fixed amount of requests with autocannon and times them to the last response. autocannon
 * itself reports a run only at its next 1-second sample, so its own duration (and any rate worked
 * out from the time until it resolves) is rounded up to whole seconds: a burst that took 5.2 s
 * counted as 6.0 (its rate 13 % low), and the same burst measured at one of two rates by chance.
 */
export async function timedAutocannon(
  options: autocannon.Options,
): Promise<{ result: autocannon.Result; seconds: number }> {
  const started = performance.now();
  let lastResponse: number | undefined;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, done) => (error ? reject(error) : resolve(done)));
    instance.on('response', () => {
      lastResponse = performance.now();
    });
  });
  // No response at all (every request timed out): the whole run.
  return { result, seconds: ((lastResponse ?? performance.now()) - started) / 1000 };
}

/** `perConnection` submits on each of `connections` connections at once, back to back (autocannon). */
export async function burst(
  baseUrl: string,
  options: { connections: number; perConnection: number; task?: string; input?: unknown; timeoutS?: number },
): Promise<BurstResult> {
  const requests = options.connections * options.perConnection;
  const { result, seconds } = await timedAutocannon({
    url: baseUrl,
    connections: options.connections,
    amount: requests,
    timeout: options.timeoutS ?? 10,
    requests: [
      {
        method: 'POST',
        path: `/api/tasks/${options.task ?? 'echo'}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: options.input ?? { text: 'burst' } }),
      },
    ],
  });
  const ok = result['2xx'];
  return {
    connections: options.connections,
    requests,
    errors: requests - ok - result.timeouts,
    timeouts: result.timeouts,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    submitsPerSec: Math.round((ok / seconds) * 10) / 10,
    seconds: Math.round(seconds * 100) / 100,
  };
}

export interface PollingResult {
  jobs: number;
  finished: number;
  failedRequests: number;
  jobsPerSec: number;
  seconds: number;
  /** GET requests the pollers made. */
  polls: number;
  pollP99Ms: number;
  /** The jobs' ids, for reading their records afterwards. */
  ids: string[];
}

/**
 * A client of the JSON API over one pool of 256 connections. undici's request, not fetch: the client
 * shares the machine with the server it measures, and fetch (WHATWG streams, Headers, Response)
 * costs it 2-3 x the CPU per request.
 */
function jsonClient(baseUrl: string, timeoutMs: number) {
  const dispatcher = new Agent({ connections: 256, keepAliveTimeout: 30_000 });
  const call = async (path: string, options: { method?: 'GET' | 'POST'; body?: string } = {}) => {
    const response = await dispatcher.request({
      origin: baseUrl,
      path,
      method: options.method ?? 'GET',
      headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      body: options.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
  };
  return { call, dispatcher };
}

/**
 * `submitters` clients submit `jobs` jobs; as soon as a job is accepted it is polled
 * (GET /api/jobs/{id}) by `pollers` concurrent clients, each pausing `pauseMs` between requests,
 * until every job is finished. Throughput is jobs / (first submit → last job seen finished).
 */
export async function pollingClient(
  baseUrl: string,
  options: {
    task: string;
    input: unknown;
    jobs: number;
    submitters?: number;
    pollers?: number;
    pauseMs?: number;
    deadlineMs?: number;
  },
): Promise<PollingResult> {
  const { call, dispatcher } = jsonClient(baseUrl, 30_000);
  const deadline = Date.now() + (options.deadlineMs ?? 300_000);
  const unfinished: string[] = [];
  const ids: string[] = [];
  let finished = 0;
  let failedRequests = 0;
  let polls = 0;
  const pollTimes: number[] = [];
  let toSubmit = options.jobs;
  const started = performance.now();
  let lastFinish = started;

  const submitter = async () => {
    while (toSubmit > 0 && Date.now() < deadline) {
      toSubmit -= 1;
      try {
        const { status, body } = await call(`/api/tasks/${options.task}`, {
          method: 'POST',
          body: JSON.stringify({ input: options.input }),
        });
        if (status === 202 || status === 200) {
          unfinished.push(String(body.jobId));
          ids.push(String(body.jobId));
        } else failedRequests += 1;
      } catch {
        failedRequests += 1;
      }
    }
  };
  const poller = async () => {
    while (Date.now() < deadline && (toSubmit > 0 || unfinished.length > 0 || submitting > 0)) {
      const id = unfinished.shift();
      if (id === undefined) {
        await sleep(options.pauseMs ?? 25);
        continue;
      }
      const t0 = performance.now();
      try {
        const { status, body } = await call(`/api/jobs/${id}`);
        polls += 1;
        pollTimes.push(performance.now() - t0);
        if (status === 200 && FINAL.has(String(body.status))) {
          finished += 1;
          lastFinish = performance.now();
        } else unfinished.push(id);
      } catch {
        failedRequests += 1;
        unfinished.push(id);
      }
      await sleep(options.pauseMs ?? 25);
    }
  };
  let submitting = options.submitters ?? 50;
  const submitters = Array.from({ length: submitting }, () => submitter().finally(() => (submitting -= 1)));
  await Promise.all([...submitters, ...Array.from({ length: options.pollers ?? 64 }, poller)]);
  await dispatcher.close();
  const seconds = (lastFinish - started) / 1000;
  return {
    jobs: options.jobs,
    finished,
    failedRequests,
    jobsPerSec: Math.round((finished / seconds) * 100) / 100,
    seconds: Math.round(seconds * 100) / 100,
    polls,
    pollP99Ms: Math.round(percentile(pollTimes, 99)),
    ids,
  };
}

/**
 * `clients` clients that wait instead of polling: each submits with `?wait=25` and, if the job has not
 * finished by then, reads it with `?wait=25` until it has; then its next job. Throughput is jobs /
 * (first submit → last job finished).
 */
export async function waitingClient(
  baseUrl: string,
  options: { task: string; input: unknown; jobs: number; clients?: number; deadlineMs?: number },
): Promise<{ jobs: number; finished: number; failedRequests: number; jobsPerSec: number; seconds: number }> {
  const { call, dispatcher } = jsonClient(baseUrl, 40_000);
  const deadline = Date.now() + (options.deadlineMs ?? 300_000);
  let toSubmit = options.jobs;
  let finished = 0;
  let failedRequests = 0;
  const started = performance.now();
  let lastFinish = started;
  const client = async () => {
    while (toSubmit > 0 && Date.now() < deadline) {
      toSubmit -= 1;
      try {
        let { body } = await call(`/api/tasks/${options.task}?wait=25`, {
          method: 'POST',
          body: JSON.stringify({ input: options.input }),
        });
        while (!FINAL.has(String(body.status)) && Date.now() < deadline) {
          ({ body } = await call(`/api/jobs/${String(body.jobId)}?wait=25`));
        }
        if (FINAL.has(String(body.status))) {
          finished += 1;
          lastFinish = performance.now();
        }
      } catch {
        failedRequests += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients ?? 50 }, client));
  await dispatcher.close();
  const seconds = (lastFinish - started) / 1000;
  return {
    jobs: options.jobs,
    finished,
    failedRequests,
    jobsPerSec: Math.round((finished / seconds) * 100) / 100,
    seconds: Math.round(seconds * 100) / 100,
  };
}
