import { readFileSync } from 'node:fs';
import { alive, stillAliveAfter } from '../../helpers/processes';
import { setTimeout as sleep } from 'node:timers/promises';
import { cgroupsWritable, createCgroupContainment } from '../../../lib/process/cgroup-containment';
import { createGroupContainment } from '../../../lib/process/group-containment';
import type { Containment } from '../../../lib/process/containment';
import { createProcessSpawner } from '../../../lib/process/process-spawner';
import { createTaskSupervisor, runSupervised } from '../../../lib/process/run-process';
import type { RunOptions } from '../../../lib/process/run-process';

/**
 * Containment with real processes: whatever a task does (setsid, background children that keep its
 * pipes, a fork flood, a memory hog, a CPU burner), nothing outlives its job, a timeout ends it, and
 * its limits and usage hold as the containment says: a cgroup per job where this process may make
 * one (root here, as in CI), and the process-group containment a user without cgroup rights gets.
 */
const base = { timeoutMs: 10_000, maxOutputBytes: 64 * 1024, killGraceMs: 500 };
const sh = (script: string, extra: Partial<RunOptions> = {}): RunOptions => ({
  ...base,
  executable: '/bin/sh',
  args: ['-c', script],
  ...extra,
});

const pidsIn = (text: string) => (text.match(/\d+/g) ?? []).map(Number);

const cgroup = cgroupsWritable() ? createCgroupContainment() : undefined;
const kinds: Array<[string, Containment | undefined]> = [
  ['a cgroup per job', cgroup?.ok ? cgroup.containment : undefined],
  ['a process group and a marker sweep', createGroupContainment('test')],
];

describe.each(kinds)('containment: %s', (kind, containment) => {
  // Without cgroup rights (a user, not root) the cgroup half is reported as skipped.
  const itWithContainment = containment ? it : it.skip;
  const run = (options: RunOptions) => runSupervised(createTaskSupervisor(containment), options);

  itWithContainment(
    'ends a setsid child with its job, though the task succeeded without waiting for it',
    async () => {
      const result = await run(sh('setsid sleep 300 >/dev/null 2>&1 & echo $!'));
      expect(result.exitCode).toBe(0);
      // The printed pid is the setsid'ed process (setsid execs sleep, or forks it first).
      await expect(stillAliveAfter(pidsIn(result.stdout), 1000)).resolves.toEqual([]);
    },
  );

  itWithContainment('ends a double-forked nohup child too', async () => {
    const result = await run(sh('(nohup sleep 300 >/dev/null 2>&1 & echo $!) ; exit 0'));
    await expect(stillAliveAfter(pidsIn(result.stdout), 1000)).resolves.toEqual([]);
  });

  itWithContainment(
    'ends the run when its first process exits, though an escaped child holds its stdout',
    async () => {
      const started = Date.now();
      const result = await run(sh('setsid sleep 300 & echo $!; exit 0'));
      expect(Date.now() - started).toBeLessThan(5000);
      expect(result).toMatchObject({ exitCode: 0, timedOut: false });
      await expect(stillAliveAfter(pidsIn(result.stdout), 1000)).resolves.toEqual([]);
    },
  );

  itWithContainment(
    'ends a timed-out job within timeout + grace + 2 s, however its processes hold its pipes',
    async () => {
      const started = Date.now();
      const result = await run(
        sh('setsid sh -c "trap \\"\\" TERM; sleep 300" & echo $!; trap "" TERM; sleep 300', {
          timeoutMs: 1000,
          killGraceMs: 500,
        }),
      );
      expect(result.timedOut).toBe(true);
      expect(Date.now() - started).toBeLessThan(1000 + 500 + 2000);
      await expect(stillAliveAfter(pidsIn(result.stdout), 1000)).resolves.toEqual([]);
    },
  );

  itWithContainment('ends every process of a cancelled job, escaped ones included', async () => {
    const abort = new AbortController();
    const running = run(sh('setsid sleep 300 & echo $!; sleep 300', { signal: abort.signal }));
    await sleep(300);
    abort.abort();
    const result = await running;
    expect(result.cancelled).toBe(true);
    await expect(stillAliveAfter(pidsIn(result.stdout), 1000)).resolves.toEqual([]);
  });

  itWithContainment('reports what a job used, and how it was measured', async () => {
    const result = await run({
      ...base,
      executable: '/usr/bin/python3',
      args: ['-c', 'x = bytearray(30 * 1024 * 1024); print(len(x))'],
    });
    expect(result.exitCode).toBe(0);
    expect(result.usage).toMatchObject({ scope: kind === 'a cgroup per job' ? 'job' : 'process' });
    expect(result.usage!.processes).toBeGreaterThanOrEqual(1);
    if (kind === 'a cgroup per job') {
      expect(result.usage!.peakMemoryBytes).toBeGreaterThan(30 * 1024 * 1024);
      expect(result.usage!.cpuMs).toBeGreaterThan(0);
    }
  });
});

