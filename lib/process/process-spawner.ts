import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { runSupervised, superviseTask } from './run-process';
import { killProcessGroup } from './task-processes';
import type { RunOptions, RunResult, Supervisor, TaskOutcome, TaskRequest } from './run-process';

/** This process → the spawner. */
type SpawnerRequest = { type: 'run'; id: number; request: TaskRequest } | { type: 'abort'; id: number };
/** The spawner → this process. */
type SpawnerReply =
  { type: 'spawned'; id: number; pid: number } | { type: 'done'; id: number; outcome: TaskOutcome };

/**
 * The spawner's program: `superviseTask` itself, from its source text, behind an IPC loop. When
 * this process goes away (even by SIGKILL) the IPC channel closes: it kills the process groups of
 * the tasks still running and exits.
 */
const PROGRAM = `
// Transpilers that keep function names (esbuild's keepNames, as tsx uses) wrap them in __name().
var __name = (fn) => fn;
const supervise = ${superviseTask.toString()};
const running = new Map();
process.on('message', (message) => {
  if (message.type === 'abort') return running.get(message.id)?.abort.abort();
  const run = { abort: new AbortController(), pid: undefined };
  running.set(message.id, run);
  supervise(message.request, {
    signal: run.abort.signal,
    onSpawn: (pid) => {
      run.pid = pid;
      process.send({ type: 'spawned', id: message.id, pid });
    },
  }).then((outcome) => {
    running.delete(message.id);
    process.send({ type: 'done', id: message.id, outcome });
  });
});
process.on('disconnect', () => {
  for (const { pid } of running.values()) {
    try { if (pid) process.kill(-pid, 'SIGKILL'); } catch {}
  }
  process.exit(0);
});
`;

export interface ProcessSpawner {
  /** Runs one program, as {@link runProcess} does, from the spawner's process. */
  run(options: RunOptions): Promise<RunResult>;
  /** Ends the spawner process (it kills the tasks still running). */
  close(): void;
}

/**
 * Starts task processes from a small process of its own instead of this one. A fork copies the
 * parent's page tables, and Node's spawn waits for the child to exec: from a handler process of
 * 200+ MB that blocked the event loop 5–13 ms per task on a busy machine (every other job's store
 * round trips waited behind it); from the spawner (a bare Node, ~40 MB) it costs a fraction, off
 * this event loop. Started on first use, like a cold start; started again if it dies, and the tasks
 * it was running are killed (their runs reject, so their jobs are retried), so the slot count holds.
 */
export function createProcessSpawner(): ProcessSpawner {
  let child: ChildProcess | undefined;
  let nextId = 0;
  const pending = new Map<
    number,
    {
      resolve: (outcome: TaskOutcome) => void;
      reject: (error: Error) => void;
      pid?: number;
      onSpawn?: (pid: number) => void;
    }
  >();

  function start(): ChildProcess {
    const started = spawn(process.execPath, ['-e', PROGRAM], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: {},
    });
    started.once('error', (error) => {
      if (child === started) child = undefined;
      for (const [id, run] of pending) {
        pending.delete(id);
        run.reject(new Error(`the process spawner could not start: ${error.message}`));
      }
    });
    started.on('message', (reply: SpawnerReply) => {
      const run = pending.get(reply.id);
      if (!run) return;
      if (reply.type === 'spawned') {
        run.pid = reply.pid;
        run.onSpawn?.(reply.pid);
        return;
      }
      pending.delete(reply.id);
      idle();
      run.resolve(reply.outcome);
    });
    started.once('exit', (code, signal) => {
      if (child === started) child = undefined;
      for (const [id, run] of pending) {
        // Its tasks must not outlive it: a retry of their jobs would run beside them.
        if (run.pid) killProcessGroup(run.pid);
        pending.delete(id);
        run.reject(new Error(`the process spawner exited (${signal ?? `code ${code}`}) while a task ran`));
      }
    });
    return started;
  }

  /** The spawner keeps this process alive only while it runs something. */
  function idle(): void {
    if (pending.size > 0) return;
    child?.unref();
    child?.channel?.unref();
  }

  const supervise: Supervisor = (request, { signal, onSpawn }) =>
    new Promise<TaskOutcome>((resolve, reject) => {
      child ??= start();
      child.ref();
      child.channel?.ref();
      const id = (nextId += 1);
      const send = (message: SpawnerRequest) => child?.send(message);
      const onAbort = () => send({ type: 'abort', id });
      const settle =
        <T>(fn: (value: T) => void) =>
        (value: T) => {
          signal?.removeEventListener('abort', onAbort);
          fn(value);
        };
      pending.set(id, { resolve: settle(resolve), reject: settle(reject), onSpawn });
      signal?.addEventListener('abort', onAbort, { once: true });
      send({ type: 'run', id, request });
      if (signal?.aborted) onAbort();
    });

  return {
    run: (options) => runSupervised(supervise, options),
    close() {
      // Closing the channel is the spawner's cue to kill the tasks it runs and exit.
      if (child?.connected) child.disconnect();
      else child?.kill('SIGKILL');
      child = undefined;
    },
  };
}
