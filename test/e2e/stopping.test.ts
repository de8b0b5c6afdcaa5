import type { ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSqliteJobStore } from '../../lib/store/sqlite-job-store';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, isPortFree } from '../../lib/local/ports';
import { liveTaskProcesses } from '../../lib/process/task-processes';
import { callbackReceiver } from '../helpers/callback-receiver';
import { npmStart } from '../helpers/npm-start';
import { checkedFetch } from '../helpers/openapi-check';
import { tempDir } from '../helpers/services';

/** Every live process whose environment names this job store: serverless offline, ElasticMQ, the consumer. */
async function processesOf(jobStoreDir: string): Promise<number[]> {
  const marker = `JOB_STORE_DIR=${jobStoreDir}`;
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (!environ.split('\0').includes(marker)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (stat && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z') pids.push(Number(entry));
  }
  return pids;
}

let printed = () => '';

interface Started {
  start: ChildProcess;
  ports: number[];
  workRoot: string;
  jobStoreDir: string;
}

async function startStack(jobStoreDir: string, reuse?: number[], throughNpm = false): Promise<Started> {
  const [http, lambda, elasticMq] = reuse ?? [await freePort(), await freePort(), await freePort()];
  const { start, output } = await npmStart(
    {
      HTTP_PORT: String(http),
      LAMBDA_PORT: String(lambda),
      ELASTICMQ_PORT: String(elasticMq),
      JOB_STORE_DIR: jobStoreDir,
      LOG_LEVEL: 'warn',
    },
    90_000,
    { throughNpm },
  );
  printed = output;
  return {
    start,
    ports: [http!, lambda!, elasticMq!],
    workRoot: path.join(os.tmpdir(), `spawn-queue-${http}`),
    jobStoreDir,
  };
}

async function runningJob(stack: Started): Promise<void> {
  const url = `http://localhost:${stack.ports[0]}`;
  await checkedFetch(`${url}/api/tasks/sleep`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: { seconds: 60 } }),
    signal: AbortSignal.timeout(20_000),
  });
  const deadline = Date.now() + 20_000;
  while ((await liveTaskProcesses(stack.workRoot)).length === 0 && Date.now() < deadline) await sleep(100);
  expect((await liveTaskProcesses(stack.workRoot)).length).toBe(1);
}

/**
 * Ends whatever a test's stack left, whether or not the test got as far as its own stop: a failed
 * expectation must not leave a stack running (its processes would also keep Jest from exiting).
 */
async function endLeftovers(jobStoreDir: string, workRoot?: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pids = [
      ...(await processesOf(jobStoreDir)),
      ...(workRoot ? await liveTaskProcesses(workRoot) : []),
    ];
    if (pids.length === 0 || Date.now() > deadline) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await sleep(200);
  }
}

/** Waits up to 10 s for nothing of the stack to be left: no process, no task, no port taken. */
async function expectNothingLeft(stack: Started): Promise<void> {
  const deadline = Date.now() + 10_000;
  let left: unknown[] = [];
  while (Date.now() < deadline) {
    const ports = [];
    for (const port of stack.ports) if (!(await isPortFree(port))) ports.push(port);
    left = [
      ...(await processesOf(stack.jobStoreDir)),
      ...(await liveTaskProcesses(stack.workRoot)),
      ...ports.map((p) => `port ${p}`),
    ];
    if (left.length === 0) return;
    await sleep(200);
  }
  expect(left).toEqual([]);
}

/**
 * Stopping is total, however it comes: Ctrl-C (SIGINT to the whole foreground group), SIGTERM or
 * SIGINT to the start process alone, SIGHUP (the terminal closed), and SIGKILL of the start process.
 */