describe.each(kinds)('processes a job started: %s', (_kind, containment) => {
  const itWithContainment = containment ? it : it.skip;
  const run = (options: RunOptions) => runSupervised(createTaskSupervisor(containment), options);

  itWithContainment('counts the processes a job started one after another, not at once', async () => {
    // sh, then five sleeps of 0.6 s each: never more than two at once, six started. (A memory limit
    // makes the process-group containment watch the job's processes.)
    const result = await run(sh('for i in 1 2 3 4 5; do sleep 0.6; done', { limits: { memoryMb: 256 } }));
    expect(result.exitCode).toBe(0);
    expect(result.usage!.processes).toBe(6);
  });

  itWithContainment('counts processes, not the threads of one', async () => {
    const result = await run({
      ...base,
      executable: process.execPath,
      args: ['-e', 'setTimeout(() => {}, 600)'],
      limits: { memoryMb: 256 },
    });
    expect(result.exitCode).toBe(0);
    expect(result.usage!.processes).toBe(1);
  });
});

describe('processes a job started, counted from fork events (a cgroup per job, as root)', () => {
  const itWithForkEvents =
    cgroup?.ok && cgroup.containment.description.includes('fork events') ? it : it.skip;
  const run = (options: RunOptions) =>
    runSupervised(createTaskSupervisor(cgroup?.ok ? cgroup.containment : undefined), options);

  itWithForkEvents('counts every process, however short-lived, and each once', async () => {
    // sh, 40 `true`s of a millisecond each (a sample every 200 ms sees almost none of them), and a
    // subshell that starts one more in the background and exits at once (setsid: a new session).
    const result = await run(sh('for i in $(seq 40); do /bin/true; done; ( setsid /bin/true & ); wait'));
    expect(result.exitCode).toBe(0);
    // sh; the substitution's subshell (which execs seq); 40 trues; the ( ) subshell; its background
    // child (which setsid, not a group leader, makes a session leader and execs, without a fork).
    expect(result.usage!.processes).toBe(44);
  });
});

describe('limits of a whole job (a cgroup per job)', () => {
  const itWithCgroups = cgroup?.ok ? it : it.skip;
  const run = (options: RunOptions) =>
    runSupervised(createTaskSupervisor(cgroup?.ok ? cgroup.containment : undefined), options);

  itWithCgroups(
    'ends a job over its memory limit as failed with a message that says memory and the figure',
    async () => {
      const result = await run({
        ...base,
        executable: '/usr/bin/python3',
        args: ['-c', 'x = bytearray(150 * 1024 * 1024); print("allocated")'],
        limits: { memoryMb: 64 },
      });
      expect(result.stdout).toBe('');
      expect(result.signal).toBe('SIGKILL');
      expect(result.limitExceeded).toEqual({
        limit: 'memory',
        message: expect.stringMatching(/^memory limit exceeded: .*64 MB.*peak \d+ MB$/),
      });
    },
  );

  itWithCgroups(
    'keeps a fork flood at its process limit: 200 forks asked, no more than the limit at once',
    async () => {
      const result = await run(
        sh('for i in $(seq 200); do sleep 2 & done; wait', { limits: { processes: 50 } }),
      );
      expect(result.stderr).toMatch(/fork/i);
      // Started: the 50 at once and the short-lived ones before them (`$(seq 200)`), not the 150 refused.
      expect(result.usage!.processes).toBeLessThanOrEqual(55);
      expect(result.usage!.processes).toBeGreaterThan(10);
    },
  );

  itWithCgroups('stops a CPU burner at its CPU limit, as failed, not timed out', async () => {
    const started = Date.now();
    const result = await run({
      ...base,
      executable: '/usr/bin/python3',
      args: ['-c', 'while True: pass'],
      limits: { cpuSeconds: 1 },
    });
    expect(Date.now() - started).toBeLessThan(9000);
    expect(result.timedOut).toBe(false);
    expect(result.limitExceeded).toEqual({
      limit: 'cpu',
      message: expect.stringMatching(/^CPU limit exceeded/),
    });
    expect(result.usage!.cpuMs).toBeGreaterThanOrEqual(1000);
  });

  itWithCgroups('leaves other jobs untouched: one over its memory limit beside one that is not', async () => {
    const [hog, neighbour] = await Promise.all([
      run({
        ...base,
        executable: '/usr/bin/python3',
        args: ['-c', 'x = bytearray(150 * 1024 * 1024)'],
        limits: { memoryMb: 64 },
      }),
      run(sh('sleep 0.5; echo fine', { limits: { memoryMb: 64 } })),
    ]);
    expect(hog.limitExceeded?.limit).toBe('memory');
    expect(neighbour).toMatchObject({ exitCode: 0, stdout: 'fine\n' });
    expect(neighbour.limitExceeded).toBeUndefined();
  });
});

describe('limits without cgroup rights (a process group)', () => {
  const run = (options: RunOptions) =>
    runSupervised(createTaskSupervisor(createGroupContainment('test')), options);

  it('stops a job whose processes hold more than its memory limit (sampled every 250 ms), Node included', async () => {
    const started = Date.now();
    const result = await run({
      ...base,
      executable: process.execPath,
      args: [
        '-e',
        'const b = Buffer.alloc(150 * 1024 * 1024, 1); setTimeout(() => console.log(b.length), 5000)',
      ],
      limits: { memoryMb: 64 },
    });
    expect(Date.now() - started).toBeLessThan(4900);
    expect(result.limitExceeded).toEqual({
      limit: 'memory',
      message: expect.stringMatching(/^memory limit exceeded: .*64 MB/),
    });
    expect(result.usage!.peakMemoryBytes).toBeGreaterThan(64 * 1024 * 1024);
  });

  it('lets a Node task start and run under a memory limit it stays within', async () => {
    const result = await run({
      ...base,
      executable: process.execPath,
      args: ['-e', 'console.log("fine")'],
      limits: { memoryMb: 256, cpuSeconds: 5 },
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'fine\n' });
    expect(result.limitExceeded).toBeUndefined();
  });
});

describe('the process spawner killed with a job running', () => {
  it('takes every process of its jobs with it, escaped ones included', async () => {
    const spawner = createProcessSpawner();
    let pid: number | undefined;
    const running = spawner.run({
      ...sh('setsid sleep 300 >/dev/null 2>&1 & echo $! > escaped; sleep 300'),
      onSpawn: (p) => (pid = p),
    });
    const outcome = running.then(
      () => 'resolved',
      () => 'rejected',
    );
    while (pid === undefined) await sleep(20);
    await sleep(300);
    // The escaped child's pid, from the task's working directory.
    const workDir = readFileSync(`/proc/${pid}/cwd/escaped`, 'utf8');
    const escaped = Number(workDir.trim());
    expect(alive(escaped)).toBe(true);
    const spawnerPid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    process.kill(spawnerPid, 'SIGKILL');
    await expect(outcome).resolves.toBe('rejected');
    await expect(stillAliveAfter([pid, escaped], 2000)).resolves.toEqual([]);
    spawner.close();
  });
});