describe('stopping the local stack', () => {
  const ways: Array<[string, (start: ChildProcess) => void]> = [
    ['Ctrl-C: SIGINT to the whole process group', (start) => process.kill(-start.pid!, 'SIGINT')],
    ['SIGINT to the start process alone', (start) => start.kill('SIGINT')],
    ['SIGTERM to the start process', (start) => start.kill('SIGTERM')],
    ['SIGHUP: the terminal closed', (start) => process.kill(-start.pid!, 'SIGHUP')],
    ['SIGKILL of the start process', (start) => start.kill('SIGKILL')],
  ];

  // Each way several times: a stop that works 2 times in 3 is a stop that fails.
  const ROUNDS = 3;
  const cases = ways.flatMap(([name, stop]) =>
    Array.from({ length: ROUNDS }, (_, i) => [name, `${i + 1} of ${ROUNDS}`, stop] as const),
  );

  it.each(cases)(
    '%s (round %s), with a job running, leaves nothing running within 10 s',
    async (_name, _round, stop) => {
      const { dir, cleanup } = await tempDir('spawn-queue-stop-');
      let stack: Started | undefined;
      try {
        stack = await startStack(dir);
        expect((await processesOf(dir)).length).toBeGreaterThanOrEqual(3);
        await runningJob(stack);
        // JOB_STORE_DIR from the environment took effect: the job's record is in its database.
        const store = createSqliteJobStore({ dir });
        expect((await store.list()).jobs).toHaveLength(1);
        await store.close();
        stop(stack.start);
        await expectNothingLeft(stack);
      } finally {
        stack?.start.kill('SIGKILL');
        await endLeftovers(dir, stack?.workRoot);
        await cleanup();
      }
    },
    120_000,
  );

  it('SIGTERM to npm itself (a service manager stopping `npm start`), with a job running, leaves nothing running within 10 s', async () => {
    const { dir, cleanup } = await tempDir('spawn-queue-stop-npm-');
    let stack: Started | undefined;
    try {
      stack = await startStack(dir, undefined, true);
      await runningJob(stack);
      // npm forwards the signal to its script's process: `exec` in the script makes that the start
      // script itself, not a shell that would die and leave the stack running.
      stack.start.kill('SIGTERM');
      await expectNothingLeft(stack);
    } finally {
      stack?.start.kill('SIGKILL');
      await endLeftovers(dir, stack?.workRoot);
      await cleanup();
    }
  }, 120_000);

  it('after a crash that orphans a running task, the next start ends it before running anything', async () => {
    const { dir, cleanup } = await tempDir('spawn-queue-crash-');
    let first: Started | undefined;
    try {
      first = await startStack(dir);
      await runningJob(first);
      const [task] = await liveTaskProcesses(first.workRoot);
      const consumer = [];
      for (const pid of await processesOf(dir)) {
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        if (cmdline.includes('consumer-host')) consumer.push(pid);
      }
      expect(consumer).toHaveLength(1);
      // The crash: the consumer (its process group: the host and its process spawner) and the
      // start process die at once, without a word.
      process.kill(-consumer[0]!, 'SIGKILL');
      first.start.kill('SIGKILL');
      await sleep(1000);
      expect(await liveTaskProcesses(first.workRoot)).toEqual([task]);

      const second = await startStack(dir, first.ports);
      expect(printed()).toContain('ended 1 task process(es) an earlier run left behind');
      expect(printed()).toContain('sent 1 unfinished job(s) from the last run to the new queue again');
      expect((await liveTaskProcesses(second.workRoot)).includes(task!)).toBe(false);
      process.kill(-second.start.pid!, 'SIGINT');
      await expectNothingLeft(second);
    } finally {
      // The second start reuses the first one's ports, so the same task directory.
      await endLeftovers(dir, first?.workRoot);
      await cleanup();
    }
  }, 180_000);

  it('a delayed job across a restart of the stack (Ctrl-C, then npm start) runs at its time, not before; a pending callback is delivered; a schedule fires on, once per fire time', async () => {
    const { dir, cleanup } = await tempDir('spawn-queue-delayed-');
    const receiver = await callbackReceiver();
    let first: Started | undefined;
    try {
      first = await startStack(dir);
      const url = `http://localhost:${first.ports[0]}`;
      const submitted = await checkedFetch(`${url}/api/tasks/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: { text: 'after the restart' }, delaySeconds: 30 }),
      });
      const { jobId, status } = (await submitted.json()) as { jobId: string; status: string };
      expect(status).toBe('scheduled');
      const madeSchedule = await checkedFetch(`${url}/api/schedules`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ task: 'echo', input: { text: 'every minute' }, cron: '* * * * *' }),
      });
      const schedule = (await madeSchedule.json()) as { id: string; nextRunAt: string };
      // A job that ends while its callback's receiver is down: its next try waits in the queue.
      await receiver.stop();
      const told = await checkedFetch(`${url}/api/tasks/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: { text: 'tell me' }, callback: { url: receiver.url } }),
      });
      const toldId = ((await told.json()) as { jobId: string }).jobId;
      let callback: { status: string; attempts: number } | undefined;
      for (let i = 0; i < 100 && !(callback && callback.attempts >= 1); i += 1) {
        await sleep(100);
        const job = await checkedFetch(`${url}/api/jobs/${toldId}`);
        callback = ((await job.json()) as { callback: typeof callback }).callback;
      }
      expect(callback).toMatchObject({ status: 'pending', attempts: 1 });
      // Stopped while both wait: their messages go with the queue (ElasticMQ keeps no messages).
      process.kill(-first.start.pid!, 'SIGINT');
      await expectNothingLeft(first);

      await receiver.start();
      const second = await startStack(dir, first.ports);
      expect(printed()).toContain('sent 1 unfinished job(s) from the last run to the new queue again');
      expect(printed()).toContain(
        'sent 1 pending completion callback(s) from the last run to the new queue again',
      );
      const store = createSqliteJobStore({ dir });
      try {
        for (let i = 0; i < 100 && receiver.received.length === 0; i += 1) await sleep(100);
        expect(receiver.received.map((r) => JSON.parse(r.body).jobId)).toEqual([toldId]);
        for (let i = 0; i < 50 && (await store.get(toldId))?.callback?.status !== 'delivered'; i += 1) {
          await sleep(100);
        }
        await expect(store.get(toldId)).resolves.toMatchObject({
          callback: { status: 'delivered', attempts: 2 },
        });
        const job = await store.get(jobId);
        expect(job?.status).toBe('scheduled');
        const runAt = Date.parse(job!.runAt!);
        const deadline = runAt + 15_000;
        let latest = job;
        while (latest?.status !== 'succeeded' && Date.now() < deadline) {
          await sleep(200);
          latest = await store.get(jobId);
        }
        expect(latest).toMatchObject({
          status: 'succeeded',
          attempts: 1,
          output: { stdout: 'after the restart\n' },
        });
        expect(Date.parse(latest!.startedAt!)).toBeGreaterThanOrEqual(runAt);
        expect(Date.parse(latest!.startedAt!) - runAt).toBeLessThan(2000);
        // The schedule lived through the restart (it is in the store) and fires on: one job per
        // fire time, whichever run of the stack fired it.
        const firstFire = Date.parse(schedule.nextRunAt);
        await sleep(Math.max(0, firstFire + 3000 - Date.now()));
        const fired = (await store.list({ limit: 100 })).jobs.filter((j) => j.scheduleId === schedule.id);
        expect(fired.length).toBeGreaterThanOrEqual(1);
        expect(new Set(fired.map((j) => j.scheduledFor)).size).toBe(fired.length);
        expect(fired.every((j) => j.status === 'succeeded' && j.output?.stdout === 'every minute\n')).toBe(
          true,
        );
      } finally {
        await store.close();
      }
      process.kill(-second.start.pid!, 'SIGINT');
      await expectNothingLeft(second);
    } finally {
      await endLeftovers(dir, first?.workRoot);
      await receiver.close();
      await cleanup();
    }
  }, 180_000);
});
